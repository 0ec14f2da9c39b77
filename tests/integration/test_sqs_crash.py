"""SQS/SNS crash safety with `--durability sync`: what the server acknowledged survives kill -9.

A sender thread loops SendMessage/SendMessageBatch with unique bodies and records every
acknowledged body; a consumer thread receives (VisibilityTimeout 2) and deletes, recording the
deletes the server acknowledged. The test kills the server with SIGKILL at a random moment,
restarts it on the same data dir, and repeats; at the end it drains the queue. Every
acknowledged body must be either drained or deleted (a delete in flight at the kill may
have applied without its acknowledgement); a drained body must have
been sent; a body may be drained twice only if the consumer had received it without an
acknowledged delete (at-least-once redelivery); an acknowledged delete stays deleted.
The random seed is printed; set TIDEPOOL_SQS_CRASH_SEED to replay one.
"""

import collections
import json
import os
import random
import threading
import time

import botocore.exceptions

from harness import make_client
from sqs_helpers import queue_arn, receive_all

TOTAL_BUDGET_S = 40.0
CLIENT_ERRORS = (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError)


def sqs_client(endpoint):
    return make_client(endpoint, "sqs", connect_timeout=2, read_timeout=10)


class Sender(threading.Thread):
    def __init__(self, endpoint, url, prefix, rng):
        super().__init__(daemon=True)
        self.client = sqs_client(endpoint)
        self.url, self.prefix, self.rng = url, prefix, rng
        self.attempted, self.acked, self.count = set(), [], 0

    def body(self):
        self.count += 1
        b = "%s-%06d-%s" % (self.prefix, self.count, "x" * self.rng.randrange(100))
        self.attempted.add(b)
        return b

    def run(self):
        while True:
            try:
                if self.rng.random() < 0.5:
                    bodies = [self.body() for _ in range(self.rng.randrange(1, 11))]
                    resp = self.client.send_message_batch(QueueUrl=self.url, Entries=[
                        {"Id": str(i), "MessageBody": b} for i, b in enumerate(bodies)])
                    for ok in resp.get("Successful", []):
                        self.acked.append(bodies[int(ok["Id"])])
                else:
                    b = self.body()
                    self.client.send_message(QueueUrl=self.url, MessageBody=b)
                    self.acked.append(b)
            except CLIENT_ERRORS:
                return  # the server is gone


class Consumer(threading.Thread):
    def __init__(self, endpoint, url):
        super().__init__(daemon=True)
        self.client = sqs_client(endpoint)
        self.url = url
        self.received, self.deleted = set(), set()
        self.delete_sent = set()  # deletes sent; those in flight at the kill may have applied

    def run(self):
        while True:
            try:
                msgs = self.client.receive_message(QueueUrl=self.url, MaxNumberOfMessages=10,
                                                   VisibilityTimeout=2).get("Messages", [])
                for m in msgs:
                    self.received.add(m["Body"])
                if msgs:
                    self.delete_sent.update(m["Body"] for m in msgs)
                    resp = self.client.delete_message_batch(QueueUrl=self.url, Entries=[
                        {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
                        for i, m in enumerate(msgs)])
                    for ok in resp.get("Successful", []):
                        self.deleted.add(msgs[int(ok["Id"])]["Body"])
            except CLIENT_ERRORS:
                return


def drain(sqs, url, expected, timeout=12.0):
    """Receives and deletes until every body in `expected` was seen and the queue stays empty
    for 3 s (messages in flight at the kill reappear after their 2 s visibility)."""
    seen = []
    deadline = time.monotonic() + timeout
    quiet_since = time.monotonic()
    while time.monotonic() < deadline:
        msgs = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1,
                                   VisibilityTimeout=30).get("Messages", [])
        if msgs:
            quiet_since = time.monotonic()
            seen.extend(m["Body"] for m in msgs)
            sqs.delete_message_batch(QueueUrl=url, Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(msgs)])
        elif expected <= set(seen) and time.monotonic() - quiet_since >= 3:
            break
    return seen


