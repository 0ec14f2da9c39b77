"""SQS over AWS JSON 1.0 with boto3 (retries off): queue lifecycle, messages, batches,
visibility, long polling, delays, FIFO, redrive and move tasks, purge, tags, errors.

botocore itself checks MD5OfMessageBody / MD5OfMessageAttributes of SendMessage,
SendMessageBatch and ReceiveMessage replies (it raises ChecksumError on a mismatch), so every
send/receive with attributes below also checks the server's MD5s.
"""

import json
import threading
import time

import pytest

from harness import make_client
from sqs_helpers import expect_error, queue_arn, receive_all, wait_move_task

MISSING = "AWS.SimpleQueueService.NonExistentQueue"


@pytest.fixture
def sqs(endpoint):
    return make_client(endpoint, "sqs")


@pytest.fixture
def sqs_unvalidated(endpoint):
    return make_client(endpoint, "sqs", parameter_validation=False)


def test_queue_lifecycle_and_list_prefix(sqs):
    urls = {n: sqs.create_queue(QueueName=n)["QueueUrl"] for n in ("alpha-1", "alpha-2", "beta")}
    for name, url in urls.items():
        assert url.endswith("/" + name)
        assert sqs.get_queue_url(QueueName=name)["QueueUrl"] == url
    assert sorted(sqs.list_queues()["QueueUrls"]) == sorted(urls.values())
    assert sorted(sqs.list_queues(QueueNamePrefix="alpha")["QueueUrls"]) == sorted(
        [urls["alpha-1"], urls["alpha-2"]])
    assert "QueueUrls" not in sqs.list_queues(QueueNamePrefix="zzz") or \
        sqs.list_queues(QueueNamePrefix="zzz")["QueueUrls"] == []
    sqs.delete_queue(QueueUrl=urls["beta"])
    assert sorted(sqs.list_queues()["QueueUrls"]) == sorted([urls["alpha-1"], urls["alpha-2"]])
    expect_error(sqs.get_queue_url, MISSING, QueueName="beta")


def test_create_queue_idempotent_vs_already_exists(sqs):
    url = sqs.create_queue(QueueName="q", Attributes={"VisibilityTimeout": "40"})["QueueUrl"]
    assert sqs.create_queue(QueueName="q", Attributes={"VisibilityTimeout": "40"})[
        "QueueUrl"] == url
    err = expect_error(sqs.create_queue, "QueueAlreadyExists", QueueName="q",
                       Attributes={"VisibilityTimeout": "41"})
    assert err["Error"]["Message"]
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attrs["VisibilityTimeout"] == "40"
    assert attrs["QueueArn"] == "arn:aws:sqs:us-east-1:000000000000:q"


def test_send_receive_delete_with_md5s(sqs):
    url = sqs.create_queue(QueueName="md5")["QueueUrl"]
    attrs = {"s": {"DataType": "String", "StringValue": "héllo"},
             "n": {"DataType": "Number", "StringValue": "42"},
             "b": {"DataType": "Binary", "BinaryValue": b"\x00\x01\xff"},
             "c": {"DataType": "String.custom", "StringValue": "x"}}
    sent = sqs.send_message(QueueUrl=url, MessageBody="body ünïcode", MessageAttributes=attrs)
    assert sent["MD5OfMessageBody"] and sent["MD5OfMessageAttributes"] and sent["MessageId"]
    resp = sqs.receive_message(QueueUrl=url, MessageAttributeNames=["All"],
                               AttributeNames=["All"], WaitTimeSeconds=1)
    [msg] = resp["Messages"]
    assert msg["Body"] == "body ünïcode"
    assert msg["MessageId"] == sent["MessageId"]
    assert msg["MD5OfBody"] == sent["MD5OfMessageBody"]
    assert msg["MD5OfMessageAttributes"] == sent["MD5OfMessageAttributes"]
    assert msg["MessageAttributes"]["b"]["BinaryValue"] == b"\x00\x01\xff"
    assert msg["MessageAttributes"]["n"]["StringValue"] == "42"
    assert msg["Attributes"]["ApproximateReceiveCount"] == "1"
    sqs.delete_message(QueueUrl=url, ReceiptHandle=msg["ReceiptHandle"])
    assert "Messages" not in sqs.receive_message(QueueUrl=url, WaitTimeSeconds=0)


