"""SQS over the query protocol (form-encoded Action=... requests, XML replies), signed by boto3
with the query-era SQS model, and the aws CLI for an SNS -> SQS round trip.

Current botocore speaks AWS JSON 1.0 to SQS. The query-era model (same API version
2012-11-05, protocol "query") ships with the Google Cloud SDK's bundled botocore; the tests that
need it are skipped when it is not on this machine.
"""

import glob
import json
import os
import shutil
import subprocess

import boto3
import botocore.exceptions
import botocore.loaders
import botocore.session
import pytest

from harness import REGION, client_config

QUERY_MODEL_GLOBS = [
    "/usr/lib/google-cloud-sdk/lib/third_party/botocore/data/sqs/2012-11-05/service-2.json",
    "/usr/lib/python3/dist-packages/botocore/data/sqs/2012-11-05/service-2.json",
    "/opt/*/botocore/data/sqs/2012-11-05/service-2.json",
]


def find_query_model():
    for pattern in QUERY_MODEL_GLOBS:
        for path in glob.glob(pattern):
            with open(path) as f:
                if json.load(f)["metadata"].get("protocol") == "query":
                    return path
    return None


@pytest.fixture
def sqs_query(endpoint, tmp_path):
    """A boto3 SQS client whose model is the query-era one: it sends Action=... forms."""
    model = find_query_model()
    if model is None:
        pytest.skip("no query-protocol SQS model (sqs/2012-11-05/service-2.json) on this machine")
    # Only this one file goes on the search path, so the rest of the data comes from the
    # installed botocore.
    dest = tmp_path / "models" / "sqs" / "2012-11-05"
    dest.mkdir(parents=True)
    shutil.copy(model, dest / "service-2.json")
    bs = botocore.session.Session()
    bs.register_component("data_loader", botocore.loaders.Loader(
        extra_search_paths=[str(tmp_path / "models")]))
    client = boto3.Session(botocore_session=bs).client(
        "sqs", endpoint_url=endpoint, region_name=REGION,
        aws_access_key_id="AKIAIOSFODNN7EXAMPLE",
        aws_secret_access_key="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        config=client_config())
    assert client.meta.service_model.protocol == "query"
    seen = []
    client.meta.events.register(
        "before-send", lambda request, **kw: seen.append((request.body, request.headers)))
    client.seen = seen
    return client


def test_query_create_send_receive_delete(sqs_query, endpoint):
    url = sqs_query.create_queue(QueueName="qq", Attributes={"VisibilityTimeout": "5"})[
        "QueueUrl"]
    body, headers = sqs_query.seen[-1]
    body = body.decode() if isinstance(body, bytes) else body
    assert body.startswith("Action=CreateQueue&Version=2012-11-05"), body
    assert b"x-www-form-urlencoded" in headers["Content-Type"]
    assert b"AWS4-HMAC-SHA256" in headers["Authorization"]
    assert url == endpoint + "/000000000000/qq"
    assert sqs_query.get_queue_url(QueueName="qq")["QueueUrl"] == url
    assert sqs_query.list_queues(QueueNamePrefix="q")["QueueUrls"] == [url]
    assert sqs_query.get_queue_attributes(QueueUrl=url, AttributeNames=["VisibilityTimeout"])[
        "Attributes"] == {"VisibilityTimeout": "5"}

    attrs = {"k": {"DataType": "String", "StringValue": "v & <x>"},
             "n": {"DataType": "Number", "StringValue": "7"},
             "b": {"DataType": "Binary", "BinaryValue": b"\x00\xfe"}}
    # botocore checks both MD5s of the XML reply.
    sent = sqs_query.send_message(QueueUrl=url, MessageBody="<xml> & \"quotes\" ü",
                                  MessageAttributes=attrs)
    resp = sqs_query.receive_message(QueueUrl=url, MessageAttributeNames=["All"],
                                     AttributeNames=["All"], WaitTimeSeconds=1)
    assert resp["ResponseMetadata"]["HTTPHeaders"]["content-type"].startswith("text/xml")
    [msg] = resp["Messages"]
    assert msg["MessageId"] == sent["MessageId"]
    assert msg["Body"] == "<xml> & \"quotes\" ü"
    assert msg["MessageAttributes"]["k"]["StringValue"] == "v & <x>"
    assert msg["MessageAttributes"]["b"]["BinaryValue"] == b"\x00\xfe"
    assert msg["Attributes"]["ApproximateReceiveCount"] == "1"

    batch = sqs_query.send_message_batch(QueueUrl=url, Entries=[
        {"Id": "1", "MessageBody": "a"}, {"Id": "2", "MessageBody": "b"}])
    assert sorted(e["Id"] for e in batch["Successful"]) == ["1", "2"]
    assert not batch.get("Failed")
    sqs_query.delete_message(QueueUrl=url, ReceiptHandle=msg["ReceiptHandle"])
    sqs_query.purge_queue(QueueUrl=url)
    assert "Messages" not in sqs_query.receive_message(QueueUrl=url)
    sqs_query.delete_queue(QueueUrl=url)
    assert not sqs_query.list_queues().get("QueueUrls")


def test_query_errors(sqs_query, endpoint):
    with pytest.raises(botocore.exceptions.ClientError) as info:
        sqs_query.get_queue_url(QueueName="nope")
    err = info.value.response
    assert err["Error"]["Code"] == "AWS.SimpleQueueService.NonExistentQueue"
    assert err["Error"]["Type"] == "Sender"
    assert err["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert err["ResponseMetadata"]["RequestId"]
    url = sqs_query.create_queue(QueueName="e")["QueueUrl"]
    with pytest.raises(botocore.exceptions.ClientError) as info:
        sqs_query.create_queue(QueueName="e", Attributes={"DelaySeconds": "3"})
    assert info.value.response["Error"]["Code"] == "QueueAlreadyExists"
    with pytest.raises(botocore.exceptions.ClientError) as info:
        sqs_query.set_queue_attributes(QueueUrl=url, Attributes={"DelaySeconds": "9999"})
    assert info.value.response["Error"]["Code"] == "InvalidAttributeValue"


@pytest.fixture
def aws(endpoint, tmp_path):
    env = dict(os.environ)
    env.update({
        "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
        "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_PAGER": "",
        "AWS_MAX_ATTEMPTS": "1",
        "AWS_CONFIG_FILE": str(tmp_path / "aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "aws-credentials"),
    })
    env.pop("AWS_PROFILE", None)

    def run(*args, check=True):
        argv = ["aws", "--endpoint-url", endpoint, *args]
        proc = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=60)
        if check:
            assert proc.returncode == 0, "%s\nstdout: %s\nstderr: %s" % (argv, proc.stdout,
                                                                        proc.stderr)
            return json.loads(proc.stdout) if proc.stdout.strip() else None
        return proc
    return run


def test_cli_sns_to_sqs_round_trip(aws):
    topic = aws("sns", "create-topic", "--name", "cli-topic")["TopicArn"]
    assert topic == "arn:aws:sns:us-east-1:000000000000:cli-topic"
    url = aws("sqs", "create-queue", "--queue-name", "cli-queue")["QueueUrl"]
    arn = aws("sqs", "get-queue-attributes", "--queue-url", url, "--attribute-names",
              "QueueArn")["Attributes"]["QueueArn"]
    sub = aws("sns", "subscribe", "--topic-arn", topic, "--protocol", "sqs",
              "--notification-endpoint", arn, "--attributes", "RawMessageDelivery=true")
    assert sub["SubscriptionArn"].startswith(topic + ":")
    subs = aws("sns", "list-subscriptions-by-topic", "--topic-arn", topic)["Subscriptions"]
    assert [(s["Protocol"], s["Endpoint"]) for s in subs] == [("sqs", arn)]
    pub = aws("sns", "publish", "--topic-arn", topic, "--message", '{"hello": "cli"}',
              "--message-attributes", '{"kind":{"DataType":"String","StringValue":"test"}}')
    assert pub["MessageId"]
    got = aws("sqs", "receive-message", "--queue-url", url, "--wait-time-seconds", "5",
              "--message-attribute-names", "All")
    [msg] = got["Messages"]
    assert msg["Body"] == '{"hello": "cli"}'
    assert msg["MessageAttributes"]["kind"]["StringValue"] == "test"
    aws("sqs", "delete-message", "--queue-url", url, "--receipt-handle", msg["ReceiptHandle"])
    assert aws("sqs", "receive-message", "--queue-url", url) is None

    proc = aws("sns", "publish", "--topic-arn", topic + "-missing", "--message", "x",
               check=False)
    assert proc.returncode != 0
    assert "NotFound" in proc.stderr, proc.stderr
    proc = aws("sqs", "get-queue-url", "--queue-name", "missing", check=False)
    assert proc.returncode != 0
    assert "NonExistentQueue" in proc.stderr or "QueueDoesNotExist" in proc.stderr, proc.stderr
    aws("sns", "delete-topic", "--topic-arn", topic)
    assert aws("sns", "list-topics")["Topics"] == []


def test_query_batches_tags_and_move_task_errors(sqs_query):
    url = sqs_query.create_queue(QueueName="qb", tags={"team": "a"})["QueueUrl"]
    assert sqs_query.list_queue_tags(QueueUrl=url)["Tags"] == {"team": "a"}
    sent = sqs_query.send_message_batch(QueueUrl=url, Entries=[
        {"Id": "a", "MessageBody": "x"}, {"Id": "b", "MessageBody": "y", "DelaySeconds": 9999}])
    assert [e["Id"] for e in sent["Successful"]] == ["a"]
    [failed] = sent["Failed"]
    assert (failed["Id"], failed["SenderFault"], failed["Code"]) == (
        "b", True, "InvalidParameterValue")
    [m] = sqs_query.receive_message(QueueUrl=url, WaitTimeSeconds=1)["Messages"]
    vis = sqs_query.change_message_visibility_batch(QueueUrl=url, Entries=[
        {"Id": "1", "ReceiptHandle": m["ReceiptHandle"], "VisibilityTimeout": 0},
        {"Id": "2", "ReceiptHandle": "zz", "VisibilityTimeout": 0}])
    assert [e["Id"] for e in vis["Successful"]] == ["1"]
    assert [(e["Id"], e["Code"]) for e in vis["Failed"]] == [("2", "ReceiptHandleIsInvalid")]
    with pytest.raises(botocore.exceptions.ClientError) as info:
        sqs_query.list_message_move_tasks(SourceArn="arn:aws:sqs:us-east-1:000000000000:nosuch")
    assert info.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