def test_sync_sends_and_deletes_survive_kill9(tidepool_factory, tmp_path):
    seed = int(os.environ.get("TIDEPOOL_SQS_CRASH_SEED", random.randrange(1 << 30)))
    print("TIDEPOOL_SQS_CRASH_SEED=%d" % seed)
    rng = random.Random(seed)
    data = tmp_path / "sqsdata"
    started = time.monotonic()
    server = tidepool_factory(durability="sync", data_dir=data)
    url = sqs_client(server.endpoint).create_queue(QueueName="crash")["QueueUrl"]
    path = url.split("/", 3)[3]
    senders, consumers = [], []
    for rnd in range(3):
        if time.monotonic() - started > TOTAL_BUDGET_S - 15:
            break
        sender = Sender(server.endpoint, url, "r%d" % rnd, rng)
        consumer = Consumer(server.endpoint, url)
        sender.start()
        consumer.start()
        time.sleep(rng.uniform(0.3, 1.5))
        server.kill()
        sender.join(15)
        consumer.join(15)
        assert not sender.is_alive() and not consumer.is_alive()
        senders.append(sender)
        consumers.append(consumer)
        server = tidepool_factory(durability="sync", data_dir=data)
        url = "%s/%s" % (server.endpoint, path)  # the port changes on restart

    sqs = sqs_client(server.endpoint)
    assert sqs.get_queue_url(QueueName="crash")["QueueUrl"] == url
    acked = {b for s in senders for b in s.acked}
    attempted = {b for s in senders for b in s.attempted}
    received = {b for c in consumers for b in c.received}
    deleted = {b for c in consumers for b in c.deleted}
    delete_sent = {b for c in consumers for b in c.delete_sent}
    assert acked, "the sender never got an acknowledgement"
    drained = drain(sqs, url, acked - deleted)
    counts = collections.Counter(drained)

    lost = acked - delete_sent - set(drained)
    if lost:
        attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        assert not lost, (
            "%d acknowledged messages lost, e.g. %r (seed %d); %d of them had been received "
            "(not deleted) by the consumer before the kill; queue now %r" % (
                len(lost), sorted(lost)[:3], seed, len(lost & received), attrs))
    unknown = set(drained) - attempted
    assert not unknown, "bodies never sent: %r" % sorted(unknown)[:5]
    resurrected = deleted & set(drained)
    assert not resurrected, "acknowledged deletes came back: %r (seed %d)" % (
        sorted(resurrected)[:5], seed)
    dups = {b for b, n in counts.items() if n > 1 and b not in received}
    assert not dups, "duplicates never received before the kill: %r" % sorted(dups)[:5]
    assert time.monotonic() - started < TOTAL_BUDGET_S + 20


def test_in_flight_message_stays_invisible_after_restart(tidepool_factory, tmp_path):
    data = tmp_path / "d"
    server = tidepool_factory(durability="sync", data_dir=data)
    sqs = sqs_client(server.endpoint)
    url = sqs.create_queue(QueueName="inflight")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="first")
    sqs.send_message(QueueUrl=url, MessageBody="second")
    [held] = sqs.receive_message(QueueUrl=url, VisibilityTimeout=30,
                                 MaxNumberOfMessages=1)["Messages"]
    server.kill()

    server = tidepool_factory(durability="sync", data_dir=data)
    sqs = sqs_client(server.endpoint)
    url = sqs.get_queue_url(QueueName="inflight")["QueueUrl"]
    got = receive_all(sqs, url, 2, timeout=3, VisibilityTimeout=30)
    other = {"first", "second"} - {held["Body"]}
    assert [m["Body"] for m in got] == list(other)
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attrs["ApproximateNumberOfMessagesNotVisible"] == "2"
    assert attrs["ApproximateNumberOfMessages"] == "0"
    # The receipt handle given out before the crash still deletes the message.
    sqs.delete_message(QueueUrl=url, ReceiptHandle=held["ReceiptHandle"])
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attrs["ApproximateNumberOfMessagesNotVisible"] == "1"


