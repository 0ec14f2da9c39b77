"""The restart test: every kind of record each service stores survives kill -9 and behaves.

For each service a *zoo* builds every kind of record the service keeps (listed by its
keyspace's RecordKinds() and counted by GET /_tidepool/store/kinds); the test fails when a
listed kind has no record after the zoo was built, and when a service stores records but has
no zoo here. Then a mixed load runs, the server is killed with SIGKILL at a random moment
(`--durability sync`), restarted on the same data dir, and the test checks that the server
starts, that every acknowledged write is there, and that the zoo behaves: a move task
resumes, an in-flight message reappears after its deadline, a pending SNS delivery is
delivered, a resharded stream keeps its closed shard.

The random seed is printed; TIDEPOOL_ZOO_SEED replays one.
"""

import datetime
import http.client
import http.server
import json
import os
import queue
import random
import socket
import threading
import time

import botocore.exceptions
import pytest

from harness import ACCOUNT, REGION, make_client, store_census
from kinesis_helpers import read_shard, wait_active, wait_for
from apigateway_helpers import build_mock_api, invoke_path, request
from lambda_helpers import zip_one
from sfn_helpers import history, wait_done
from sqs_helpers import queue_arn, receive_all, wait_move_task

CLIENT_ERRORS = (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError)
# Services with a zoo below; "store" is the storage layer's own format-version record.
ZOO_SERVICES = {"store", "kinesis", "sqs", "sns", "stepfunctions", "dynamodb", "lambda", "s3",
                "apigateway", "logs", "iam", "cloudformation"}


def seeded_rng(name):
    seed = int(os.environ.get("TIDEPOOL_ZOO_SEED", random.randrange(1 << 30)))
    print("%s seed %d (TIDEPOOL_ZOO_SEED replays it)" % (name, seed))
    return random.Random(seed)


def check_census(endpoint, service):
    """Every listed kind of `service` (and the store's own) has records; nothing unlisted."""
    census = store_census(endpoint)
    assert census["unclassified"] == 0, census["unclassified_examples"]
    services = {row["service"] for row in census["kinds"]}
    assert services <= ZOO_SERVICES, "services without a zoo: %s" % (services - ZOO_SERVICES)
    empty = [row["kind"] for row in census["kinds"]
             if row["service"] in (service, "store") and row["records"] == 0]
    assert not empty, "the %s zoo made no record of kind(s) %s" % (service, empty)
    return census


class Load(threading.Thread):
    """Calls `step(i)` in a loop until the server goes away; `step` records what was acked."""

    def __init__(self, step):
        super().__init__(daemon=True)
        self.step, self.calls = step, 0

    def run(self):
        while True:
            try:
                self.step(self.calls)
                self.calls += 1
            except CLIENT_ERRORS:
                return


def drain_distinct(sqs, url, want, timeout=20.0):
    """Receives (and deletes) until `want` distinct bodies arrived or `timeout` passed."""
    bodies = set()
    deadline = time.monotonic() + timeout
    while len(bodies) < want and time.monotonic() < deadline:
        msgs = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                   WaitTimeSeconds=1).get("Messages", [])
        for m in msgs:
            bodies.add(m["Body"])
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    return bodies


def crash_under(server, loads, rng):
    """Starts the loads, kills the server at a random moment, and waits for the loads."""
    for load in loads:
        load.start()
    wait_for(lambda: all(load.calls > 3 for load in loads), timeout=20, what="load running")
    time.sleep(rng.uniform(0.05, 0.8))
    server.kill()
    for load in loads:
        load.join(timeout=20)
        assert not load.is_alive()


# ------------------------------------------------------------------------------------ Kinesis

def test_kinesis_zoo_survives_kill_9(tidepool_factory, tmp_path):
    rng = seeded_rng("kinesis zoo")
    server = tidepool_factory(durability="sync", data_dir=tmp_path / "zoo")
    kinesis = make_client(server.endpoint, "kinesis", connect_timeout=2, read_timeout=10)
    kinesis.create_stream(StreamName="zoo", ShardCount=1)
    wait_active(kinesis, "zoo")
    arn = "arn:aws:kinesis:%s:%s:stream/zoo" % (REGION, ACCOUNT)
    first = kinesis.put_record(StreamName="zoo", Data=b"before split", PartitionKey="k")
    kinesis.split_shard(StreamName="zoo", ShardToSplit="shardId-000000000000",
                        NewStartingHashKey=str(1 << 127))
    wait_active(kinesis, "zoo")
    consumer = kinesis.register_stream_consumer(StreamARN=arn, ConsumerName="zoo-consumer")
    policy = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::%s:root" % ACCOUNT},
        "Action": "kinesis:GetRecords", "Resource": arn}]})
    kinesis.put_resource_policy(ResourceARN=arn, Policy=policy)
    kinesis.add_tags_to_stream(StreamName="zoo", Tags={"team": "zoo"})
    kinesis.increase_stream_retention_period(StreamName="zoo", RetentionPeriodHours=48)
    kinesis.start_stream_encryption(StreamName="zoo", EncryptionType="KMS", KeyId="alias/zoo")
    wait_active(kinesis, "zoo")
    kinesis.enable_enhanced_monitoring(StreamName="zoo", ShardLevelMetrics=["IncomingBytes"])
    kinesis.update_account_settings(MinimumThroughputBillingCommitment={"Status": "ENABLED"})
    check_census(server.endpoint, "kinesis")

    acked = []  # (partition key, data, shard id, sequence number)
    writer = make_client(server.endpoint, "kinesis", connect_timeout=2, read_timeout=10)

    def put(i):
        if i % 2:
            records = [{"Data": b"b%d-%d" % (i, j), "PartitionKey": "p%d" % rng.randrange(50)}
                       for j in range(rng.randrange(1, 20))]
            out = writer.put_records(StreamName="zoo", Records=records)
            for rec, res in zip(records, out["Records"]):
                if "SequenceNumber" in res:
                    acked.append((rec["Data"], res["ShardId"], res["SequenceNumber"]))
        else:
            data = b"s%d" % i
            out = writer.put_record(StreamName="zoo", Data=data, PartitionKey="p%d" % i)
            acked.append((data, out["ShardId"], out["SequenceNumber"]))

    crash_under(server, [Load(put)], rng)
    server = tidepool_factory(durability="sync", data_dir=tmp_path / "zoo")
    kinesis = make_client(server.endpoint, "kinesis")

    desc = kinesis.describe_stream(StreamName="zoo")["StreamDescription"]
    assert desc["StreamStatus"] == "ACTIVE"
    assert desc["RetentionPeriodHours"] == 48
    assert desc["EncryptionType"] == "KMS" and desc["KeyId"] == "alias/zoo"
    assert desc["EnhancedMonitoring"][0]["ShardLevelMetrics"] == ["IncomingBytes"]
    shards = {s["ShardId"]: s for s in desc["Shards"]}
    assert "EndingSequenceNumber" in shards["shardId-000000000000"]["SequenceNumberRange"]
    assert kinesis.list_tags_for_stream(StreamName="zoo")["Tags"] == [
        {"Key": "team", "Value": "zoo"}]
    assert kinesis.get_resource_policy(ResourceARN=arn)["Policy"] == policy
    got = kinesis.describe_stream_consumer(
        ConsumerARN=consumer["Consumer"]["ConsumerARN"])["ConsumerDescription"]
    assert got["ConsumerStatus"] == "ACTIVE"
    settings = kinesis.describe_account_settings()["MinimumThroughputBillingCommitment"]
    assert settings["Status"] == "ENABLED"

    stored = {}
    for shard_id in shards:
        records, _ = read_shard(kinesis, "zoo", shard_id)
        seqs = [int(r["SequenceNumber"]) for r in records]
        assert seqs == sorted(seqs), "records out of order in %s" % shard_id
        for r in records:
            stored[r["SequenceNumber"]] = (r["Data"], shard_id)
    assert stored[first["SequenceNumber"]] == (b"before split", "shardId-000000000000")
    missing = [a for a in acked if stored.get(a[2]) != (a[0], a[1])]
    assert not missing, "%d of %d acknowledged records lost, e.g. %r" % (
        len(missing), len(acked), missing[:3])
    # The stream keeps working: new records go to the children, after the old ones.
    out = kinesis.put_record(StreamName="zoo", Data=b"after", PartitionKey="k")
    assert out["ShardId"] != "shardId-000000000000"
    assert all(int(out["SequenceNumber"]) > int(a[2]) for a in acked if a[1] == out["ShardId"])


# ---------------------------------------------------------------------------------------- SQS