def test_batches_per_entry_results(sqs, sqs_unvalidated):
    url = sqs.create_queue(QueueName="batch")["QueueUrl"]
    resp = sqs.send_message_batch(QueueUrl=url, Entries=[
        {"Id": "a", "MessageBody": "one"},
        {"Id": "b", "MessageBody": "two",
         "MessageAttributes": {"k": {"DataType": "String", "StringValue": "v"}}},
        {"Id": "c", "MessageBody": "three", "DelaySeconds": 1000},  # invalid delay
    ])
    assert sorted(e["Id"] for e in resp["Successful"]) == ["a", "b"]
    [failed] = resp["Failed"]
    assert failed["Id"] == "c" and failed["SenderFault"] is True and failed["Code"]
    msgs = receive_all(sqs, url, 2)
    assert sorted(m["Body"] for m in msgs) == ["one", "two"]
    handles = {m["Body"]: m["ReceiptHandle"] for m in msgs}

    vis = sqs.change_message_visibility_batch(QueueUrl=url, Entries=[
        {"Id": "x", "ReceiptHandle": handles["one"], "VisibilityTimeout": 0},
        {"Id": "y", "ReceiptHandle": "not-a-handle", "VisibilityTimeout": 0}])
    assert [e["Id"] for e in vis["Successful"]] == ["x"]
    assert [e["Id"] for e in vis["Failed"]] == ["y"]
    assert vis["Failed"][0]["Code"] == "ReceiptHandleIsInvalid"

    again = receive_all(sqs, url, 1)
    assert [m["Body"] for m in again] == ["one"]
    dele = sqs.delete_message_batch(QueueUrl=url, Entries=[
        {"Id": "d1", "ReceiptHandle": again[0]["ReceiptHandle"]},
        {"Id": "d2", "ReceiptHandle": handles["two"]},
        {"Id": "d3", "ReceiptHandle": "garbage"}])
    assert sorted(e["Id"] for e in dele["Successful"]) == ["d1", "d2"]
    assert [e["Id"] for e in dele["Failed"]] == ["d3"]
    assert dele["Failed"][0]["Code"] == "ReceiptHandleIsInvalid"

    expect_error(sqs_unvalidated.send_message_batch, "AWS.SimpleQueueService.EmptyBatchRequest",
                 QueueUrl=url, Entries=[])
    expect_error(sqs_unvalidated.delete_message_batch,
                 "AWS.SimpleQueueService.EmptyBatchRequest", QueueUrl=url, Entries=[])
    expect_error(sqs.send_message_batch, "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
                 QueueUrl=url, Entries=[{"Id": "a", "MessageBody": "1"},
                                        {"Id": "a", "MessageBody": "2"}])


def test_visibility_timeout_reappears(sqs):
    url = sqs.create_queue(QueueName="vis", Attributes={"VisibilityTimeout": "1"})["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="m")
    first = sqs.receive_message(QueueUrl=url, AttributeNames=["All"])["Messages"]
    assert first[0]["Attributes"]["ApproximateReceiveCount"] == "1"
    assert "Messages" not in sqs.receive_message(QueueUrl=url)
    time.sleep(1.2)
    second = receive_all(sqs, url, 1, AttributeNames=["All"])
    assert [m["Body"] for m in second] == ["m"]
    assert second[0]["Attributes"]["ApproximateReceiveCount"] == "2"
    sqs.delete_message(QueueUrl=url, ReceiptHandle=second[0]["ReceiptHandle"])
    time.sleep(1.2)
    assert "Messages" not in sqs.receive_message(QueueUrl=url)


def test_visibility_capped_at_twelve_hours_from_receive(sqs):
    url = sqs.create_queue(QueueName="vis-cap")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="m")
    handle = sqs.receive_message(QueueUrl=url, VisibilityTimeout=60)["Messages"][0][
        "ReceiptHandle"]
    time.sleep(1.1)
    err = expect_error(sqs.change_message_visibility, "InvalidParameterValue", QueueUrl=url,
                       ReceiptHandle=handle, VisibilityTimeout=43200)
    assert err["Error"]["Message"] == (
        "Value 43200 for parameter VisibilityTimeout is invalid. Reason: Total "
        "VisibilityTimeout for the message is beyond the limit [43200 seconds]")
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=handle, VisibilityTimeout=43000)


