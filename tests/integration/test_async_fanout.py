"""The async-fanout topology of PIPELINES.md section 5 (seed 004_async_fanout), with boto3:
an SNS topic fanning out by message attribute `operation` to two raw-delivery SQS queues with
filter policies, both redriving to one dead-letter queue after 3 receives.
"""

import json
import pathlib
import time

import pytest

from harness import make_client
from sqs_helpers import queue_arn, receive_all, wait_move_task

# The seeds live in shared/, beside the repository (CI clones it there too).
SEEDS = pathlib.Path(__file__).resolve().parents[3] / "shared" / "seeds" / "data" / "async_fanout"
TOPIC = "async-invocation-dev-calculate-sns-topic"
DIVIDE = "async-invocation-dev-divide-sqs-queue"
MULTIPLY = "async-invocation-dev-multiply-sqs-queue"
DLQ = "async-invocation-dev-process-dead-letter-queue"


def seed_payload(name, fallback):
    path = SEEDS / name
    return path.read_text() if path.exists() else fallback


@pytest.fixture
def clients(endpoint):
    return make_client(endpoint, "sns"), make_client(endpoint, "sqs")


@pytest.fixture
def topology(clients):
    sns, sqs = clients
    topic = sns.create_topic(Name=TOPIC)["TopicArn"]
    assert topic == "arn:aws:sns:us-east-1:000000000000:" + TOPIC
    dlq = sqs.create_queue(QueueName=DLQ)["QueueUrl"]
    redrive = json.dumps({"deadLetterTargetArn": queue_arn(sqs, dlq), "maxReceiveCount": 3})
    urls = {}
    for name, op in ((DIVIDE, "division"), (MULTIPLY, "multiplication")):
        url = sqs.create_queue(QueueName=name, Attributes={"RedrivePolicy": redrive})["QueueUrl"]
        sub = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn(sqs, url),
                            Attributes={"RawMessageDelivery": "true",
                                        "FilterPolicy": json.dumps({"operation": [op]})},
                            ReturnSubscriptionArn=True)["SubscriptionArn"]
        assert sub.startswith(topic + ":")
        attrs = sns.get_subscription_attributes(SubscriptionArn=sub)["Attributes"]
        assert attrs["RawMessageDelivery"] == "true"
        assert json.loads(attrs["FilterPolicy"]) == {"operation": [op]}
        urls[op] = url
    return dict(topic=topic, divide=urls["division"], multiply=urls["multiplication"], dlq=dlq)


def publish(sns, topic, body, operation):
    return sns.publish(TopicArn=topic, Message=body, MessageAttributes={
        "operation": {"DataType": "String", "StringValue": operation}})["MessageId"]


def test_division_reaches_only_divide_queue(clients, topology):
    sns, sqs = clients
    body = seed_payload("divideTest.json", '{"operation":"division","number":1000}')
    publish(sns, topology["topic"], body, "division")
    got = receive_all(sqs, topology["divide"], 1, MessageAttributeNames=["All"])
    assert [m["Body"] for m in got] == [body]  # raw delivery: the body byte for byte
    assert got[0]["MessageAttributes"]["operation"]["StringValue"] == "division"
    assert json.loads(got[0]["Body"])["number"] == 1000
    assert "Messages" not in sqs.receive_message(QueueUrl=topology["multiply"], WaitTimeSeconds=1)

    mbody = seed_payload("multiplyTest.json", '{"operation":"multiplication","number":1000}')
    publish(sns, topology["topic"], mbody, "multiplication")
    assert [m["Body"] for m in receive_all(sqs, topology["multiply"], 1)] == [mbody]
    assert "Messages" not in sqs.receive_message(QueueUrl=topology["divide"], WaitTimeSeconds=1)


def test_unknown_operation_reaches_none(clients, topology):
    sns, sqs = clients
    publish(sns, topology["topic"], '{"operation":"modulo","number":3}', "modulo")
    sns.publish(TopicArn=topology["topic"], Message="no attributes at all")
    for key in ("divide", "multiply", "dlq"):
        assert "Messages" not in sqs.receive_message(QueueUrl=topology[key], WaitTimeSeconds=1)


def test_non_raw_subscription_gets_envelope(clients, topology):
    sns, sqs = clients
    url = sqs.create_queue(QueueName="audit")["QueueUrl"]
    sns.subscribe(TopicArn=topology["topic"], Protocol="sqs", Endpoint=queue_arn(sqs, url))
    mid = publish(sns, topology["topic"], "hello envelope", "division")
    [msg] = receive_all(sqs, url, 1)
    env = json.loads(msg["Body"])
    for key in ("Type", "MessageId", "TopicArn", "Message", "Timestamp", "SignatureVersion",
                "Signature", "SigningCertURL", "UnsubscribeURL", "MessageAttributes"):
        assert key in env, (key, env)
    assert env["Type"] == "Notification"
    assert env["MessageId"] == mid
    assert env["TopicArn"] == topology["topic"]
    assert env["Message"] == "hello envelope"
    assert env["MessageAttributes"] == {"operation": {"Type": "String", "Value": "division"}}
    assert env["Timestamp"].endswith("Z")
    # The divide queue (raw, filtered) got its own copy.
    assert [m["Body"] for m in receive_all(sqs, topology["divide"], 1)] == ["hello envelope"]