def test_sqs_zoo_survives_kill_9(tidepool_factory, tmp_path):
    rng = seeded_rng("sqs zoo")
    server = tidepool_factory(durability="sync", data_dir=tmp_path / "zoo")
    sqs = make_client(server.endpoint, "sqs", connect_timeout=2, read_timeout=10)
    std = sqs.create_queue(QueueName="zoo-std", tags={"team": "zoo"})["QueueUrl"]
    fifo = sqs.create_queue(QueueName="zoo.fifo", Attributes={
        "FifoQueue": "true", "ContentBasedDeduplication": "true"})["QueueUrl"]

    def dlq_pair(name):
        dlq = sqs.create_queue(QueueName=name + "-dlq")["QueueUrl"]
        src = sqs.create_queue(QueueName=name, Attributes={"RedrivePolicy": json.dumps({
            "deadLetterTargetArn": queue_arn(sqs, dlq), "maxReceiveCount": 1})})["QueueUrl"]
        return src, dlq

    # A finished move task, and one at 1 message/s that is still running at the kill.
    done_src, done_dlq = dlq_pair("zoo-done")
    run_src, run_dlq = dlq_pair("zoo-run")
    for src, n in ((done_src, 1), (run_src, 5)):
        for i in range(n):
            sqs.send_message(QueueUrl=src, MessageBody="poison %d" % i)
        got = sqs.receive_message(QueueUrl=src, MaxNumberOfMessages=10, VisibilityTimeout=0)
        assert len(got["Messages"]) == n
        # The next receive would pass maxReceiveCount: every message moves to the DLQ.
        assert sqs.receive_message(QueueUrl=src, MaxNumberOfMessages=10).get("Messages") is None
    sqs.start_message_move_task(SourceArn=queue_arn(sqs, done_dlq))
    wait_move_task(sqs, queue_arn(sqs, done_dlq))
    sqs.start_message_move_task(SourceArn=queue_arn(sqs, run_dlq), MaxNumberOfMessagesPerSecond=1)

    sqs.send_message(QueueUrl=std, MessageBody="in flight")
    in_flight = sqs.receive_message(QueueUrl=std, VisibilityTimeout=8)["Messages"][0]
    received_at = time.monotonic()
    sqs.send_message(QueueUrl=std, MessageBody="delayed", DelaySeconds=6)
    sqs.send_message(QueueUrl=fifo, MessageBody="f1", MessageGroupId="g1")
    dup = sqs.send_message(QueueUrl=fifo, MessageBody="f2", MessageGroupId="g2",
                           MessageDeduplicationId="dedup-2")
    attempt = sqs.receive_message(QueueUrl=fifo, ReceiveRequestAttemptId="attempt-1",
                                  VisibilityTimeout=60)["Messages"]
    check_census(server.endpoint, "sqs")

    acked = []
    sender = make_client(server.endpoint, "sqs", connect_timeout=2, read_timeout=10)

    def send(i):
        if i % 3 == 0:
            bodies = ["batch-%d-%d" % (i, j) for j in range(rng.randrange(1, 11))]
            out = sender.send_message_batch(QueueUrl=std, Entries=[
                {"Id": str(j), "MessageBody": b} for j, b in enumerate(bodies)])
            acked.extend(bodies[int(ok["Id"])] for ok in out.get("Successful", []))
        else:
            sender.send_message(QueueUrl=std, MessageBody="load-%d" % i)
            acked.append("load-%d" % i)

    crash_under(server, [Load(send)], rng)
    server = tidepool_factory(durability="sync", data_dir=tmp_path / "zoo")
    sqs = make_client(server.endpoint, "sqs")

    urls = sqs.list_queues(QueueNamePrefix="zoo")["QueueUrls"]
    assert len(urls) == 6, urls
    assert sqs.list_queue_tags(QueueUrl=std)["Tags"] == {"team": "zoo"}
    attrs = sqs.get_queue_attributes(QueueUrl=fifo, AttributeNames=["All"])["Attributes"]
    assert attrs["FifoQueue"] == "true" and attrs["ContentBasedDeduplication"] == "true"
    # The finished task stays COMPLETED; the running one resumes and completes.
    done = sqs.list_message_move_tasks(SourceArn=queue_arn(sqs, done_dlq))["Results"][0]
    assert done["Status"] == "COMPLETED" and done["ApproximateNumberOfMessagesMoved"] == 1
    wait_move_task(sqs, queue_arn(sqs, run_dlq), timeout=30)
    assert len(drain_distinct(sqs, run_src, 5)) == 5
    # The receive attempt returns the same message; the deduplication id still deduplicates.
    again = sqs.receive_message(QueueUrl=fifo, ReceiveRequestAttemptId="attempt-1",
                                VisibilityTimeout=60)["Messages"]
    assert [m["MessageId"] for m in again] == [m["MessageId"] for m in attempt]
    resent = sqs.send_message(QueueUrl=fifo, MessageBody="f2", MessageGroupId="g2",
                              MessageDeduplicationId="dedup-2")
    assert resent["MessageId"] == dup["MessageId"]
    # Every acknowledged body is in the queue; the in-flight message stays hidden until its
    # deadline (when the restart was fast enough to tell), then comes back; the delayed one
    # comes when its delay is over.
    want = set(acked) | {"delayed", "in flight"}
    seen = {}
    deadline = time.monotonic() + 60
    while not want <= set(seen) and time.monotonic() < deadline:
        for m in sqs.receive_message(QueueUrl=std, MaxNumberOfMessages=10, WaitTimeSeconds=1,
                                     VisibilityTimeout=60).get("Messages", []):
            seen.setdefault(m["Body"], time.monotonic())
    missing = want - set(seen)
    assert not missing, "%d acknowledged messages lost, e.g. %r" % (
        len(missing), sorted(missing)[:3])
    assert seen["in flight"] >= received_at + 8 - 0.5, "in-flight message came back early"


# ---------------------------------------------------------------------------------------- SNS

class Endpoint:
    """An HTTP endpoint for SNS on a fixed port, started and stopped on demand."""

    def __init__(self):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.url = "http://127.0.0.1:%d" % self.port
        self.posts = queue.Queue()
        self.httpd = None

    def start(self):
        posts = self.posts

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                posts.put((self.path, json.loads(body)))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        class Server(http.server.ThreadingHTTPServer):
            request_queue_size = 256  # the outbox is delivered with many connections at once

        self.httpd = Server(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self):
        if self.httpd:
            self.httpd.shutdown()
            self.httpd.server_close()
            self.httpd = None

    def next(self, timeout=15):
        return self.posts.get(timeout=timeout)


def test_sns_zoo_survives_kill_9(tidepool_factory, tmp_path):
    rng = seeded_rng("sns zoo")
    server = tidepool_factory(durability="sync", data_dir=tmp_path / "zoo")
    sns = make_client(server.endpoint, "sns", connect_timeout=2, read_timeout=10)
    sqs = make_client(server.endpoint, "sqs", connect_timeout=2, read_timeout=10)
    web = Endpoint()
    web.start()
    try:
        topic = sns.create_topic(Name="zoo", Tags=[{"Key": "team", "Value": "zoo"}])["TopicArn"]
        fifo_topic = sns.create_topic(Name="zoo.fifo", Attributes={
            "FifoTopic": "true", "ContentBasedDeduplication": "true"})["TopicArn"]
        raw_q = sqs.create_queue(QueueName="zoo-raw")["QueueUrl"]
        fifo_q = sqs.create_queue(QueueName="zoo-sns.fifo",
                                  Attributes={"FifoQueue": "true"})["QueueUrl"]
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn(sqs, raw_q),
                      Attributes={"RawMessageDelivery": "true"})
        sns.subscribe(TopicArn=fifo_topic, Protocol="sqs", Endpoint=queue_arn(sqs, fifo_q))
        sns.subscribe(TopicArn=topic, Protocol="lambda",
                      Endpoint="arn:aws:lambda:%s:%s:function:zoo" % (REGION, ACCOUNT))
        # A confirmed http subscription, and one removed after its confirmation.
        confirmed = {}
        for path in ("/live", "/removed"):
            sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=web.url + path)
            got_path, msg = web.next()
            assert got_path == path and msg["Type"] == "SubscriptionConfirmation"
            confirmed[path] = sns.confirm_subscription(
                TopicArn=topic, Token=msg["Token"])["SubscriptionArn"]
        sns.unsubscribe(SubscriptionArn=confirmed["/removed"])
        assert web.next()[1]["Type"] == "UnsubscribeConfirmation"
        # The endpoint goes down: what follows waits in the outbox.
        web.stop()
        sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=web.url + "/pending")
        # https (nothing listens there): its confirmation waits in the outbox too.
        https_url = "https://127.0.0.1:%d/secure" % web.port
        sns.subscribe(TopicArn=topic, Protocol="https", Endpoint=https_url)
        sns.publish(TopicArn=topic, Message="zoo message")
        sns.publish(TopicArn=fifo_topic, Message="fifo", MessageGroupId="g")
        check_census(server.endpoint, "sns")

        acked = []
        publisher = make_client(server.endpoint, "sns", connect_timeout=2, read_timeout=10)

        def publish(i):
            if i % 4 == 0:
                entries = [{"Id": str(j), "Message": "batch-%d-%d" % (i, j)}
                           for j in range(rng.randrange(1, 10))]
                out = publisher.publish_batch(TopicArn=topic, PublishBatchRequestEntries=entries)
                acked.extend(entries[int(ok["Id"])]["Message"] for ok in out["Successful"])
            else:
                publisher.publish(TopicArn=topic, Message="load-%d" % i)
                acked.append("load-%d" % i)

        crash_under(server, [Load(publish)], rng)
        web.start()
        server = tidepool_factory(durability="sync", data_dir=tmp_path / "zoo")
        sns = make_client(server.endpoint, "sns")
        sqs = make_client(server.endpoint, "sqs")

        assert sns.list_tags_for_resource(ResourceArn=topic)["Tags"] == [
            {"Key": "team", "Value": "zoo"}]
        subs = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
        by_endpoint = {s["Endpoint"]: s["SubscriptionArn"] for s in subs}
        assert web.url + "/removed" not in by_endpoint
        assert by_endpoint[web.url + "/pending"] == "PendingConfirmation"
        assert by_endpoint[https_url] == "PendingConfirmation"
        assert by_endpoint[web.url + "/live"] == confirmed["/live"]
        # Every acknowledged publish reaches the raw queue (at least once) and the live
        # endpoint; the pending subscription gets its confirmation.
        want = set(acked) | {"zoo message"}
        bodies = drain_distinct(sqs, raw_q, len(want))
        assert not want - bodies, "%d publishes lost, e.g. %r" % (
            len(want - bodies), sorted(want - bodies)[:3])
        fifo_msgs = receive_all(sqs, fifo_q, 1, timeout=5)
        assert json.loads(fifo_msgs[0]["Body"])["Message"] == "fifo"
        live, pending = set(), False
        deadline = time.monotonic() + 60
        while (not pending or not want <= live) and time.monotonic() < deadline:
            try:
                path, msg = web.next(timeout=1)
            except queue.Empty:
                continue
            if path == "/pending":
                pending = pending or msg["Type"] == "SubscriptionConfirmation"
            elif path == "/live" and msg["Type"] == "Notification":
                live.add(msg["Message"])
        assert pending, "the pending subscription's confirmation was not delivered"
        assert not want - live, "%d notifications to the live endpoint lost" % len(want - live)
        # The lambda subscription's entries wait in the outbox (its function does not exist:
        # they are retried with backoff).
        census = store_census(server.endpoint)
        outbox = [r for r in census["kinds"] if r["service"] == "sns" and r["kind"] == "outbox"]
        assert outbox[0]["records"] >= len(want)
    finally:
        web.stop()