def test_long_poll_woken_by_send(sqs, endpoint):
    url = sqs.create_queue(QueueName="lp")["QueueUrl"]
    other = make_client(endpoint, "sqs")
    result = {}

    def poll():
        result["resp"] = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=10)

    t = threading.Thread(target=poll)
    t.start()
    time.sleep(0.5)
    other.send_message(QueueUrl=url, MessageBody="wake")
    t.join(20)
    assert not t.is_alive()
    assert [m["Body"] for m in result["resp"].get("Messages", [])] == ["wake"]


def test_long_poll_gets_delayed_message_when_its_delay_ends(sqs, endpoint):
    # As on AWS: a waiting poll returns a delayed message once it is visible, not when the
    # poll's 20 s wait is over.
    url = sqs.create_queue(QueueName="lp-delay")["QueueUrl"]
    other = make_client(endpoint, "sqs")
    result = {}

    def poll():
        start = time.monotonic()
        result["resp"] = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=20)
        result["took"] = time.monotonic() - start

    t = threading.Thread(target=poll)
    t.start()
    time.sleep(0.5)
    other.send_message(QueueUrl=url, MessageBody="soon", DelaySeconds=1)
    t.join(30)
    assert not t.is_alive()
    assert [m["Body"] for m in result["resp"].get("Messages", [])] == ["soon"]
    assert result["took"] < 15, result["took"]


def test_delay_seconds(sqs):
    url = sqs.create_queue(QueueName="delay")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="later", DelaySeconds=2)
    assert "Messages" not in sqs.receive_message(QueueUrl=url)
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attrs["ApproximateNumberOfMessagesDelayed"] == "1"
    assert [m["Body"] for m in receive_all(sqs, url, 1, timeout=6)] == ["later"]


def test_fifo_order_group_lock_and_dedup(sqs):
    url = sqs.create_queue(QueueName="f.fifo", Attributes={
        "FifoQueue": "true", "VisibilityTimeout": "30"})["QueueUrl"]
    for i in range(3):
        sqs.send_message(QueueUrl=url, MessageBody="g1-%d" % i, MessageGroupId="g1",
                         MessageDeduplicationId="d1-%d" % i)
    sqs.send_message(QueueUrl=url, MessageBody="g2-0", MessageGroupId="g2",
                     MessageDeduplicationId="d2-0")
    # Duplicate id within 5 minutes: accepted, not enqueued again, same MessageId.
    a = sqs.send_message(QueueUrl=url, MessageBody="dup", MessageGroupId="g3",
                         MessageDeduplicationId="same")
    b = sqs.send_message(QueueUrl=url, MessageBody="dup", MessageGroupId="g3",
                         MessageDeduplicationId="same")
    assert a["MessageId"] == b["MessageId"] and "SequenceNumber" in a

    first = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1,
                                AttributeNames=["All"])["Messages"]
    assert first[0]["Body"] == "g1-0"
    assert first[0]["Attributes"]["MessageGroupId"] == "g1"
    # g1 is locked while g1-0 is in flight: nothing more from g1.
    rest = receive_all(sqs, url, 5, timeout=2)
    bodies = [m["Body"] for m in rest]
    assert sorted(bodies) == ["dup", "g2-0"], bodies
    sqs.delete_message(QueueUrl=url, ReceiptHandle=first[0]["ReceiptHandle"])
    nxt = receive_all(sqs, url, 2, timeout=3)
    assert [m["Body"] for m in nxt] == ["g1-1", "g1-2"]

    # Missing group id is an error on a FIFO queue.
    expect_error(sqs.send_message, "MissingParameter", QueueUrl=url, MessageBody="x")


def test_fifo_content_based_dedup(sqs):
    url = sqs.create_queue(QueueName="cbd.fifo", Attributes={
        "FifoQueue": "true", "ContentBasedDeduplication": "true"})["QueueUrl"]
    a = sqs.send_message(QueueUrl=url, MessageBody="same body", MessageGroupId="g")
    b = sqs.send_message(QueueUrl=url, MessageBody="same body", MessageGroupId="g")
    c = sqs.send_message(QueueUrl=url, MessageBody="other body", MessageGroupId="g")
    assert a["MessageId"] == b["MessageId"] != c["MessageId"]
    msgs = receive_all(sqs, url, 3, timeout=2)
    assert [m["Body"] for m in msgs] == ["same body", "other body"]
    # Without content-based dedup a FIFO send needs a dedup id.
    plain = sqs.create_queue(QueueName="plain.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    expect_error(sqs.send_message, "InvalidParameterValue", QueueUrl=plain, MessageBody="x",
                 MessageGroupId="g")