def test_three_receives_then_dlq_then_move_back(clients, topology):
    sns, sqs = clients
    body = seed_payload("divideTest.json", '{"operation":"division","number":1000}')
    publish(sns, topology["topic"], body, "division")
    for attempt in range(3):
        got = receive_all(sqs, topology["divide"], 1, timeout=4, VisibilityTimeout=1,
                          AttributeNames=["ApproximateReceiveCount"])
        assert [m["Body"] for m in got] == [body], attempt
        assert got[0]["Attributes"]["ApproximateReceiveCount"] == str(attempt + 1)
        time.sleep(1.1)
    assert receive_all(sqs, topology["divide"], 1, timeout=2) == []
    dlq_arn = queue_arn(sqs, topology["dlq"])
    assert [m["Body"] for m in receive_all(sqs, topology["dlq"], 1, VisibilityTimeout=0)] == \
        [body]

    sqs.start_message_move_task(SourceArn=dlq_arn)
    done = wait_move_task(sqs, dlq_arn)
    assert done["ApproximateNumberOfMessagesMoved"] == 1
    back = receive_all(sqs, topology["divide"], 1, AttributeNames=["ApproximateReceiveCount"])
    assert [m["Body"] for m in back] == [body]
    sqs.delete_message(QueueUrl=topology["divide"], ReceiptHandle=back[0]["ReceiptHandle"])
    assert receive_all(sqs, topology["dlq"], 1, timeout=1) == []


def test_filter_policy_operators_and_scope(clients):
    sns, sqs = clients
    topic = sns.create_topic(Name="filters")["TopicArn"]
    policies = {"num": ('{"n":[{"numeric":[">",5]}]}', "MessageAttributes"),
                "prefix": ('{"k":[{"prefix":"ab"}]}', "MessageAttributes"),
                "anything_but": ('{"k":[{"anything-but":["x"]}]}', "MessageAttributes"),
                "absent": ('{"k":[{"exists":false}]}', "MessageAttributes"),
                "body": ('{"op":["div"]}', "MessageBody")}
    urls = {}
    for name, (policy, scope) in policies.items():
        urls[name] = sqs.create_queue(QueueName="f-" + name)["QueueUrl"]
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn(sqs, urls[name]),
                      Attributes={"RawMessageDelivery": "true", "FilterPolicy": policy,
                                  "FilterPolicyScope": scope})

    def pub(message, **attrs):
        sns.publish(TopicArn=topic, Message=message, MessageAttributes={
            k: {"DataType": "Number" if isinstance(v, int) else "String",
                "StringValue": str(v)} for k, v in attrs.items()})

    pub("n6", n=6)
    pub("n5", n=5)
    pub("abc", k="abc")
    pub("x", k="x")
    pub('{"op":"div"}')
    pub('{"op":"mul"}')
    expected = {"num": ["n6"], "prefix": ["abc"], "anything_but": ["abc"],
                "absent": ["n5", "n6", '{"op":"div"}', '{"op":"mul"}'],
                "body": ['{"op":"div"}']}
    for name, want in expected.items():
        got = receive_all(sqs, urls[name], len(want))
        got += receive_all(sqs, urls[name], 1, timeout=1)  # nothing more arrives
        assert sorted(m["Body"] for m in got) == sorted(want), name

    with pytest.raises(sns.exceptions.InvalidParameterException) as info:
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn(sqs, urls["num"]),
                      Attributes={"FilterPolicy": '{"a": 1}'})
    assert info.value.response["Error"]["Code"] == "InvalidParameter"
    with pytest.raises(sns.exceptions.NotFoundException):
        sns.publish(TopicArn=topic + "-missing", Message="x")


def test_fifo_topic_to_fifo_queue(clients):
    sns, sqs = clients
    topic = sns.create_topic(Name="orders.fifo", Attributes={
        "FifoTopic": "true", "ContentBasedDeduplication": "true"})["TopicArn"]
    url = sqs.create_queue(QueueName="orders.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn(sqs, url),
                  Attributes={"RawMessageDelivery": "true"})
    ids = [sns.publish(TopicArn=topic, Message="f%d" % i, MessageGroupId="g")["MessageId"]
           for i in range(3)]
    dup = sns.publish(TopicArn=topic, Message="f0", MessageGroupId="g")
    assert dup["MessageId"] == ids[0]
    with pytest.raises(sns.exceptions.InvalidParameterException):
        sns.publish(TopicArn=topic, Message="no group")
    got = receive_all(sqs, url, 3, AttributeNames=["All"])
    got += receive_all(sqs, url, 1, timeout=1)
    assert [(m["Body"], m["Attributes"]["MessageGroupId"]) for m in got] == [
        ("f0", "g"), ("f1", "g"), ("f2", "g")]
    standard = sns.create_topic(Name="standard")["TopicArn"]
    with pytest.raises(sns.exceptions.InvalidParameterException):
        sns.subscribe(TopicArn=standard, Protocol="sqs", Endpoint=queue_arn(sqs, url))