def test_acknowledged_publish_is_delivered_after_restart(tidepool_factory, tmp_path):
    data = tmp_path / "d"
    server = tidepool_factory(durability="sync", data_dir=data)
    sns = make_client(server.endpoint, "sns")
    sqs = sqs_client(server.endpoint)
    topic = sns.create_topic(Name="crash-topic")["TopicArn"]
    urls = [sqs.create_queue(QueueName="fan%d" % i)["QueueUrl"] for i in range(2)]
    for i, url in enumerate(urls):
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn(sqs, url),
                      Attributes={"RawMessageDelivery": "true" if i == 0 else "false"})
    bodies = ["publish-%d" % i for i in range(20)]
    for b in bodies:
        sns.publish(TopicArn=topic, Message=b)
    sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=[
        {"Id": str(i), "Message": "batch-%d" % i} for i in range(5)])
    bodies += ["batch-%d" % i for i in range(5)]
    server.kill()  # immediately after the last acknowledgement

    server = tidepool_factory(durability="sync", data_dir=data)
    sqs = sqs_client(server.endpoint)
    raw_url, env_url = [sqs.get_queue_url(QueueName="fan%d" % i)["QueueUrl"] for i in range(2)]
    # SNS delivery is at-least-once (as on AWS): every acknowledged publish must arrive; a
    # redelivery after the crash is allowed and printed.
    raw = [m["Body"] for m in receive_all(sqs, raw_url, len(bodies), timeout=10)]
    env_msgs = receive_all(sqs, env_url, len(bodies), timeout=10)
    env = [json.loads(m["Body"])["Message"] for m in env_msgs]
    raw += [m["Body"] for m in receive_all(sqs, raw_url, 1, timeout=1.5)]
    env += [json.loads(m["Body"])["Message"] for m in receive_all(sqs, env_url, 1, timeout=1.5)]
    for name, got in (("raw", raw), ("enveloped", env)):
        missing = set(bodies) - set(got)
        assert not missing, "%s queue: acknowledged publishes lost: %r" % (name, sorted(missing))
        assert set(got) <= set(bodies), got
        dups = sorted(b for b, n in collections.Counter(got).items() if n > 1)
        if dups:
            print("%s queue: delivered more than once after the crash: %r" % (name, dups))


def test_fifo_dedup_receive_counts_and_delays_survive_kill9(tidepool_factory, tmp_path):
    data = tmp_path / "d"
    server = tidepool_factory(durability="sync", data_dir=data)
    sqs = sqs_client(server.endpoint)
    fifo = sqs.create_queue(QueueName="k.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    first = sqs.send_message(QueueUrl=fifo, MessageBody="once", MessageGroupId="g",
                             MessageDeduplicationId="dedup-1")
    dlq = sqs.create_queue(QueueName="k-dlq")["QueueUrl"]
    src = sqs.create_queue(QueueName="k-src", Attributes={"RedrivePolicy": json.dumps(
        {"deadLetterTargetArn": queue_arn(sqs, dlq), "maxReceiveCount": 2})})["QueueUrl"]
    sqs.send_message(QueueUrl=src, MessageBody="flaky")
    assert receive_all(sqs, src, 1, VisibilityTimeout=1)
    delayed = sqs.create_queue(QueueName="k-delay")["QueueUrl"]
    sqs.send_message(QueueUrl=delayed, MessageBody="later", DelaySeconds=3)
    killed_at = time.monotonic()
    server.kill()

    server = tidepool_factory(durability="sync", data_dir=data)
    sqs = sqs_client(server.endpoint)
    fifo, src, dlq, delayed = [sqs.get_queue_url(QueueName=n)["QueueUrl"]
                               for n in ("k.fifo", "k-src", "k-dlq", "k-delay")]
    # The 5-minute deduplication window is stored: the same id is not enqueued again.
    again = sqs.send_message(QueueUrl=fifo, MessageBody="once", MessageGroupId="g",
                             MessageDeduplicationId="dedup-1")
    assert again["MessageId"] == first["MessageId"]
    got = receive_all(sqs, fifo, 2, timeout=2)
    assert [m["Body"] for m in got] == ["once"]
    # The receive count is stored: the second receive is count 2, the third goes to the DLQ.
    second = receive_all(sqs, src, 1, timeout=4, VisibilityTimeout=1,
                         AttributeNames=["ApproximateReceiveCount"])
    assert [m["Attributes"]["ApproximateReceiveCount"] for m in second] == ["2"]
    time.sleep(1.1)
    assert receive_all(sqs, src, 1, timeout=1.5) == []
    assert [m["Body"] for m in receive_all(sqs, dlq, 1)] == ["flaky"]
    # The delay is stored: still hidden until 3 s after the send.
    if time.monotonic() - killed_at < 2.5:
        assert "Messages" not in sqs.receive_message(QueueUrl=delayed)
    assert [m["Body"] for m in receive_all(sqs, delayed, 1, timeout=6)] == ["later"]