def test_redrive_to_dlq_and_move_back(sqs):
    dlq = sqs.create_queue(QueueName="dlq")["QueueUrl"]
    dlq_arn = queue_arn(sqs, dlq)
    src = sqs.create_queue(QueueName="src", Attributes={
        "VisibilityTimeout": "1",
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 2})})[
        "QueueUrl"]
    src_arn = queue_arn(sqs, src)
    sqs.send_message(QueueUrl=src, MessageBody="poison")
    for _ in range(2):
        assert [m["Body"] for m in receive_all(sqs, src, 1, timeout=4,
                                               VisibilityTimeout=1)] == ["poison"]
        time.sleep(1.1)
    # The third receive moves it to the DLQ instead of returning it.
    assert receive_all(sqs, src, 1, timeout=2) == []
    assert sqs.list_dead_letter_source_queues(QueueUrl=dlq)["queueUrls"] == [src]
    in_dlq = receive_all(sqs, dlq, 1, VisibilityTimeout=0)
    assert [m["Body"] for m in in_dlq] == ["poison"]

    task = sqs.start_message_move_task(SourceArn=dlq_arn)
    assert task["TaskHandle"]
    done = wait_move_task(sqs, dlq_arn)
    assert done["ApproximateNumberOfMessagesMoved"] == 1
    assert [m["Body"] for m in receive_all(sqs, src, 1)] == ["poison"]
    assert receive_all(sqs, dlq, 1, timeout=1) == []


def test_purge_queue(sqs):
    url = sqs.create_queue(QueueName="purge")["QueueUrl"]
    for i in range(5):
        sqs.send_message(QueueUrl=url, MessageBody=str(i))
    sqs.purge_queue(QueueUrl=url)
    assert receive_all(sqs, url, 1, timeout=1.5) == []
    expect_error(sqs.purge_queue, "AWS.SimpleQueueService.PurgeQueueInProgress", 403,
                 QueueUrl=url)


def test_tags(sqs):
    url = sqs.create_queue(QueueName="tagged", tags={"a": "1"})["QueueUrl"]
    sqs.tag_queue(QueueUrl=url, Tags={"b": "2", "c": "3"})
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"a": "1", "b": "2", "c": "3"}
    sqs.untag_queue(QueueUrl=url, TagKeys=["a", "c"])
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"b": "2"}


def test_errors(sqs, endpoint):
    gone = endpoint + "/000000000000/nope"
    expect_error(sqs.send_message, MISSING, QueueUrl=gone, MessageBody="x")
    expect_error(sqs.receive_message, MISSING, QueueUrl=gone)
    expect_error(sqs.get_queue_attributes, MISSING, QueueUrl=gone, AttributeNames=["All"])
    expect_error(sqs.delete_queue, MISSING, QueueUrl=gone)
    url = sqs.create_queue(QueueName="errs")["QueueUrl"]
    expect_error(sqs.set_queue_attributes, "InvalidAttributeValue", QueueUrl=url,
                 Attributes={"VisibilityTimeout": "99999"})
    expect_error(sqs.create_queue, "InvalidAttributeValue", QueueName="bad-attr",
                 Attributes={"MessageRetentionPeriod": "1"})
    expect_error(sqs.delete_message, "ReceiptHandleIsInvalid", 404, QueueUrl=url,
                 ReceiptHandle="bogus")
    expect_error(sqs.create_queue, "InvalidParameterValue", QueueName="bad name!")


