"""Recursive loop detection, end to end with boto3: a function that feeds the SQS queue that
triggers it, or the SNS topic it is subscribed to, is stopped after 16 invocations of one chain
(the X-Ray trace header's Lineage, carried by the function's own boto3 calls) and the event lands
in the queue's / the function's dead-letter queue; with RecursiveLoop Allow the loop goes on."""

import json
import os
import time

import botocore.exceptions
import pytest

from harness import REGION, make_client
from lambda_helpers import zip_one

ROLE = "arn:aws:iam::000000000000:role/lambda-role"
ACCOUNT = "000000000000"

# Appends each event's `n` to COUNT_FILE, then sends n+1 on to the queue or topic that triggers
# it (QUEUE_URL / TOPIC_ARN), until n reaches STOP_AT (when set).
LOOP = """
import json, os
import boto3

def handler(event, context):
    for record in event["Records"]:
        body = record["body"] if "body" in record else record["Sns"]["Message"]
        n = json.loads(body)["n"]
        with open(os.environ["COUNT_FILE"], "a") as f:
            f.write("%d\\n" % n)
        if n + 1 >= int(os.environ.get("STOP_AT", "1000000")):
            continue
        nxt = json.dumps({"n": n + 1})
        if "QUEUE_URL" in os.environ:
            boto3.client("sqs").send_message(QueueUrl=os.environ["QUEUE_URL"], MessageBody=nxt)
        else:
            boto3.client("sns").publish(TopicArn=os.environ["TOPIC_ARN"], Message=nxt)
"""


def clients(server):
    lam = make_client(server.endpoint, service="lambda", access_key=ACCOUNT, read_timeout=60)
    sqs = make_client(server.endpoint, service="sqs", access_key=ACCOUNT)
    sns = make_client(server.endpoint, service="sns", access_key=ACCOUNT)
    return lam, sqs, sns


def create(lam, name, env, **extra):
    lam.create_function(FunctionName=name, Runtime="python3.12", Role=ROLE, Handler="app.handler",
                        Code={"ZipFile": zip_one("app.py", LOOP)}, Timeout=30,
                        Environment={"Variables": env}, **extra)
    lam.get_waiter("function_active_v2").wait(FunctionName=name)


def queue(sqs, name, **attributes):
    url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"]
    return url, arn


def receive(sqs, url, timeout):
    deadline = time.time() + timeout
    while time.time() < deadline:
        out = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1, MessageAttributeNames=["All"])
        if out.get("Messages"):
            return out["Messages"][0]
    return None


def counts(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [int(line) for line in f.read().split()]


def fnv1a(text):
    h = 2166136261
    for c in text.encode():
        h = ((h ^ c) * 16777619) & 0xFFFFFFFF
    return "%08x" % h


def sqs_loop(lam, sqs, name, count_file, **env):
    url, arn = queue(sqs, name + "-q", VisibilityTimeout="1")
    dlq_url, dlq_arn = queue(sqs, name + "-dlq")
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"RedrivePolicy": json.dumps(
        {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "1"})})
    create(lam, name, {"COUNT_FILE": count_file, "QUEUE_URL": url, **env})
    lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=name, BatchSize=1)
    return url, dlq_url


def test_recursion_config_defaults_to_terminate(server):
    lam, _, _ = clients(server)
    create(lam, "rec-config", {"COUNT_FILE": "/dev/null"})
    assert lam.get_function_recursion_config(FunctionName="rec-config")["RecursiveLoop"] == \
        "Terminate"
    out = lam.put_function_recursion_config(FunctionName="rec-config", RecursiveLoop="Allow")
    assert out["RecursiveLoop"] == "Allow"
    assert lam.get_function_recursion_config(FunctionName="rec-config")["RecursiveLoop"] == "Allow"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        lam.put_function_recursion_config(FunctionName="rec-config", RecursiveLoop="Sometimes")
    assert e.value.response["Error"]["Code"] == "ValidationException"
    lam.put_function_recursion_config(FunctionName="rec-config", RecursiveLoop="Terminate")
    assert lam.get_function_recursion_config(FunctionName="rec-config")["RecursiveLoop"] == \
        "Terminate"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        lam.get_function_recursion_config(FunctionName="no-such-function")
    assert e.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_recursion_config_survives_a_restart(tidepool_factory, tmp_path):
    data = str(tmp_path / "data")
    server = tidepool_factory(durability="sync", data_dir=data)
    lam, _, _ = clients(server)
    create(lam, "rec-durable", {"COUNT_FILE": "/dev/null"})
    lam.put_function_recursion_config(FunctionName="rec-durable", RecursiveLoop="Allow")
    server.kill()
    server = tidepool_factory(durability="sync", data_dir=data)
    lam, _, _ = clients(server)
    assert lam.get_function_recursion_config(FunctionName="rec-durable")["RecursiveLoop"] == \
        "Allow"


