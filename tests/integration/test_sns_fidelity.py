"""SNS behaviours an AWS-validated suite found we differed on (issue 20), with boto3.

Each test quotes what AWS documents or answers; the test failed against tidepool before its fix.
"""

import json

import pytest

from harness import make_client
from sqs_helpers import queue_arn, receive_all

TRACE = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"


@pytest.fixture
def clients(endpoint):
    return make_client(endpoint, "sns"), make_client(endpoint, "sqs")


def with_trace_header(client, operation):
    def add(request, **kwargs):
        request.headers["X-Amzn-Trace-Id"] = TRACE
    client.meta.events.register("before-sign.%s.%s" % (client.meta.service_model.service_name,
                                                      operation), add)


def test_sqs_deliveries_carry_snss_sender_id_group_id_and_trace(clients):
    # AWS: messages SNS delivers to SQS carry SNS's principal id as SenderId
    # (AIDAIT2UOQQY3AUEKVGXU), the publisher's X-Ray trace as AWSTraceHeader, and, from a
    # standard topic, the MessageGroupId given to Publish (fair queues: "Amazon SNS standard
    # topics [...] pass the message group ID to subscribed Amazon SQS standard queues").
    sns, sqs = clients
    topic = sns.create_topic(Name="carry")["TopicArn"]
    url = sqs.create_queue(QueueName="carry-q")["QueueUrl"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn(sqs, url),
                  Attributes={"RawMessageDelivery": "true"})
    with_trace_header(sns, "Publish")
    sns.publish(TopicArn=topic, Message="tenant message", MessageGroupId="tenant-1")
    got = receive_all(sqs, url, 1, MessageSystemAttributeNames=["All"])
    assert len(got) == 1
    attrs = got[0]["Attributes"]
    assert attrs["SenderId"] == "AIDAIT2UOQQY3AUEKVGXU"
    assert attrs["MessageGroupId"] == "tenant-1"
    assert attrs["AWSTraceHeader"] == TRACE
    assert got[0]["Body"] == "tenant message"


def test_fifo_topic_to_fifo_queue_carries_group_and_sender(clients):
    sns, sqs = clients
    topic = sns.create_topic(Name="carry.fifo", Attributes={
        "FifoTopic": "true", "ContentBasedDeduplication": "true"})["TopicArn"]
    url = sqs.create_queue(QueueName="carry-q.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn(sqs, url))
    sns.publish(TopicArn=topic, Message="m", MessageGroupId="g")
    got = receive_all(sqs, url, 1, MessageSystemAttributeNames=["All"])
    assert len(got) == 1
    assert got[0]["Attributes"]["SenderId"] == "AIDAIT2UOQQY3AUEKVGXU"
    assert got[0]["Attributes"]["MessageGroupId"] == "g"
    # AWS does not sign FIFO topics' notifications.
    envelope = json.loads(got[0]["Body"])
    assert not {"Signature", "SignatureVersion", "SigningCertURL"} & set(envelope)


def test_add_permission_policy_shape_and_errors(clients):
    # AWS's topic policy after AddPermission: one statement per label, Sid the label,
    # principals "arn:aws:iam::<account>:root" and actions "SNS:<name>", each a string when
    # there is one and a list when several. A label used twice is refused ("Invalid parameter:
    # Statement already exists"), as is an action a topic policy cannot name ("Invalid
    # parameter: Policy statement action out of service scope!"); RemovePermission of an
    # unknown label succeeds.
    sns, _ = clients
    topic = sns.create_topic(Name="perm")["TopicArn"]
    sns.add_permission(TopicArn=topic, Label="one", AWSAccountId=["111122223333"],
                       ActionName=["Publish"])
    sns.add_permission(TopicArn=topic, Label="two", AWSAccountId=["111122223333", "444455556666"],
                       ActionName=["Publish", "Subscribe"])
    policy = json.loads(sns.get_topic_attributes(TopicArn=topic)["Attributes"]["Policy"])
    by_sid = {s["Sid"]: s for s in policy["Statement"]}
    assert by_sid["one"] == {"Sid": "one", "Effect": "Allow",
                             "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
                             "Action": "SNS:Publish", "Resource": topic}
    assert by_sid["two"]["Principal"] == {"AWS": ["arn:aws:iam::111122223333:root",
                                                  "arn:aws:iam::444455556666:root"]}
    assert by_sid["two"]["Action"] == ["SNS:Publish", "SNS:Subscribe"]
    with pytest.raises(sns.exceptions.InvalidParameterException) as info:
        sns.add_permission(TopicArn=topic, Label="one", AWSAccountId=["111122223333"],
                           ActionName=["Publish"])
    assert info.value.response["Error"]["Message"] == \
        "Invalid parameter: Statement already exists"
    with pytest.raises(sns.exceptions.InvalidParameterException) as info:
        sns.add_permission(TopicArn=topic, Label="bad", AWSAccountId=["111122223333"],
                           ActionName=["SendMessage"])
    assert info.value.response["Error"]["Message"] == \
        "Invalid parameter: Policy statement action out of service scope!"
    sns.remove_permission(TopicArn=topic, Label="nope")
    sns.remove_permission(TopicArn=topic, Label="one")
    policy = json.loads(sns.get_topic_attributes(TopicArn=topic)["Attributes"]["Policy"])
    assert "one" not in {s["Sid"] for s in policy["Statement"]}


def test_subscribe_again_compares_attribute_values_as_aws(clients):
    # AWS answers a repeated Subscribe with the same subscription when its attributes are
    # equal as AWS compares them: "true" equals "True"; a different value is refused
    # ("Invalid parameter: Attributes Reason: Subscription already exists with different
    # attributes").
    sns, sqs = clients
    topic = sns.create_topic(Name="again")["TopicArn"]
    arn = queue_arn(sqs, sqs.create_queue(QueueName="again-q")["QueueUrl"])
    first = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn,
                          Attributes={"RawMessageDelivery": "true"})["SubscriptionArn"]
    again = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn,
                          Attributes={"RawMessageDelivery": "True"})["SubscriptionArn"]
    assert again == first
    with pytest.raises(sns.exceptions.InvalidParameterException):
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn,
                      Attributes={"RawMessageDelivery": "false"})