def test_validation_errors(sqs, sqs_unvalidated):
    url = sqs.create_queue(QueueName="valid")["QueueUrl"]
    loose = sqs_unvalidated
    expect_error(loose.get_queue_attributes, "InvalidAttributeName", QueueUrl=url,
                 AttributeNames=["Bogus"])
    expect_error(sqs.send_message, "InvalidMessageContents", QueueUrl=url, MessageBody="a\x00b")
    expect_error(loose.send_message, "MissingParameter", QueueUrl=url, MessageBody="")
    expect_error(sqs.send_message, "InvalidParameterValue", QueueUrl=url,
                 MessageBody="x" * (1024 * 1024 + 1))
    expect_error(sqs.send_message, "InvalidParameterValue", QueueUrl=url, MessageBody="x",
                 MessageDeduplicationId="only-for-fifo")
    expect_error(loose.receive_message, "InvalidParameterValue", QueueUrl=url,
                 MaxNumberOfMessages=11)
    expect_error(loose.receive_message, "InvalidParameterValue", QueueUrl=url,
                 WaitTimeSeconds=21)
    expect_error(loose.send_message_batch, "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
                 QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": "x"} for i in range(11)])
    expect_error(sqs.send_message_batch, "AWS.SimpleQueueService.InvalidBatchEntryId",
                 QueueUrl=url, Entries=[{"Id": "a b", "MessageBody": "x"}])
    expect_error(sqs.create_queue, "InvalidParameterValue", QueueName="plain",
                 Attributes={"FifoQueue": "true"})

    sqs.send_message(QueueUrl=url, MessageBody="m")
    [m] = sqs.receive_message(QueueUrl=url, VisibilityTimeout=0)["Messages"]
    expect_error(sqs.change_message_visibility, "AWS.SimpleQueueService.MessageNotInflight",
                 QueueUrl=url, ReceiptHandle=m["ReceiptHandle"], VisibilityTimeout=10)
    # A stale receipt handle (the message was received again since) is accepted (AWS: "the
    # request succeeds, but the message might not be deleted"); the latest one deletes.
    [again] = sqs.receive_message(QueueUrl=url, VisibilityTimeout=30)["Messages"]
    sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    sqs.delete_message(QueueUrl=url, ReceiptHandle=again["ReceiptHandle"])
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attrs["ApproximateNumberOfMessages"] == "0"
    assert attrs["ApproximateNumberOfMessagesNotVisible"] == "0"


def test_list_queues_paging(sqs):
    urls = sorted(sqs.create_queue(QueueName="pg%d" % i)["QueueUrl"] for i in range(5))
    seen, token = [], None
    for _ in range(5):
        kwargs = {"NextToken": token} if token else {}
        page = sqs.list_queues(QueueNamePrefix="pg", MaxResults=2, **kwargs)
        assert len(page["QueueUrls"]) <= 2
        seen += page["QueueUrls"]
        token = page.get("NextToken")
        if not token:
            break
    assert sorted(seen) == urls


def test_concurrent_consumers_get_each_message_once(sqs, endpoint):
    url = sqs.create_queue(QueueName="conc", Attributes={"VisibilityTimeout": "60"})["QueueUrl"]
    want = []
    for i in range(20):
        entries = [{"Id": str(j), "MessageBody": "m%d-%d" % (i, j)} for j in range(10)]
        sqs.send_message_batch(QueueUrl=url, Entries=entries)
        want += [e["MessageBody"] for e in entries]
    got, lock = [], threading.Lock()

    def consume():
        client = make_client(endpoint, "sqs")
        while True:
            msgs = client.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                          WaitTimeSeconds=1).get("Messages", [])
            if not msgs:
                return
            with lock:
                got.extend(m["Body"] for m in msgs)
            client.delete_message_batch(QueueUrl=url, Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(msgs)])

    threads = [threading.Thread(target=consume) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(got) == sorted(want)


def test_long_poll_ends_when_queue_deleted(sqs, endpoint):
    url = sqs.create_queue(QueueName="lpdel")["QueueUrl"]
    result = {}

    def poll():
        try:
            result["resp"] = make_client(endpoint, "sqs").receive_message(QueueUrl=url,
                                                                         WaitTimeSeconds=20)
        except Exception as e:  # noqa: BLE001 - any answer is fine, a hang is not
            result["resp"] = e

    t = threading.Thread(target=poll)
    t.start()
    time.sleep(0.5)
    sqs.delete_queue(QueueUrl=url)
    t.join(15)
    assert not t.is_alive(), "ReceiveMessage kept waiting on a deleted queue"
    assert "resp" in result


def test_shutdown_answers_pending_long_poll(tidepool_factory):
    """A graceful stop answers a parked long poll with an empty reply (as AWS may end a long
    poll early) instead of waiting it out and then cutting the connection."""
    server = tidepool_factory()
    sqs = make_client(server.endpoint, "sqs")
    url = sqs.create_queue(QueueName="lp-stop")["QueueUrl"]
    result = {}

    def poll():
        try:
            result["resp"] = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=20)
        except Exception as e:  # noqa: BLE001 - recorded and asserted on below
            result["error"] = e

    t = threading.Thread(target=poll, daemon=True)
    t.start()
    time.sleep(0.5)
    assert server.stop() == 0
    t.join(30)
    assert not t.is_alive()
    assert "error" not in result, f"long poll was cut off: {result.get('error')!r}"
    assert result["resp"].get("Messages", []) == []