def test_sync_invoke_past_the_limit_is_refused(server):
    lam, _, _ = clients(server)
    create(lam, "rec-sync", {"COUNT_FILE": "/dev/null", "STOP_AT": "0"})
    arn = "arn:aws:lambda:%s:%s:function:rec-sync" % (REGION, ACCOUNT)
    header = {}

    def add_header(params, **kwargs):
        params["headers"]["X-Amzn-Trace-Id"] = header["value"]

    lam.meta.events.register("before-call.lambda.Invoke", add_header)
    root = "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=0"
    event = json.dumps({"Records": [{"body": json.dumps({"n": 0}), "n": 0}]})
    # The 16th invocation of the chain runs; the 17th is refused.
    header["value"] = root + ";Lineage=%s:15" % fnv1a(arn)
    assert lam.invoke(FunctionName="rec-sync", Payload=event)["StatusCode"] == 200
    header["value"] = root + ";Lineage=0badf00d:3|%s:16" % fnv1a(arn)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        lam.invoke(FunctionName="rec-sync", Payload=event)
    assert e.value.response["Error"]["Code"] == "RecursiveInvocationException"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    lam.put_function_recursion_config(FunctionName="rec-sync", RecursiveLoop="Allow")
    assert lam.invoke(FunctionName="rec-sync", Payload=event)["StatusCode"] == 200


def test_sqs_loop_stops_and_lands_in_the_queues_dead_letter_queue(server, tmp_path):
    lam, sqs, _ = clients(server)
    count_file = str(tmp_path / "sqs-loop")
    url, dlq_url = sqs_loop(lam, sqs, "sqs-loop", count_file)
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"n": 0}))
    dead = receive(sqs, dlq_url, timeout=90)
    assert dead is not None, counts(count_file)
    # 16 invocations ran; the message the 16th sent was never handed to the function.
    assert json.loads(dead["Body"]) == {"n": 16}
    time.sleep(2)
    assert counts(count_file) == list(range(16))


def test_sns_loop_stops_and_lands_in_the_functions_dead_letter_queue(server, tmp_path):
    lam, sqs, sns = clients(server)
    count_file = str(tmp_path / "sns-loop")
    topic = sns.create_topic(Name="sns-loop")["TopicArn"]
    dlq_url, dlq_arn = queue(sqs, "sns-loop-dlq")
    create(lam, "sns-loop", {"COUNT_FILE": count_file, "TOPIC_ARN": topic},
           DeadLetterConfig={"TargetArn": dlq_arn})
    fn_arn = lam.get_function(FunctionName="sns-loop")["Configuration"]["FunctionArn"]
    sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=fn_arn)
    sns.publish(TopicArn=topic, Message=json.dumps({"n": 0}))
    dead = receive(sqs, dlq_url, timeout=90)
    assert dead is not None, counts(count_file)
    event = json.loads(dead["Body"])
    assert json.loads(event["Records"][0]["Sns"]["Message"]) == {"n": 16}
    assert dead["MessageAttributes"]["ErrorMessage"]["StringValue"].startswith(
        "Lambda detected")
    time.sleep(2)
    assert counts(count_file) == list(range(16))


def test_allowed_loop_keeps_going(server, tmp_path):
    lam, sqs, _ = clients(server)
    count_file = str(tmp_path / "allowed-loop")
    # The function itself ends the loop at 24 invocations, past AWS's 16.
    url, dlq_url = sqs_loop(lam, sqs, "allowed-loop", count_file, STOP_AT="24")
    lam.put_function_recursion_config(FunctionName="allowed-loop", RecursiveLoop="Allow")
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"n": 0}))
    deadline = time.time() + 90
    while len(counts(count_file)) < 24 and time.time() < deadline:
        time.sleep(0.2)
    assert counts(count_file) == list(range(24))
    assert receive(sqs, dlq_url, timeout=2) is None
