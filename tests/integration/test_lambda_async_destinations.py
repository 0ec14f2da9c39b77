"""Asynchronous invocation settings, end to end with boto3 and --time-scale: event invoke
configs, retries, OnSuccess/OnFailure destinations (SQS, SNS, Lambda) with AWS's invocation
record, the dead-letter queue, and the maximum event age."""

import json
import time

import botocore.exceptions
import pytest

from harness import make_client
from lambda_helpers import zip_one

ROLE = "arn:aws:iam::000000000000:role/lambda-role"

HANDLER = """
import json, os
def handler(event, context):
    path = os.environ.get("COUNT_FILE")
    if path:
        with open(path, "a") as f:
            f.write(json.dumps(event) + "\\n")
    if event.get("fail"):
        raise RuntimeError("failed on purpose")
    return {"echo": event}
"""


@pytest.fixture
def scaled(tidepool_factory):
    # AWS's 1 and 2 minute retry delays take 60 and 120 ms.
    return tidepool_factory(args=("--time-scale", "0.001"))


def clients(server):
    lam = make_client(server.endpoint, service="lambda", access_key="000000000000", read_timeout=60)
    sqs = make_client(server.endpoint, service="sqs", access_key="000000000000")
    sns = make_client(server.endpoint, service="sns", access_key="000000000000")
    return lam, sqs, sns


def create(lam, name, env=None, **extra):
    lam.create_function(FunctionName=name, Runtime="python3.12", Role=ROLE, Handler="app.handler",
                        Code={"ZipFile": zip_one("app.py", HANDLER)},
                        Environment={"Variables": env or {}}, **extra)
    lam.get_waiter("function_active_v2").wait(FunctionName=name)


def queue(sqs, name):
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"]
    return url, arn


def receive(sqs, url, n=1, timeout=20):
    got = []
    deadline = time.time() + timeout
    while len(got) < n and time.time() < deadline:
        out = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1, MaxNumberOfMessages=10,
                                  MessageAttributeNames=["All"])
        for m in out.get("Messages", []):
            got.append(m)
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    return got


def test_event_invoke_config_api(scaled):
    lam, sqs, _ = clients(scaled)
    create(lam, "cfg-fn")
    _, q = queue(sqs, "cfg-dest")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        lam.get_function_event_invoke_config(FunctionName="cfg-fn")
    assert e.value.response["Error"]["Code"] == "ResourceNotFoundException"
    out = lam.put_function_event_invoke_config(
        FunctionName="cfg-fn", MaximumRetryAttempts=1, MaximumEventAgeInSeconds=120,
        DestinationConfig={"OnFailure": {"Destination": q}})
    assert out["MaximumRetryAttempts"] == 1
    assert out["FunctionArn"].endswith(":function:cfg-fn:$LATEST")
    assert out["DestinationConfig"]["OnFailure"]["Destination"] == q
    out = lam.update_function_event_invoke_config(FunctionName="cfg-fn", MaximumRetryAttempts=0)
    assert out["MaximumRetryAttempts"] == 0 and out["MaximumEventAgeInSeconds"] == 120
    listed = lam.list_function_event_invoke_configs(FunctionName="cfg-fn")
    assert len(listed["FunctionEventInvokeConfigs"]) == 1
    # (botocore itself refuses a MaximumEventAgeInSeconds under 60.)
    for kwargs in [{"MaximumRetryAttempts": 3},
                   {"DestinationConfig": {"OnFailure": {"Destination": "arn:aws:s3:::bucket"}}}]:
        with pytest.raises(botocore.exceptions.ClientError) as e:
            lam.put_function_event_invoke_config(FunctionName="cfg-fn", **kwargs)
        assert e.value.response["Error"]["Code"] in ("InvalidParameterValueException",
                                                     "ValidationException")
    lam.delete_function_event_invoke_config(FunctionName="cfg-fn")
    with pytest.raises(botocore.exceptions.ClientError):
        lam.get_function_event_invoke_config(FunctionName="cfg-fn")