def test_fifo_topic_to_standard_queue(clients):
    """AWS delivers a FIFO topic's messages to standard queues too, without the FIFO fields
    (a standard queue refuses MessageDeduplicationId); they used to be dropped."""
    sns, sqs = clients
    topic = sns.create_topic(Name="events.fifo", Attributes={
        "FifoTopic": "true", "ContentBasedDeduplication": "true"})["TopicArn"]
    url = sqs.create_queue(QueueName="events-standard")["QueueUrl"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn(sqs, url))
    published = sns.publish(TopicArn=topic, Message="to standard", MessageGroupId="g")
    [m] = receive_all(sqs, url, 1, AttributeNames=["All"])
    body = json.loads(m["Body"])
    assert body["Message"] == "to standard"
    assert body["MessageId"] == published["MessageId"]
    assert "MessageGroupId" not in m["Attributes"]
    # AWS does not sign a FIFO topic's messages.
    assert not {"Signature", "SignatureVersion", "SigningCertURL"} & set(body), body


def test_attribute_types_raw_and_enveloped(clients):
    sns, sqs = clients
    topic = sns.create_topic(Name="typed")["TopicArn"]
    url = sqs.create_queue(QueueName="typed-q")["QueueUrl"]
    sub = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn(sqs, url),
                        Attributes={"RawMessageDelivery": "true"},
                        ReturnSubscriptionArn=True)["SubscriptionArn"]
    attrs = {"bin": {"DataType": "Binary", "BinaryValue": b"\x00\x01"},
             "num": {"DataType": "Number", "StringValue": "1.5"},
             "arr": {"DataType": "String.Array", "StringValue": '["a","b"]'}}
    sns.publish(TopicArn=topic, Message="typed", MessageAttributes=attrs)
    # botocore checks MD5OfMessageAttributes of the delivered copy.
    [m] = receive_all(sqs, url, 1, MessageAttributeNames=["All"])
    assert m["MessageAttributes"]["bin"] == {"BinaryValue": b"\x00\x01", "DataType": "Binary"}
    assert m["MessageAttributes"]["num"] == {"StringValue": "1.5", "DataType": "Number"}
    assert m["MessageAttributes"]["arr"]["DataType"] == "String.Array"
    sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])

    sns.set_subscription_attributes(SubscriptionArn=sub, AttributeName="RawMessageDelivery",
                                    AttributeValue="false")
    sns.publish(TopicArn=topic, Message="typed2", Subject="subj", MessageAttributes=attrs)
    [m] = receive_all(sqs, url, 1)
    env = json.loads(m["Body"])
    assert (env["Message"], env["Subject"]) == ("typed2", "subj")
    assert env["MessageAttributes"]["bin"] == {"Type": "Binary", "Value": "AAE="}
    assert env["MessageAttributes"]["num"] == {"Type": "Number", "Value": "1.5"}
    assert env["UnsubscribeURL"].endswith("Action=Unsubscribe&SubscriptionArn=" + sub)
    sns.unsubscribe(SubscriptionArn=sub)
    with pytest.raises(sns.exceptions.NotFoundException):
        sns.get_subscription_attributes(SubscriptionArn=sub)
    sns.publish(TopicArn=topic, Message="after unsubscribe")
    assert receive_all(sqs, url, 1, timeout=1) == []


def test_subscribe_again_with_default_attributes_is_the_same_subscription(clients):
    """Subscribe is idempotent; an attribute written out at its default (RawMessageDelivery
    false, in any case) is the same subscription, as AWS answers (issue 20)."""
    sns, sqs = clients
    topic = sns.create_topic(Name="idem")["TopicArn"]
    url = sqs.create_queue(QueueName="idem-q")["QueueUrl"]
    arn = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn(sqs, url),
                        ReturnSubscriptionArn=True)["SubscriptionArn"]
    for raw in ("false", "False"):
        again = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn(sqs, url),
                              Attributes={"RawMessageDelivery": raw},
                              ReturnSubscriptionArn=True)["SubscriptionArn"]
        assert again == arn
    with pytest.raises(sns.exceptions.InvalidParameterException):
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn(sqs, url),
                      Attributes={"RawMessageDelivery": "True"})