def test_confirm_subscription_and_unsubscribe_error_precedence(clients):
    # AWS's ConfirmSubscription checks the TopicArn's form ("Invalid parameter: Topic") and
    # then the token ("Invalid parameter: Token"), never whether the topic exists: a bad token
    # for a topic that does not exist is a bad token. Unsubscribe refuses what is not an ARN
    # ("...An ARN must have at least 6 elements, not N") and a topic's ARN ("Invalid
    # parameter: SubscriptionId"), and succeeds for a well-formed ARN of no subscription.
    sns, _ = clients
    topic = sns.create_topic(Name="precedence")["TopicArn"]

    def error_of(fn, **kwargs):
        with pytest.raises(sns.exceptions.InvalidParameterException) as info:
            fn(**kwargs)
        return info.value.response["Error"]["Message"]

    assert error_of(sns.confirm_subscription, TopicArn="not-an-arn", Token="t") == \
        "Invalid parameter: Topic"
    assert error_of(sns.confirm_subscription, TopicArn=topic + "-gone", Token="t") == \
        "Invalid parameter: Token"
    assert error_of(sns.confirm_subscription, TopicArn=topic, Token="t") == \
        "Invalid parameter: Token"
    assert error_of(sns.unsubscribe, SubscriptionArn="garbage") == \
        "Invalid parameter: SubscriptionArn Reason: An ARN must have at least 6 elements, not 1"
    assert error_of(sns.unsubscribe, SubscriptionArn=topic) == \
        "Invalid parameter: SubscriptionId"
    sns.unsubscribe(SubscriptionArn=topic + ":2f6bb2c3-0b55-4a7e-9b3b-3c4d5e6f7a8b")


def test_publish_batch_total_size_counts_attributes(clients):
    # AWS: "The total aggregate size of all messages within a single PublishBatch request
    # can't exceed 262,144 bytes (256 KiB)", a message's size counting its attributes (names,
    # types and values) as Publish's limit does; over it: BatchRequestTooLong.
    sns, _ = clients
    topic = sns.create_topic(Name="batch-size")["TopicArn"]
    half = 262144 // 2
    exact = [{"Id": "a", "Message": "x" * half}, {"Id": "b", "Message": "x" * half}]
    assert len(sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=exact)[
        "Successful"]) == 2
    over = [{"Id": "a", "Message": "x" * (half - 4), "MessageAttributes": {
        "k": {"DataType": "String", "StringValue": "vv"}}}, {"Id": "b", "Message": "x" * half}]
    with pytest.raises(sns.exceptions.BatchRequestTooLongException) as info:
        sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=over)
    assert info.value.response["Error"]["Message"] == \
        "The length of all the messages put together is more than the limit."