def test_on_success_and_on_failure_destinations(scaled, tmp_path):
    lam, sqs, _ = clients(scaled)
    ok_url, ok_arn = queue(sqs, "dest-ok")
    bad_url, bad_arn = queue(sqs, "dest-bad")
    count = tmp_path / "calls.txt"
    create(lam, "dest-fn", {"COUNT_FILE": str(count)})
    lam.put_function_event_invoke_config(
        FunctionName="dest-fn", MaximumRetryAttempts=1,
        DestinationConfig={"OnSuccess": {"Destination": ok_arn},
                           "OnFailure": {"Destination": bad_arn}})
    assert lam.invoke(FunctionName="dest-fn", InvocationType="Event",
                      Payload=json.dumps({"n": 1}))["StatusCode"] == 202
    (msg,) = receive(sqs, ok_url)
    record = json.loads(msg["Body"])
    assert record["version"] == "1.0"
    assert record["requestContext"]["condition"] == "Success"
    assert record["requestContext"]["approximateInvokeCount"] == 1
    assert record["requestContext"]["functionArn"].endswith(":function:dest-fn:$LATEST")
    assert record["requestPayload"] == {"n": 1}
    assert record["responseContext"] == {"statusCode": 200, "executedVersion": "$LATEST"}
    assert record["responsePayload"] == {"echo": {"n": 1}}

    lam.invoke(FunctionName="dest-fn", InvocationType="Event",
               Payload=json.dumps({"n": 2, "fail": True}))
    (msg,) = receive(sqs, bad_url)
    record = json.loads(msg["Body"])
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 2  # 1 + MaximumRetryAttempts
    assert record["responseContext"]["functionError"] == "Unhandled"
    assert record["responsePayload"]["errorMessage"] == "failed on purpose"
    assert record["responsePayload"]["errorType"] == "RuntimeError"
    calls = [json.loads(line) for line in count.read_text().splitlines()]
    assert [c["n"] for c in calls] == [1, 2, 2]
    assert receive(sqs, ok_url, timeout=1) == []


def test_dead_letter_queue_and_sns_and_lambda_destinations(scaled, tmp_path):
    lam, sqs, sns = clients(scaled)
    dlq_url, dlq_arn = queue(sqs, "fn-dlq")
    topic = sns.create_topic(Name="fn-failures")["TopicArn"]
    sub_url, sub_arn = queue(sqs, "fn-failures-sub")
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=sub_arn,
                  Attributes={"RawMessageDelivery": "true"})
    count = tmp_path / "next.txt"
    create(lam, "next-fn", {"COUNT_FILE": str(count)})
    create(lam, "dlq-fn", DeadLetterConfig={"TargetArn": dlq_arn})
    lam.put_function_event_invoke_config(
        FunctionName="dlq-fn", MaximumRetryAttempts=0,
        DestinationConfig={"OnFailure": {"Destination": topic},
                           "OnSuccess": {"Destination":
                                         lam.get_function(FunctionName="next-fn")[
                                             "Configuration"]["FunctionArn"]}})
    lam.invoke(FunctionName="dlq-fn", InvocationType="Event", Payload=b'{"fail": true, "k": 7}')
    (dead,) = receive(sqs, dlq_url)
    assert json.loads(dead["Body"]) == {"fail": True, "k": 7}
    attrs = dead["MessageAttributes"]
    assert attrs["ErrorMessage"]["StringValue"] == "failed on purpose"
    assert attrs["ErrorCode"]["StringValue"] == "200"
    assert attrs["RequestID"]["StringValue"]
    (via_sns,) = receive(sqs, sub_url)
    assert json.loads(via_sns["Body"])["requestContext"]["condition"] == "RetriesExhausted"

    # OnSuccess to a function: the record is that function's (async) event.
    lam.invoke(FunctionName="dlq-fn", InvocationType="Event", Payload=b'{"k": 8}')
    deadline = time.time() + 20
    while time.time() < deadline and not (count.exists() and count.read_text().strip()):
        time.sleep(0.05)
    (event,) = [json.loads(line) for line in count.read_text().splitlines()]
    assert event["requestContext"]["condition"] == "Success"
    assert event["requestPayload"] == {"k": 8}


def test_maximum_event_age_discards_with_a_record(tidepool_factory, tmp_path):
    # A MaximumEventAgeInSeconds of 60 and AWS's 1-minute delay before the first retry: the
    # retry is already too old. With time scale 0.05 both are 3 s.
    server = tidepool_factory(args=("--time-scale", "0.05"))
    lam, sqs, _ = clients(server)
    url, arn = queue(sqs, "age-dest")
    count = tmp_path / "age.txt"
    create(lam, "age-fn", {"COUNT_FILE": str(count)})
    lam.put_function_event_invoke_config(
        FunctionName="age-fn", MaximumRetryAttempts=2, MaximumEventAgeInSeconds=60,
        DestinationConfig={"OnFailure": {"Destination": arn}})
    lam.invoke(FunctionName="age-fn", InvocationType="Event", Payload=b'{"fail": true}')
    (msg,) = receive(sqs, url, timeout=30)
    record = json.loads(msg["Body"])
    # The first retry is due 3 s after the failure, when the event is older than 3 s.
    assert record["requestContext"]["condition"] == "EventAgeExceeded"
    assert record["requestContext"]["approximateInvokeCount"] == 1
    assert len(count.read_text().splitlines()) == 1, "an event past its maximum age ran again"