def test_move_task_destination_rate_and_cancel(sqs):
    dlq = sqs.create_queue(QueueName="mt-dlq")["QueueUrl"]
    sqs.create_queue(QueueName="mt-src", Attributes={"RedrivePolicy": json.dumps(
        {"deadLetterTargetArn": queue_arn(sqs, dlq), "maxReceiveCount": 1})})
    dest = sqs.create_queue(QueueName="mt-dest")["QueueUrl"]
    plain = sqs.create_queue(QueueName="mt-plain")["QueueUrl"]
    for i in range(5):
        sqs.send_message_batch(QueueUrl=dlq, Entries=[
            {"Id": str(j), "MessageBody": "d%d-%d" % (i, j)} for j in range(10)])
    expect_error(sqs.start_message_move_task, "InvalidParameterValue",
                 SourceArn=queue_arn(sqs, plain))  # not a dead-letter queue
    task = sqs.start_message_move_task(SourceArn=queue_arn(sqs, dlq),
                                       DestinationArn=queue_arn(sqs, dest),
                                       MaxNumberOfMessagesPerSecond=5)
    expect_error(sqs.start_message_move_task, "InvalidParameterValue",
                 SourceArn=queue_arn(sqs, dlq))  # one active task per source
    time.sleep(1.0)
    moved = sqs.cancel_message_move_task(TaskHandle=task["TaskHandle"])[
        "ApproximateNumberOfMessagesMoved"]
    assert 0 < moved < 50, moved  # 5 per second: far from all 50 after a second
    [listed] = sqs.list_message_move_tasks(SourceArn=queue_arn(sqs, dlq))["Results"]
    assert listed["Status"] == "CANCELLED"
    assert listed["DestinationArn"] == queue_arn(sqs, dest)
    assert listed["ApproximateNumberOfMessagesToMove"] == 50
    in_dest = sqs.get_queue_attributes(QueueUrl=dest, AttributeNames=[
        "ApproximateNumberOfMessages"])["Attributes"]["ApproximateNumberOfMessages"]
    assert int(in_dest) == listed["ApproximateNumberOfMessagesMoved"]
    expect_error(sqs.cancel_message_move_task, "InvalidParameterValue",
                 TaskHandle=task["TaskHandle"])  # no longer active
    expect_error(sqs.cancel_message_move_task, "ResourceNotFoundException", 404,
                 TaskHandle="garbage")


def test_fifo_edge_cases_as_aws_answers_them(sqs):
    """Behaviour an AWS-validated suite found we differed on (issue 20)."""
    url = sqs.create_queue(QueueName="edge.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    # DelaySeconds 0 asks for no delay: valid on a FIFO queue (a positive one is not).
    sqs.send_message(QueueUrl=url, MessageBody="m", MessageGroupId="g",
                     MessageDeduplicationId="d0", DelaySeconds=0)
    expect_error(lambda: sqs.send_message(QueueUrl=url, MessageBody="m", MessageGroupId="g",
                                          MessageDeduplicationId="d1", DelaySeconds=5),
                 "InvalidParameterValue")
    # Setting FifoQueue=true again on a FIFO queue is accepted.
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"FifoQueue": "true"})
    # PurgeQueue also forgets the deduplication ids of what it removed.
    sqs.purge_queue(QueueUrl=url)
    sqs.send_message(QueueUrl=url, MessageBody="again", MessageGroupId="g",
                     MessageDeduplicationId="d0")
    got = receive_all(sqs, url, 1, timeout=2)
    assert [m["Body"] for m in got] == ["again"]


def test_batch_too_long_wording(sqs):
    url = sqs.create_queue(QueueName="big-batch")["QueueUrl"]
    entries = [{"Id": str(i), "MessageBody": "x" * 200000} for i in range(6)]
    err = expect_error(lambda: sqs.send_message_batch(QueueUrl=url, Entries=entries),
                       "AWS.SimpleQueueService.BatchRequestTooLong")
    assert err["Error"]["Message"] == ("Batch requests cannot be longer than 1048576 bytes. "
                                       "You have sent 1200000 bytes.")