# ------------------------------------------------------------------------------ Step Functions

def test_stepfunctions_zoo_survives_kill_9(tidepool_factory, tmp_path):
    rng = seeded_rng("stepfunctions zoo")
    server = tidepool_factory(durability="sync", data_dir=tmp_path / "zoo")
    sfn = make_client(server.endpoint, "stepfunctions", connect_timeout=2, read_timeout=10)
    role = "arn:aws:iam::%s:role/zoo" % ACCOUNT
    # JSONata, with a variable assigned before the Wait and read after it: variables are part
    # of the stored execution and must survive the crash.
    waiting = sfn.create_state_machine(name="zoo-wait", roleArn=role, definition=json.dumps({
        "QueryLanguage": "JSONata", "StartAt": "Init", "States": {
            "Init": {"Type": "Pass", "Assign": {"n": "{% $states.input.n %}"}, "Next": "Wait"},
            "Wait": {"Type": "Wait", "Seconds": 4, "Next": "Done"},
            "Done": {"Type": "Pass", "Output": {"n": "{% $n %}", "r": {"done": True}},
                     "End": True}}}), tags=[{"key": "team", "value": "zoo"}])["stateMachineArn"]
    quick = sfn.create_state_machine(name="zoo-quick", roleArn=role, definition=json.dumps({
        "StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}))["stateMachineArn"]
    activity = sfn.create_activity(name="zoo-activity")["activityArn"]
    version = sfn.publish_state_machine_version(stateMachineArn=quick)["stateMachineVersionArn"]
    alias = sfn.create_state_machine_alias(name="zoo-live", routingConfiguration=[
        {"stateMachineVersionArn": version, "weight": 100}])["stateMachineAliasArn"]
    finished = sfn.start_execution(stateMachineArn=quick, name="finished",
                                   input='{"n": 0}')["executionArn"]
    wait_done(sfn, finished)
    sleeping = sfn.start_execution(stateMachineArn=waiting, name="sleeping",
                                   input='{"n": 1}')["executionArn"]
    # A Distributed Map: its Map Run is a record of its own.
    mapper = sfn.create_state_machine(name="zoo-map", roleArn=role, definition=json.dumps({
        "StartAt": "M", "States": {"M": {"Type": "Map", "End": True, "ItemProcessor": {
            "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            "StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}}}}))[
                "stateMachineArn"]
    mapped = sfn.start_execution(stateMachineArn=mapper, input="[1, 2]")["executionArn"]
    assert wait_done(sfn, mapped)["status"] == "SUCCEEDED"
    map_run = sfn.list_map_runs(executionArn=mapped)["mapRuns"][0]["mapRunArn"]
    check_census(server.endpoint, "stepfunctions")

    acked = []
    starter = make_client(server.endpoint, "stepfunctions", connect_timeout=2, read_timeout=10)

    def start(i):
        arn = starter.start_execution(stateMachineArn=waiting if i % 2 else quick,
                                      name="load-%d" % i, input=json.dumps({"n": i}))
        acked.append(arn["executionArn"])

    started = time.monotonic()
    crash_under(server, [Load(start)], rng)
    server = tidepool_factory(durability="sync", data_dir=tmp_path / "zoo")
    sfn = make_client(server.endpoint, "stepfunctions")

    names = {m["name"] for m in sfn.list_state_machines()["stateMachines"]}
    assert names == {"zoo-wait", "zoo-quick", "zoo-map"}
    assert sfn.describe_map_run(mapRunArn=map_run)["executionCounts"]["succeeded"] == 2
    assert sfn.list_tags_for_resource(resourceArn=waiting)["tags"] == [
        {"key": "team", "value": "zoo"}]
    assert sfn.describe_activity(activityArn=activity)["name"] == "zoo-activity"
    assert sfn.describe_execution(executionArn=finished)["status"] == "SUCCEEDED"
    assert sfn.describe_state_machine_alias(stateMachineAliasArn=alias)["routingConfiguration"] \
        == [{"stateMachineVersionArn": version, "weight": 100}]
    via_alias = sfn.start_execution(stateMachineArn=alias)["executionArn"]
    assert wait_done(sfn, via_alias)["stateMachineVersionArn"] == version
    # Every acknowledged execution comes back and runs to its end, its Wait included.
    for arn in [sleeping] + acked:
        d = wait_done(sfn, arn, timeout=40)
        assert d["status"] == "SUCCEEDED", d
    out = json.loads(sfn.describe_execution(executionArn=sleeping)["output"])
    assert out == {"n": 1, "r": {"done": True}}
    assert time.monotonic() - started >= 4
    events = [e["type"] for e in history(sfn, sleeping)]
    assert events[0] == "ExecutionStarted" and events[-1] == "ExecutionSucceeded"
    assert events.count("WaitStateEntered") == 1, events  # the completed state did not rerun


# ------------------------------------------------------------------------------- CloudWatch Logs

def test_logs_zoo_survives_kill_9(tidepool_factory, tmp_path):
    rng = seeded_rng("logs zoo")
    server = tidepool_factory(durability="sync", data_dir=tmp_path / "zoo")
    logs = make_client(server.endpoint, "logs", connect_timeout=2, read_timeout=10)
    logs.create_log_group(logGroupName="/zoo/app", tags={"team": "zoo"})
    logs.put_retention_policy(logGroupName="/zoo/app", retentionInDays=30)
    logs.create_log_stream(logGroupName="/zoo/app", logStreamName="first")
    t0 = int(time.time() * 1000)
    logs.put_log_events(logGroupName="/zoo/app", logStreamName="first",
                        logEvents=[{"timestamp": t0, "message": "zoo begins"}])
    check_census(server.endpoint, "logs")

    acked = []  # (stream, message)
    writer = make_client(server.endpoint, "logs", connect_timeout=2, read_timeout=10)

    def step(i):
        stream = "load-%d" % (i % 3)
        if i < 3:
            writer.create_log_stream(logGroupName="/zoo/app", logStreamName=stream)
            return
        messages = ["m%d-%d" % (i, j) for j in range(rng.randrange(1, 30))]
        now = int(time.time() * 1000)
        writer.put_log_events(logGroupName="/zoo/app", logStreamName=stream, logEvents=[
            {"timestamp": now, "message": m} for m in messages])
        acked.extend((stream, m) for m in messages)

    crash_under(server, [Load(step)], rng)
    server = tidepool_factory(durability="sync", data_dir=tmp_path / "zoo")
    logs = make_client(server.endpoint, "logs")
    group = logs.describe_log_groups(logGroupNamePrefix="/zoo/")["logGroups"][0]
    assert group["retentionInDays"] == 30
    assert logs.list_tags_log_group(logGroupName="/zoo/app")["tags"] == {"team": "zoo"}
    found = set()
    for page in logs.get_paginator("filter_log_events").paginate(logGroupName="/zoo/app"):
        found.update((e["logStreamName"], e["message"]) for e in page["events"])
    assert ("first", "zoo begins") in found
    missing = [a for a in acked if a not in found]
    assert not missing, "acknowledged events lost: %r" % missing[:5]
    # Writes go on after the restart, after what came back.
    streams = {s["logStreamName"] for s in logs.describe_log_streams(
        logGroupName="/zoo/app")["logStreams"]}
    assert "first" in streams
    logs.put_log_events(logGroupName="/zoo/app", logStreamName="first",
                        logEvents=[{"timestamp": int(time.time() * 1000), "message": "after"}])
    tail = logs.get_log_events(logGroupName="/zoo/app", logStreamName="first")["events"]
    assert [e["message"] for e in tail] == ["zoo begins", "after"]


# ----------------------------------------------------------------------------------- DynamoDB

def test_dynamodb_zoo_survives_kill_9(tidepool_factory, tmp_path):
    rng = seeded_rng("dynamodb zoo")
    server = tidepool_factory(durability="sync", data_dir=tmp_path / "zoo")
    ddb = make_client(server.endpoint, "dynamodb", connect_timeout=2, read_timeout=10)
    ddb.create_table(
        TableName="zoo",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": "sk", "AttributeType": "N"},
                              {"AttributeName": "g", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                   {"AttributeName": "sk", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[{"IndexName": "by-g",
                                 "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                 "Projection": {"ProjectionType": "ALL"}}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        Tags=[{"Key": "team", "Value": "zoo"}])
    ddb.get_waiter("table_exists").wait(TableName="zoo", WaiterConfig={"Delay": 0.1})
    ddb.put_item(TableName="zoo", Item={"pk": {"S": "a"}, "sk": {"N": "1"}, "g": {"S": "x"},
                                         "n": {"N": "12345678901234567890.123456789"}})
    ddb.transact_write_items(ClientRequestToken="zoo-token", TransactItems=[
        {"Put": {"TableName": "zoo", "Item": {"pk": {"S": "t"}, "sk": {"N": "1"}}}}])
    # Backups (and their items), point-in-time recovery and a Kinesis destination (table
    # metadata).
    ddb.create_backup(TableName="zoo", BackupName="first")
    ddb.update_continuous_backups(
        TableName="zoo", PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    kinesis = make_client(server.endpoint, "kinesis")
    kinesis.create_stream(StreamName="zoo-cdc", ShardCount=1)
    kinesis.get_waiter("stream_exists").wait(StreamName="zoo-cdc", WaiterConfig={"Delay": 0.1})
    cdc_arn = kinesis.describe_stream_summary(StreamName="zoo-cdc")[
        "StreamDescriptionSummary"]["StreamARN"]
    ddb.enable_kinesis_streaming_destination(TableName="zoo", StreamArn=cdc_arn)
    # The destination's stream goes away: change records wait in the durable outbox (their
    # puts keep failing) until it is back, after the restart.
    kinesis.delete_stream(StreamName="zoo-cdc")
    kinesis.get_waiter("stream_not_exists").wait(StreamName="zoo-cdc",
                                                 WaiterConfig={"Delay": 0.1})
    ddb.put_item(TableName="zoo", Item={"pk": {"S": "cdc"}, "sk": {"N": "0"}})
    check_census(server.endpoint, "dynamodb")

    acked = {}
    backups = []
    writer = make_client(server.endpoint, "dynamodb", connect_timeout=2, read_timeout=10)
    backer = make_client(server.endpoint, "dynamodb", connect_timeout=2, read_timeout=10)

    def write(i):
        key = "k%d" % rng.randrange(40)
        writer.put_item(TableName="zoo", Item={"pk": {"S": key}, "sk": {"N": str(i)},
                                                "g": {"S": "g%d" % (i % 3)}, "v": {"N": str(i)}})
        acked[(key, i)] = i

    def backup(i):
        details = backer.create_backup(TableName="zoo", BackupName="bk%d" % i)["BackupDetails"]
        backups.append(details["BackupArn"])

    crash_under(server, [Load(write), Load(backup)], rng)
    server = tidepool_factory(durability="sync", data_dir=tmp_path / "zoo")
    ddb = make_client(server.endpoint, "dynamodb")
    table = ddb.describe_table(TableName="zoo")["Table"]
    assert table["TableStatus"] == "ACTIVE"
    assert table["StreamSpecification"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    assert table["GlobalSecondaryIndexes"][0]["IndexName"] == "by-g"
    item = ddb.get_item(TableName="zoo", Key={"pk": {"S": "a"}, "sk": {"N": "1"}})["Item"]
    assert item["n"] == {"N": "12345678901234567890.123456789"}
    missing = [k for k in acked if "Item" not in ddb.get_item(
        TableName="zoo", Key={"pk": {"S": k[0]}, "sk": {"N": str(k[1])}}, ConsistentRead=True)]
    assert not missing, "%d of %d acknowledged items lost" % (len(missing), len(acked))
    # The GSI holds the items too, and the stream has a record for every acknowledged write.
    by_g = ddb.query(TableName="zoo", IndexName="by-g", Select="COUNT",
                     KeyConditionExpression="g = :g", ExpressionAttributeValues={":g": {"S": "x"}})
    assert by_g["Count"] == 1
    streams = make_client(server.endpoint, "dynamodbstreams")
    arn = table["LatestStreamArn"]
    shards = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
    keys = set()
    for shard in shards:
        it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"],
                                        ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        while it:
            out = streams.get_records(ShardIterator=it, Limit=1000)
            for r in out["Records"]:
                k = r["dynamodb"]["Keys"]
                keys.add((k["pk"]["S"], int(k["sk"]["N"])))
            if not out["Records"]:
                break
            it = out.get("NextShardIterator")
    assert not set(acked) - keys, "stream records lost for %d writes" % len(set(acked) - keys)
    for arn in backups:
        assert ddb.describe_backup(BackupArn=arn)["BackupDescription"]["BackupDetails"][
            "BackupStatus"] == "AVAILABLE"
    assert ddb.describe_continuous_backups(TableName="zoo")["ContinuousBackupsDescription"][
        "PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"
    assert ddb.describe_kinesis_streaming_destination(TableName="zoo")[
        "KinesisDataStreamDestinations"][0]["DestinationStatus"] == "ACTIVE"
    # The idempotency token still answers the same request without applying it again.
    ddb.transact_write_items(ClientRequestToken="zoo-token", TransactItems=[
        {"Put": {"TableName": "zoo", "Item": {"pk": {"S": "t"}, "sk": {"N": "1"}}}}])
    # The stream is back: every acknowledged write's change record reaches it from the outbox.
    kinesis = make_client(server.endpoint, "kinesis")
    kinesis.create_stream(StreamName="zoo-cdc", ShardCount=1)
    kinesis.get_waiter("stream_exists").wait(StreamName="zoo-cdc", WaiterConfig={"Delay": 0.1})
    shard = kinesis.list_shards(StreamName="zoo-cdc")["Shards"][0]["ShardId"]
    it = kinesis.get_shard_iterator(StreamName="zoo-cdc", ShardId=shard,
                                    ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    want = set(acked) | {("cdc", 0)}
    cdc = set()
    deadline = time.monotonic() + 60
    while want - cdc and time.monotonic() < deadline:
        out = kinesis.get_records(ShardIterator=it, Limit=10000)
        for r in out["Records"]:
            k = json.loads(r["Data"])["dynamodb"]["Keys"]
            cdc.add((k["pk"]["S"], int(k["sk"]["N"])))
        it = out["NextShardIterator"]
        if not out["Records"]:
            time.sleep(0.2)
    assert not want - cdc, "Kinesis change records lost for %d writes" % len(want - cdc)


# ----------------------------------------------------------------------------------------- S3

def test_s3_zoo_survives_kill_9(tidepool_factory, tmp_path):
    """Buckets, objects with bodies in the store and in files, a multipart upload with a part,
    a noncurrent version, an event notification its target keeps failing (it stays in the
    outbox); kill -9 during single and multipart uploads and notified puts: every
    acknowledged object comes back whole, every acknowledged put's event reaches its queue,
    and no body file is left that no record names."""
    import hashlib
    rng = seeded_rng("s3 zoo")
    data_dir = tmp_path / "zoo"
    server = tidepool_factory(durability="sync", data_dir=data_dir)
    s3 = make_client(server.endpoint, "s3", connect_timeout=2, read_timeout=30)
    sqs = make_client(server.endpoint, "sqs")
    sns = make_client(server.endpoint, "sns")
    s3.create_bucket(Bucket="zoo")
    s3.put_bucket_tagging(Bucket="zoo", Tagging={"TagSet": [{"Key": "k", "Value": "v"}]})
    s3.put_object(Bucket="zoo", Key="inline", Body=b"small body", Metadata={"m": "1"})
    big = os.urandom(1024 * 1024)
    s3.put_object(Bucket="zoo", Key="file", Body=big)
    upload = s3.create_multipart_upload(Bucket="zoo", Key="open")["UploadId"]
    s3.upload_part(Bucket="zoo", Key="open", UploadId=upload, PartNumber=1, Body=big)
    s3.create_bucket(Bucket="zoo-versions")
    s3.put_bucket_versioning(Bucket="zoo-versions",
                             VersioningConfiguration={"Status": "Enabled"})
    old_version = s3.put_object(Bucket="zoo-versions", Key="k", Body=big)["VersionId"]
    s3.put_object(Bucket="zoo-versions", Key="k", Body=b"new")
    # Events: "notify/" to a queue; "stuck/" to a FIFO topic, whose Publish without a group
    # fails every time, so its event stays in the outbox.
    events_url = sqs.create_queue(QueueName="zoo-s3-events")["QueueUrl"]
    stuck_topic = sns.create_topic(Name="zoo-s3.fifo",
                                   Attributes={"FifoTopic": "true"})["TopicArn"]
    s3.put_bucket_notification_configuration(Bucket="zoo", NotificationConfiguration={
        "QueueConfigurations": [{
            "QueueArn": queue_arn(sqs, events_url), "Events": ["s3:ObjectCreated:*"],
            "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "notify/"}]}}}],
        "TopicConfigurations": [{
            "TopicArn": stuck_topic, "Events": ["s3:ObjectCreated:*"],
            "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "stuck/"}]}}}]})
    s3.put_object(Bucket="zoo", Key="stuck/one", Body=b"x")
    check_census(server.endpoint, "s3")

    acked = {}  # key -> md5 of the acknowledged body
    lock = threading.Lock()
    writers = [make_client(server.endpoint, "s3", connect_timeout=2, read_timeout=30)
               for _ in range(3)]

    def put(i):
        size = rng.choice([10, 1000, 300 * 1024, 2 * 1024 * 1024])
        body = os.urandom(size)
        key = "single/%d" % rng.randrange(30)
        writers[0].put_object(Bucket="zoo", Key=key, Body=body)
        with lock:
            acked[key] = hashlib.md5(body).hexdigest()

    def multipart(i):
        key = "multi/%d" % i
        c = writers[1]
        uid = c.create_multipart_upload(Bucket="zoo", Key=key)["UploadId"]
        parts = []
        for n in (1, 2):
            body = os.urandom(5 * 1024 * 1024 if n == 1 else 1000)
            parts.append((body, c.upload_part(Bucket="zoo", Key=key, UploadId=uid,
                                              PartNumber=n, Body=body)["ETag"]))
        c.complete_multipart_upload(Bucket="zoo", Key=key, UploadId=uid, MultipartUpload={
            "Parts": [{"PartNumber": n + 1, "ETag": e} for n, (_, e) in enumerate(parts)]})
        with lock:
            acked[key] = hashlib.md5(b"".join(b for b, _ in parts)).hexdigest()

    def delete(i):
        key = "single/%d" % rng.randrange(30)
        with lock:
            acked.pop(key, None)  # a delete in flight: the key may or may not survive
        writers[2].delete_object(Bucket="zoo", Key=key)

    notified = set()  # keys of acknowledged notified puts
    notifier = make_client(server.endpoint, "s3", connect_timeout=2, read_timeout=30)

    def notified_put(i):
        key = "notify/%d" % i
        notifier.put_object(Bucket="zoo", Key=key, Body=b"n")
        notified.add(key)

    crash_under(server, [Load(put), Load(multipart), Load(delete), Load(notified_put)], rng)
    server = tidepool_factory(durability="sync", data_dir=data_dir)
    s3 = make_client(server.endpoint, "s3", read_timeout=60)
    sqs = make_client(server.endpoint, "sqs")
    # Every acknowledged put's event arrives (at least once: the outbox redelivers what the
    # crash cut off).
    arrived = set()
    deadline = time.monotonic() + 20
    while not notified <= arrived and time.monotonic() < deadline:
        for m in sqs.receive_message(QueueUrl=events_url, MaxNumberOfMessages=10,
                                     WaitTimeSeconds=1).get("Messages", []):
            for r in json.loads(m["Body"]).get("Records", []):
                arrived.add(r["s3"]["object"]["key"])
    assert notified <= arrived, "events lost: %s" % sorted(notified - arrived)
    versions = s3.list_object_versions(Bucket="zoo-versions")["Versions"]
    assert [(v["VersionId"] == old_version, v["IsLatest"]) for v in versions] == [
        (False, True), (True, False)]
    assert s3.get_object(Bucket="zoo-versions", Key="k",
                         VersionId=old_version)["Body"].read() == big
    assert s3.get_bucket_tagging(Bucket="zoo")["TagSet"] == [{"Key": "k", "Value": "v"}]
    assert s3.get_object(Bucket="zoo", Key="inline")["Metadata"] == {"m": "1"}
    assert s3.get_object(Bucket="zoo", Key="file")["Body"].read() == big
    parts = s3.list_parts(Bucket="zoo", Key="open", UploadId=upload)["Parts"]
    assert [p["PartNumber"] for p in parts] == [1]
    lost = []
    for key, md5 in acked.items():
        try:
            body = s3.get_object(Bucket="zoo", Key=key)["Body"].read()
        except botocore.exceptions.ClientError:
            if key.startswith("single/"):
                continue  # deleted by a delete acknowledged after the put
            raise
        if key.startswith("multi/") and hashlib.md5(body).hexdigest() != md5:
            lost.append(key)
    assert not lost, "acknowledged objects changed: %s" % lost
    # Every object reads back whole (its ETag is its MD5, or a multipart ETag and its size).
    objects = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket="zoo"):
        objects += page.get("Contents", [])
    for o in objects:
        body = s3.get_object(Bucket="zoo", Key=o["Key"])["Body"].read()
        assert len(body) == o["Size"]
        if "-" not in o["ETag"]:
            assert '"%s"' % hashlib.md5(body).hexdigest() == o["ETag"]
    # No body file that no record names: files = file-backed objects + parts of open uploads.
    open_parts = 0
    for u in s3.list_multipart_uploads(Bucket="zoo").get("Uploads", []):
        open_parts += len(s3.list_parts(Bucket="zoo", Key=u["Key"],
                                        UploadId=u["UploadId"]).get("Parts", []))
    files = os.listdir(data_dir / "s3" / "objects")
    file_backed = sum(1 for o in objects if o["Size"] > 256 * 1024) + 1  # + the old version
    assert len(files) == file_backed + open_parts, (len(files), file_backed, open_parts)
    assert os.listdir(data_dir / "s3" / "tmp") == []


# ------------------------------------------------------------------------------------- Lambda

LAMBDA_HANDLER = """
import time
def handler(event, context):
    if event.get("sleep"):
        time.sleep(event["sleep"])
    with open(event["path"], "a") as f:
        f.write(event["id"] + "\\n")
    return event["id"]
"""

# A durable function (DurableConfig) written against the wire protocol, as the Python durable
# SDK would: checkpoints one step with boto3, then answers SUCCEEDED with the step's result.
DURABLE_HANDLER = """
import boto3, json
def handler(event, context):
    state = event["InitialExecutionState"]["Operations"]
    given = json.loads(state[0]["ExecutionDetails"]["InputPayload"])
    boto3.client("lambda").checkpoint_durable_execution(
        DurableExecutionArn=event["DurableExecutionArn"],
        CheckpointToken=event["CheckpointToken"],
        Updates=[{"Id": "s1", "Type": "STEP", "Action": "START"},
                 {"Id": "s1", "Type": "STEP", "Action": "SUCCEED",
                  "Payload": json.dumps(given["id"])}])
    return {"Status": "SUCCEEDED", "Result": json.dumps(given["id"])}
"""

# An event source mapping's function: appends each Kinesis record's data to $ZOO_PATH.
STREAM_HANDLER = """
import base64, os
def handler(event, context):
    with open(os.environ["ZOO_PATH"], "a") as f:
        for r in event["Records"]:
            f.write(base64.b64decode(r["kinesis"]["data"]).decode() + "\\n")
"""



def test_lambda_zoo_survives_kill_9(tidepool_factory, tmp_path):
    rng = seeded_rng("lambda zoo")
    server = tidepool_factory(durability="sync", data_dir=tmp_path / "zoo")
    lam = make_client(server.endpoint, "lambda", connect_timeout=2, read_timeout=30)
    role = "arn:aws:iam::%s:role/zoo" % ACCOUNT
    for name in ("zoo-fn", "zoo-slow"):
        lam.create_function(FunctionName=name, Runtime="python3.12", Role=role,
                            Handler="app.handler", Timeout=30, Tags={"team": "zoo"},
                            Code={"ZipFile": zip_one("app.py", LAMBDA_HANDLER)})
        lam.get_waiter("function_active_v2").wait(FunctionName=name,
                                                  WaiterConfig={"Delay": 0.1, "MaxAttempts": 50})
    ran = tmp_path / "ran"
    # Event source mappings: a Kinesis one with stored positions (LATEST fixes them at
    # creation), and a disabled SQS one that must stay disabled.
    kinesis = make_client(server.endpoint, "kinesis", connect_timeout=2, read_timeout=10)
    sqs = make_client(server.endpoint, "sqs")
    kinesis.create_stream(StreamName="zoo-stream", ShardCount=2)
    wait_active(kinesis, "zoo-stream")
    stream = "arn:aws:kinesis:%s:%s:stream/zoo-stream" % (REGION, ACCOUNT)
    streamed = tmp_path / "streamed"
    lam.create_function(FunctionName="zoo-stream-fn", Runtime="python3.12", Role=role,
                        Handler="app.handler", Timeout=30,
                        Environment={"Variables": {"ZOO_PATH": str(streamed)}},
                        Code={"ZipFile": zip_one("app.py", STREAM_HANDLER)})
    lam.get_waiter("function_active_v2").wait(FunctionName="zoo-stream-fn",
                                              WaiterConfig={"Delay": 0.1, "MaxAttempts": 50})
    lam.create_event_source_mapping(
        EventSourceArn=stream, FunctionName="zoo-stream-fn", StartingPosition="LATEST",
        BatchSize=25,
        FilterCriteria={"Filters": [{"Pattern": '{"partitionKey": [{"anything-but": ["skip"]}]}'}]})
    # A filtered record gives the mapping a ledger run.
    kinesis.put_record(StreamName="zoo-stream", Data=b"skipped", PartitionKey="skip")
    wait_for(lambda: any(row["kind"] == "mapping-ledger" and row["records"] > 0
                         for row in store_census(server.endpoint)["kinds"]),
             timeout=20, what="the filtered record in the mapping's ledger")
    q = sqs.create_queue(QueueName="zoo-mapped")["QueueUrl"]
    disabled = lam.create_event_source_mapping(EventSourceArn=queue_arn(sqs, q),
                                               FunctionName="zoo-fn", Enabled=False)["UUID"]
    # Versions, an alias with routing, a layer version, a permission, an event invoke config
    # and a function URL: all in the function's records.
    layer = lam.publish_layer_version(
        LayerName="zoo-layer",
        Content={"ZipFile": zip_one("python/zoo_layer.py", "WORD = 'layered'\n")})
    lam.update_function_configuration(FunctionName="zoo-slow", Layers=[layer["LayerVersionArn"]])
    lam.publish_version(FunctionName="zoo-slow")
    lam.update_function_configuration(FunctionName="zoo-slow", Description="two")
    lam.publish_version(FunctionName="zoo-slow")
    lam.create_alias(FunctionName="zoo-slow", Name="live", FunctionVersion="1",
                     RoutingConfig={"AdditionalVersionWeights": {"2": 0.5}})
    lam.add_permission(FunctionName="zoo-slow", StatementId="zoo", Action="lambda:InvokeFunction",
                       Principal="sns.amazonaws.com")
    dest = sqs.create_queue(QueueName="zoo-destination")["QueueUrl"]
    lam.put_function_event_invoke_config(
        FunctionName="zoo-slow", MaximumRetryAttempts=1,
        DestinationConfig={"OnSuccess": {"Destination": queue_arn(sqs, dest)}})
    url = lam.create_function_url_config(FunctionName="zoo-slow", AuthType="NONE")["FunctionUrl"]
    # A durable execution (its operations and history in one record).
    lam.create_function(FunctionName="zoo-durable", Runtime="python3.12", Role=role,
                        Handler="app.handler", Timeout=30, DurableConfig={"ExecutionTimeout": 60},
                        Code={"ZipFile": zip_one("app.py", DURABLE_HANDLER)})
    durable = lam.invoke(FunctionName="zoo-durable", DurableExecutionName="zoo-run",
                         Payload=json.dumps({"id": "durable"}).encode())
    assert json.loads(durable["Payload"].read()) == "durable"
    provider = lam.create_capacity_provider(
        CapacityProviderName="zoo-provider",
        VpcConfig={"SubnetIds": ["subnet-0zoo"], "SecurityGroupIds": []},
        PermissionsConfig={"CapacityProviderOperatorRoleArn":
                           "arn:aws:iam::%s:role/zoo-operator" % ACCOUNT},
        Tags={"team": "zoo"})["CapacityProvider"]["CapacityProviderArn"]
    # An Event invocation still running at the kill: it stays queued and runs again after it.
    lam.invoke(FunctionName="zoo-slow", InvocationType="Event",
               Payload=json.dumps({"path": str(ran), "id": "slow", "sleep": 3}).encode())
    check_census(server.endpoint, "lambda")

    acked = []
    invoker = make_client(server.endpoint, "lambda", connect_timeout=2, read_timeout=10)

    def invoke(i):
        event_id = "load-%d" % i
        invoker.invoke(FunctionName="zoo-fn", InvocationType="Event",
                       Payload=json.dumps({"path": str(ran), "id": event_id}).encode())
        acked.append(event_id)

    put = []

    def put_record(i):
        record_id = "rec-%d" % i
        kinesis.put_record(StreamName="zoo-stream", Data=record_id.encode(), PartitionKey=str(i))
        put.append(record_id)

    published = []
    publisher = make_client(server.endpoint, "lambda", connect_timeout=2, read_timeout=10)

    def publish(i):
        publisher.update_function_configuration(FunctionName="zoo-fn", Description="d%d" % i)
        published.append(publisher.publish_version(FunctionName="zoo-fn")["Version"])

    crash_under(server, [Load(invoke), Load(put_record), Load(publish)], rng)
    server = tidepool_factory(durability="sync", data_dir=tmp_path / "zoo")
    lam = make_client(server.endpoint, "lambda", read_timeout=60)
    # Every acknowledged version is back, with its own configuration.
    for version in published:
        assert lam.get_function_configuration(FunctionName="zoo-fn", Qualifier=version)[
            "Version"] == version
    alias = lam.get_alias(FunctionName="zoo-slow", Name="live")
    assert alias["RoutingConfig"]["AdditionalVersionWeights"] == {"2": 0.5}
    assert lam.get_function_configuration(FunctionName="zoo-slow", Qualifier="2")[
        "Description"] == "two"
    assert lam.get_layer_version(LayerName="zoo-layer", VersionNumber=1)["Version"] == 1
    assert json.loads(lam.get_policy(FunctionName="zoo-slow")["Policy"])["Statement"][0][
        "Sid"] == "zoo"
    assert lam.get_function_event_invoke_config(FunctionName="zoo-slow")[
        "MaximumRetryAttempts"] == 1
    assert lam.get_function_url_config(FunctionName="zoo-slow")["FunctionUrl"] == url
    execution = lam.get_durable_execution(DurableExecutionArn=durable["DurableExecutionArn"])
    assert (execution["Status"], execution["Result"]) == ("SUCCEEDED", '"durable"')
    steps = [e for e in lam.get_durable_execution_history(
        DurableExecutionArn=durable["DurableExecutionArn"], IncludeExecutionData=True)["Events"]
        if e["EventType"] == "StepSucceeded"]
    assert steps[0]["StepSucceededDetails"]["Result"]["Payload"] == '"durable"'
    assert lam.get_capacity_provider(CapacityProviderName="zoo-provider")["CapacityProvider"][
        "State"] == "Active"
    assert lam.list_tags(Resource=provider)["Tags"] == {"team": "zoo"}
    conf = lam.get_function(FunctionName="zoo-fn")
    assert conf["Configuration"]["State"] == "Active"
    assert conf["Tags"] == {"team": "zoo"}
    sync = lam.invoke(FunctionName="zoo-fn",
                      Payload=json.dumps({"path": str(ran), "id": "sync"}).encode())
    assert json.loads(sync["Payload"].read()) == "sync"
    # Every accepted Event invocation runs (at least once), the interrupted one included.
    want = set(acked) | {"slow", "sync"}
    done = set()
    deadline = time.monotonic() + 60
    while not want <= done and time.monotonic() < deadline:
        done = set(ran.read_text().split()) if ran.exists() else set()
        time.sleep(0.1)
    assert not want - done, "%d accepted invocations never ran, e.g. %r" % (
        len(want - done), sorted(want - done)[:3])
    # The Kinesis mapping resumes from its stored positions: every acknowledged record reaches
    # the function (at least once), none is skipped; the disabled mapping stays disabled.
    assert lam.get_event_source_mapping(UUID=disabled)["State"] == "Disabled"
    seen = set()
    deadline = time.monotonic() + 60
    while not set(put) <= seen and time.monotonic() < deadline:
        seen = set(streamed.read_text().split()) if streamed.exists() else set()
        time.sleep(0.1)
    assert not set(put) - seen, "%d acknowledged records never reached the mapping, e.g. %r" % (
        len(set(put) - seen), sorted(set(put) - seen)[:3])


# --------------------------------------------------------------------------------- API Gateway

def test_apigateway_zoo_survives_kill_9(tidepool_factory, tmp_path):
    rng = seeded_rng("apigateway zoo")
    server = tidepool_factory(durability="sync", data_dir=tmp_path / "zoo")
    apigw = make_client(server.endpoint, "apigateway", connect_timeout=2, read_timeout=30)
    # A REST API (resources, methods, integrations, responses, a stage) and a deployment.
    api_id = build_mock_api(apigw, name="zoo-api")
    hello = [r for r in apigw.get_resources(restApiId=api_id)["items"] if r["path"] == "/hello"]
    apigw.update_method(restApiId=api_id, resourceId=hello[0]["id"], httpMethod="GET",
                        patchOperations=[{"op": "replace", "path": "/apiKeyRequired",
                                          "value": "true"}])
    apigw.create_deployment(restApiId=api_id, stageName="dev", variables={"v": "0"})
    # An API key in a usage plan.
    key = apigw.create_api_key(name="zoo-key", enabled=True)
    plan = apigw.create_usage_plan(name="zoo-plan", apiStages=[{"apiId": api_id, "stage": "dev"}],
                                   quota={"limit": 100000, "period": "MONTH"})
    apigw.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"], keyType="API_KEY")
    # A key whose plan's daily quota (3) is used up before the kill: usage counts are durable.
    capped = apigw.create_api_key(name="zoo-capped", enabled=True)
    capped_plan = apigw.create_usage_plan(name="zoo-capped",
                                          apiStages=[{"apiId": api_id, "stage": "dev"}],
                                          quota={"limit": 3, "period": "DAY"})
    apigw.create_usage_plan_key(usagePlanId=capped_plan["id"], keyId=capped["id"],
                                keyType="API_KEY")
    path = invoke_path(api_id, "dev", "/hello")
    for _ in range(3):
        assert request(server.endpoint, "GET", path, headers={"x-api-key": capped["value"]})[0] \
            == 200
    assert request(server.endpoint, "GET", path, headers={"x-api-key": capped["value"]})[0] == 429
    # An HTTP API (apigatewayv2), quick-created.
    v2 = make_client(server.endpoint, "apigatewayv2", connect_timeout=2, read_timeout=30)
    http_api = v2.create_api(Name="zoo-http", ProtocolType="HTTP",
                             Target="arn:aws:lambda:%s:%s:function:zoo-none" % (REGION, ACCOUNT),
                             CorsConfiguration={"AllowOrigins": ["https://zoo.example"]})
    # Its authorizers live in the API's record ('h').
    http_auth = v2.create_authorizer(
        ApiId=http_api["ApiId"], Name="zoo-auth", AuthorizerType="REQUEST",
        AuthorizerUri="arn:aws:lambda:%s:%s:function:zoo-none" % (REGION, ACCOUNT),
        AuthorizerPayloadFormatVersion="2.0", EnableSimpleResponses=True,
        IdentitySource=["$request.header.X-Zoo"])
    zoo_domain = build_apigateway_zoo_extras(apigw, api_id)
    check_census(server.endpoint, "apigateway")

    acked_keys, acked_vars = [], []
    writer = make_client(server.endpoint, "apigateway", connect_timeout=2, read_timeout=10)
    stager = make_client(server.endpoint, "apigateway", connect_timeout=2, read_timeout=10)

    def create_key(i):
        k = writer.create_api_key(name="load-%d" % i, enabled=True)
        acked_keys.append(k["id"])

    def update_stage(i):
        stager.update_stage(restApiId=api_id, stageName="dev", patchOperations=[
            {"op": "replace", "path": "/variables/v", "value": str(i)}])
        acked_vars.append(i)

    served, attempted = [], []

    def invoke(i):
        attempted.append(i)
        try:
            status = request(server.endpoint, "GET", path, headers={"x-api-key": key["value"]})[0]
        except (OSError, http.client.HTTPException) as e:
            raise botocore.exceptions.EndpointConnectionError(endpoint_url=str(e))
        if status == 200:
            served.append(i)

    crash_under(server, [Load(create_key), Load(update_stage), Load(invoke)], rng)
    server = tidepool_factory(durability="sync", data_dir=tmp_path / "zoo")
    apigw = make_client(server.endpoint, "apigateway", read_timeout=30)
    assert apigw.get_rest_api(restApiId=api_id)["name"] == "zoo-api"
    paths = {r["path"] for r in apigw.get_resources(restApiId=api_id)["items"]}
    assert paths == {"/", "/hello"}
    stage = apigw.get_stage(restApiId=api_id, stageName="dev")
    assert int(stage["variables"]["v"]) >= max(acked_vars)
    assert len(apigw.get_deployments(restApiId=api_id)["items"]) == 2
    names = {k["id"] for page in apigw.get_paginator("get_api_keys").paginate()
             for k in page["items"]}
    assert set(acked_keys) <= names, "%d acknowledged keys lost" % len(set(acked_keys) - names)
    assert [k["id"] for k in apigw.get_usage_plan_keys(usagePlanId=plan["id"])["items"]] == \
        [key["id"]]
    v2 = make_client(server.endpoint, "apigatewayv2", read_timeout=30)
    assert v2.get_api(ApiId=http_api["ApiId"])["Name"] == "zoo-http"
    assert [r["RouteKey"] for r in v2.get_routes(ApiId=http_api["ApiId"])["Items"]] == \
        ["$default"]
    assert v2.get_authorizer(ApiId=http_api["ApiId"], AuthorizerId=http_auth["AuthorizerId"])[
        "Name"] == "zoo-auth"
    assert v2.get_api(ApiId=http_api["ApiId"])["CorsConfiguration"] == \
        {"AllowOrigins": ["https://zoo.example"]}
    # Every request answered 200 was counted durably (the one in flight at the kill may be too).
    today = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d")
    usage = apigw.get_usage(usagePlanId=plan["id"], keyId=key["id"], startDate=today,
                            endDate=today)["items"][key["id"]][0]
    assert len(served) <= usage[0] <= len(attempted), (len(served), usage, len(attempted))
    assert usage[1] == 100000 - usage[0]
    assert request(server.endpoint, "GET", path, headers={"x-api-key": capped["value"]})[0] == 429
    capped_usage = apigw.get_usage(usagePlanId=capped_plan["id"], startDate=today,
                                   endDate=today)["items"][capped["id"]]
    assert capped_usage == [[3, 0]]
    # The API still answers: the key is checked against the recovered plan.
    assert request(server.endpoint, "GET", path)[0] == 403
    status, _, body = request(server.endpoint, "GET", path, headers={"x-api-key": key["value"]})
    assert status == 200 and json.loads(body) == {"hello": "world"}
    check_apigateway_zoo_extras(apigw, server.endpoint, zoo_domain)


# ------------------------------------------------------------------------------------ IAM / STS

IAM_TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
     "Action": "sts:AssumeRole"}]})
IAM_LOGS = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "logs:*", "Resource": "*"}]})
IAM_BASIC = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"


def test_iam_zoo_survives_kill_9(tidepool_factory, tmp_path):
    rng = seeded_rng("iam zoo")
    server = tidepool_factory(durability="sync", data_dir=tmp_path / "zoo")
    iam = make_client(server.endpoint, "iam", connect_timeout=2, read_timeout=30)
    sts = make_client(server.endpoint, "sts", connect_timeout=2, read_timeout=30)
    # A role with an attached AWS managed policy, an attached customer policy (two versions)
    # and an inline policy; an instance profile holding it; a user in a group with an access
    # key; and STS credentials.
    role = iam.create_role(RoleName="zoo-role", AssumeRolePolicyDocument=IAM_TRUST,
                           Tags=[{"Key": "zoo", "Value": "1"}])["Role"]
    iam.attach_role_policy(RoleName="zoo-role", PolicyArn=IAM_BASIC)
    policy = iam.create_policy(PolicyName="zoo-policy", PolicyDocument=IAM_LOGS)["Policy"]
    iam.create_policy_version(PolicyArn=policy["Arn"], PolicyDocument=IAM_LOGS, SetAsDefault=True)
    iam.attach_role_policy(RoleName="zoo-role", PolicyArn=policy["Arn"])
    iam.put_role_policy(RoleName="zoo-role", PolicyName="inline", PolicyDocument=IAM_LOGS)
    iam.create_instance_profile(InstanceProfileName="zoo-profile")
    iam.add_role_to_instance_profile(InstanceProfileName="zoo-profile", RoleName="zoo-role")
    iam.create_user(UserName="zoo-user")
    iam.create_group(GroupName="zoo-group")
    iam.add_user_to_group(GroupName="zoo-group", UserName="zoo-user")
    key = iam.create_access_key(UserName="zoo-user")["AccessKey"]
    session = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="zoo")["Credentials"]
    check_census(server.endpoint, "iam")

    acked_roles, acked_sessions = [], []
    writer = make_client(server.endpoint, "iam", connect_timeout=2, read_timeout=10)
    assumer = make_client(server.endpoint, "sts", connect_timeout=2, read_timeout=10)

    def create_role(i):
        writer.create_role(RoleName="load-%d" % i, AssumeRolePolicyDocument=IAM_TRUST)
        writer.attach_role_policy(RoleName="load-%d" % i, PolicyArn=IAM_BASIC)
        acked_roles.append("load-%d" % i)

    def assume(i):
        creds = assumer.assume_role(RoleArn=role["Arn"], RoleSessionName="load-%d" % i)
        acked_sessions.append(creds["Credentials"])

    crash_under(server, [Load(create_role), Load(assume)], rng)
    server = tidepool_factory(durability="sync", data_dir=tmp_path / "zoo")
    iam = make_client(server.endpoint, "iam", read_timeout=30)
    got = iam.get_role(RoleName="zoo-role")["Role"]
    assert got["RoleId"] == role["RoleId"] and got["Tags"] == [{"Key": "zoo", "Value": "1"}]
    attached = {p["PolicyArn"] for p in
                iam.list_attached_role_policies(RoleName="zoo-role")["AttachedPolicies"]}
    assert attached == {IAM_BASIC, policy["Arn"]}
    assert iam.get_policy(PolicyArn=policy["Arn"])["Policy"]["DefaultVersionId"] == "v2"
    assert iam.list_role_policies(RoleName="zoo-role")["PolicyNames"] == ["inline"]
    profile = iam.get_instance_profile(InstanceProfileName="zoo-profile")["InstanceProfile"]
    assert [r["RoleName"] for r in profile["Roles"]] == ["zoo-role"]
    assert [u["UserName"] for u in iam.get_group(GroupName="zoo-group")["Users"]] == ["zoo-user"]
    names = {r["RoleName"] for page in iam.get_paginator("list_roles").paginate()
             for r in page["Roles"]}
    assert set(acked_roles) <= names, "%d acknowledged roles lost" % len(set(acked_roles) - names)
    for name in acked_roles:
        attached = iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]
        assert [p["PolicyArn"] for p in attached] == [IAM_BASIC]
    # The recovered credentials still sign requests and name their identities.
    as_user = make_client(server.endpoint, "sts", access_key=key["AccessKeyId"],
                          secret_key=key["SecretAccessKey"])
    assert as_user.get_caller_identity()["Arn"].endswith(":user/zoo-user")
    import boto3
    from harness import client_config
    for creds in [session] + acked_sessions[-3:]:
        client = boto3.client("sts", endpoint_url=server.endpoint, region_name=REGION,
                              aws_access_key_id=creds["AccessKeyId"],
                              aws_secret_access_key=creds["SecretAccessKey"],
                              aws_session_token=creds["SessionToken"], config=client_config())
        assert ":assumed-role/zoo-role/" in client.get_caller_identity()["Arn"]
    census = {(row["service"], row["kind"]): row["records"]
              for row in store_census(server.endpoint)["kinds"]}
    assert census[("iam", "sts-session")] >= 1 + len(acked_sessions)


# ------------------------------------------------------- API Gateway: account and domain names

ZOO_ROLE = "arn:aws:iam::%s:role/zoo-apigw-logs" % ACCOUNT


def build_apigateway_zoo_extras(apigw, api_id):
    """Account settings ('c'), a custom domain name with a base path mapping ('n'), VPC
    links of both APIs ('l', 'v'), a client certificate ('x'), and documentation parts and a
    version (in the API's record)."""
    cert = apigw.generate_client_certificate(description="zoo-cert", tags={"zoo": "x"})
    apigw.update_stage(restApiId=api_id, stageName="dev", patchOperations=[
        {"op": "replace", "path": "/clientCertificateId", "value": cert["clientCertificateId"]}])
    apigw.create_documentation_part(restApiId=api_id, location={"type": "API"},
                                    properties='{"description": "zoo docs"}')
    apigw.create_documentation_version(restApiId=api_id, documentationVersion="zoo-1",
                                       stageName="dev")
    apigw.create_vpc_link(name="zoo-link", targetArns=[
        "arn:aws:elasticloadbalancing:%s:%s:loadbalancer/net/zoo/0123abcd" % (REGION, ACCOUNT)])
    v2 = make_client(apigw.meta.endpoint_url, "apigatewayv2", connect_timeout=2, read_timeout=30)
    v2.create_vpc_link(Name="zoo-v2-link", SubnetIds=["subnet-zoo"])
    apigw.update_account(patchOperations=[
        {"op": "replace", "path": "/cloudwatchRoleArn", "value": ZOO_ROLE}])
    domain = apigw.create_domain_name(
        domainName="zoo.example.com", endpointConfiguration={"types": ["REGIONAL"]},
        regionalCertificateArn="arn:aws:acm:%s:%s:certificate/zoo" % (REGION, ACCOUNT))
    apigw.create_base_path_mapping(domainName="zoo.example.com", basePath="zoo",
                                   restApiId=api_id, stage="dev")
    return domain


def domain_api(apigw):
    """The REST API the zoo's base path mapping names."""
    return apigw.get_base_path_mapping(domainName="zoo.example.com", basePath="zoo")["restApiId"]


def check_apigateway_zoo_extras(apigw, endpoint, domain):
    assert apigw.get_account()["cloudwatchRoleArn"] == ZOO_ROLE
    certs = apigw.get_client_certificates()["items"]
    assert [(c["description"], c["tags"]) for c in certs] == [("zoo-cert", {"zoo": "x"})]
    assert certs[0]["pemEncodedCertificate"].startswith("-----BEGIN CERTIFICATE-----")
    api_id = domain_api(apigw)
    stage = apigw.get_stage(restApiId=api_id, stageName="dev")
    assert stage["clientCertificateId"] == certs[0]["clientCertificateId"]
    assert stage["documentationVersion"] == "zoo-1"
    assert [p["properties"] for p in
            apigw.get_documentation_parts(restApiId=api_id)["items"]] == \
        ['{"description": "zoo docs"}']
    assert apigw.get_documentation_version(restApiId=api_id,
                                           documentationVersion="zoo-1")["version"] == "zoo-1"
    assert [(link["name"], link["status"]) for link in apigw.get_vpc_links()["items"]] == \
        [("zoo-link", "AVAILABLE")]
    v2 = make_client(endpoint, "apigatewayv2", read_timeout=30)
    assert [link["Name"] for link in v2.get_vpc_links()["Items"]] == ["zoo-v2-link"]
    assert apigw.get_domain_name(domainName="zoo.example.com")["regionalDomainName"] == \
        domain["regionalDomainName"]
    port = int(endpoint.rsplit(":", 1)[1])
    # The recovered mapping routes (GET /hello needs an API key: Forbidden, not an unknown host).
    status, _, body = request(endpoint, "GET", "/zoo/hello", host="zoo.example.com:%d" % port)
    assert (status, json.loads(body)) == (403, {"message": "Forbidden"})
    status, _, body = request(endpoint, "GET", "/zoo/nothing-here",
                              host="zoo.example.com:%d" % port)
    assert (status, json.loads(body)) == (403, {"message": "Missing Authentication Token"})


# ------------------------------------------------------------------------------ CloudFormation

CFN_ZOO = {
    "Resources": {
        "Queue": {"Type": "AWS::SQS::Queue", "Properties": {"VisibilityTimeout": 40}},
        "Table": {"Type": "AWS::DynamoDB::Table", "Properties": {
            "AttributeDefinitions": [{"AttributeName": "k", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "k", "KeyType": "HASH"}],
            "BillingMode": "PAY_PER_REQUEST"}},
    },
    "Outputs": {"Url": {"Value": {"Ref": "Queue"}, "Export": {"Name": "zoo-url"}}},
}


def wait_stack_terminal(cfn, stack_id, timeout=60):
    deadline = time.monotonic() + timeout
    while True:
        stack = cfn.describe_stacks(StackName=stack_id)["Stacks"][0]
        if not stack["StackStatus"].endswith("_IN_PROGRESS"):
            return stack
        assert time.monotonic() < deadline, "stack %s stuck in %s" % (stack_id,
                                                                      stack["StackStatus"])
        time.sleep(0.1)


def test_cloudformation_zoo_survives_kill_9(tidepool_factory, tmp_path):
    rng = seeded_rng("cloudformation zoo")
    server = tidepool_factory(durability="sync", data_dir=tmp_path / "zoo")
    cfn = make_client(server.endpoint, "cloudformation", connect_timeout=2, read_timeout=30)
    # A stack (its resources, events, outputs and an export) with a change set pending.
    zoo_id = cfn.create_stack(StackName="zoo", TemplateBody=json.dumps(CFN_ZOO))["StackId"]
    zoo = wait_stack_terminal(cfn, zoo_id)
    assert zoo["StackStatus"] == "CREATE_COMPLETE"
    changed = json.loads(json.dumps(CFN_ZOO))
    changed["Resources"]["Queue"]["Properties"]["VisibilityTimeout"] = 50
    cfn.create_change_set(StackName="zoo", ChangeSetName="pending",
                          TemplateBody=json.dumps(changed))
    check_census(server.endpoint, "cloudformation")

    acked = []
    writer = make_client(server.endpoint, "cloudformation", connect_timeout=2, read_timeout=10)
    template = json.dumps({"Resources": {
        "Q": {"Type": "AWS::SQS::Queue"},
        "H": {"Type": "AWS::CloudFormation::WaitConditionHandle", "DependsOn": "Q"}}})

    def create(i):
        acked.append(writer.create_stack(StackName="load-%d" % i,
                                         TemplateBody=template)["StackId"])

    crash_under(server, [Load(create)], rng)
    server = tidepool_factory(durability="sync", data_dir=tmp_path / "zoo")
    cfn = make_client(server.endpoint, "cloudformation", read_timeout=30)
    sqs = make_client(server.endpoint, "sqs", read_timeout=30)
    got = cfn.describe_stacks(StackName="zoo")["Stacks"][0]
    assert got["StackId"] == zoo_id and got["StackStatus"] == "CREATE_COMPLETE"
    assert got["Outputs"] == zoo["Outputs"]
    assert [e["Name"] for e in cfn.list_exports()["Exports"]] == ["zoo-url"]
    assert cfn.describe_change_set(StackName="zoo", ChangeSetName="pending")[
        "ExecutionStatus"] == "AVAILABLE"
    # Every acknowledged stack is there and reaches a terminal status: finished, or (when the
    # kill interrupted it) rolled back with nothing left behind but its record.
    # (By name: this restart listens on another port, and queue URLs name the port.)
    queues = {u.rsplit("/", 1)[1] for u in sqs.list_queues().get("QueueUrls", [])}
    for stack_id in acked:
        stack = wait_stack_terminal(cfn, stack_id)
        assert stack["StackStatus"] in ("CREATE_COMPLETE", "ROLLBACK_COMPLETE"), stack
        resources = cfn.describe_stack_resources(StackName=stack_id)["StackResources"]
        q = [r for r in resources if r["LogicalResourceId"] == "Q"]
        if stack["StackStatus"] == "CREATE_COMPLETE":
            assert q[0]["PhysicalResourceId"].rsplit("/", 1)[1] in queues
    cfn.execute_change_set(StackName="zoo", ChangeSetName="pending")
    assert wait_stack_terminal(cfn, zoo_id)["StackStatus"] == "UPDATE_COMPLETE"
