"""SQS behaviours an AWS-validated suite found we differed on (issue 20), with boto3 over JSON.

Each test quotes what AWS documents or answers; the test failed against tidepool before its fix.
"""

import json
import time
import urllib.error
import urllib.parse
import urllib.request

import boto3
import botocore.config
import pytest

from harness import make_client
from sqs_helpers import expect_error


@pytest.fixture
def sqs(endpoint):
    return make_client(endpoint, "sqs")


def expired_handle(sqs, url, **send):
    """Sends "m", receives it for 1 s and waits that out; returns the receipt handle."""
    sqs.send_message(QueueUrl=url, MessageBody="m", **send)
    handle = sqs.receive_message(QueueUrl=url, VisibilityTimeout=1)["Messages"][0]["ReceiptHandle"]
    time.sleep(1.3)
    return handle


def fifo_queue(sqs, name, **attributes):
    attrs = {"FifoQueue": "true", "ContentBasedDeduplication": "true", **attributes}
    return sqs.create_queue(QueueName=name, Attributes=attrs)["QueueUrl"]


def test_fifo_receive_takes_one_group_before_the_next(sqs):
    # AWS (FIFO queue logic): "When you receive messages from a FIFO queue with multiple
    # message group IDs, Amazon SQS first attempts to return as many messages with the same
    # message group ID as possible. This allows other consumers to process messages with a
    # different message group ID."
    url = fifo_queue(sqs, "groups.fifo")
    for body, group in [("a1", "A"), ("b1", "B"), ("a2", "A"), ("b2", "B"), ("a3", "A")]:
        sqs.send_message(QueueUrl=url, MessageBody=body, MessageGroupId=group)
    first = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=2)["Messages"]
    assert [m["Body"] for m in first] == ["a1", "a2"]
    # Group A stays locked while any of its messages is in flight: the next receive gets B's,
    # then A's last message only once a1 and a2 are gone.
    second = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert [m["Body"] for m in second] == ["b1", "b2"]
    assert "Messages" not in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)
    sqs.delete_message(QueueUrl=url, ReceiptHandle=first[0]["ReceiptHandle"])
    assert "Messages" not in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)
    sqs.delete_message(QueueUrl=url, ReceiptHandle=first[1]["ReceiptHandle"])
    third = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert [m["Body"] for m in third] == ["a3"]


def test_fifo_receive_fills_from_the_next_group(sqs):
    # A group with fewer messages than asked for is followed by the next group's messages, in
    # the order of each group's oldest message.
    url = fifo_queue(sqs, "fill.fifo")
    for body, group in [("b1", "B"), ("a1", "A"), ("b2", "B"), ("c1", "C"), ("a2", "A")]:
        sqs.send_message(QueueUrl=url, MessageBody=body, MessageGroupId=group)
    got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=3)["Messages"]
    assert [m["Body"] for m in got] == ["b1", "b2", "a1"]


def test_fifo_group_stays_locked_through_visibility_changes_and_expiry(sqs):
    # AWS knowledge center (sqs-fifo-messages-not-returned): "Inflight messages block delivery
    # of available messages within the same message group"; "The ChangeMessageVisibility API
    # can extend or shorten the visibility timeout period for inflight messages"; "You can wait
    # until the message visibility timeout period expires to allow message redelivery." A
    # message visible again comes back before the later messages of its group, in send order.
    url = fifo_queue(sqs, "vis.fifo")
    for body, group in [("a1", "A"), ("a2", "A"), ("a3", "A"), ("b1", "B")]:
        sqs.send_message(QueueUrl=url, MessageBody=body, MessageGroupId=group)

    def receive(most=10):
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=most,
                                  MessageSystemAttributeNames=["ApproximateReceiveCount"])
        got = got.get("Messages", [])
        handles.update({m["Body"]: m["ReceiptHandle"] for m in got})
        return [(m["Body"], m["Attributes"]["ApproximateReceiveCount"]) for m in got]

    def change(body, seconds):
        sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=handles[body],
                                      VisibilityTimeout=seconds)

    handles = {}
    assert receive(2) == [("a1", "1"), ("a2", "1")]
    # a1 is visible again, but a2 is still in flight: group A stays locked.
    change("a1", 0)
    assert receive() == [("b1", "1")]
    # Once a2 is visible too, the whole group comes back in order.
    change("a2", 0)
    assert receive() == [("a1", "2"), ("a2", "2"), ("a3", "1")]
    # a1 and a2 expire, a3 keeps its 30 s: the group stays locked until a3 is released too.
    change("a1", 1)
    change("a2", 1)
    time.sleep(1.3)
    assert receive() == []
    change("a3", 0)
    assert receive() == [("a1", "3"), ("a2", "3"), ("a3", "2")]


def test_fifo_delete_after_visibility_timeout_fails(sqs):
    # AWS knowledge center (sqs-receipt-handle-error): "For FIFO queues, a receipt handle
    # expires after a visibility timeout period. [...] If you try to delete the message outside
    # of the visibility timeout period, then you see an error similar to the following:
    # (InvalidParameterValue) [...] Value 'YOUR RECEIPT HANDLE' for parameter ReceiptHandle is
    # invalid. Reason: The receipt handle has expired."
    url = fifo_queue(sqs, "expire.fifo")
    handle = expired_handle(sqs, url, MessageGroupId="g")
    err = expect_error(sqs.delete_message, "InvalidParameterValue", QueueUrl=url,
                       ReceiptHandle=handle)
    assert err["Error"]["Message"] == (
        "Value %s for parameter ReceiptHandle is invalid. Reason: The receipt handle has "
        "expired." % handle)
    batch = sqs.delete_message_batch(QueueUrl=url, Entries=[{"Id": "1", "ReceiptHandle": handle}])
    assert batch["Failed"][0]["Code"] == "InvalidParameterValue"
    # The message was not deleted: it comes back with a new handle. The older handle still
    # fails; the new one deletes it.
    again = sqs.receive_message(QueueUrl=url)["Messages"][0]
    assert again["Body"] == "m"
    expect_error(sqs.delete_message, "InvalidParameterValue", QueueUrl=url, ReceiptHandle=handle)
    sqs.delete_message(QueueUrl=url, ReceiptHandle=again["ReceiptHandle"])
    assert "Messages" not in sqs.receive_message(QueueUrl=url)


def test_standard_delete_after_visibility_timeout_succeeds(sqs):
    # AWS (DeleteMessage): "you must provide the most recently received ReceiptHandle for the
    # message (otherwise, the request succeeds, but the message will not be deleted)"; a
    # handle whose timeout expired, with no receive since, still deletes on standard queues.
    url = sqs.create_queue(QueueName="std-expire")["QueueUrl"]
    handle = expired_handle(sqs, url)
    sqs.delete_message(QueueUrl=url, ReceiptHandle=handle)
    assert "Messages" not in sqs.receive_message(QueueUrl=url)


def test_change_visibility_after_expiry_and_with_an_older_handle(sqs):
    # AWS (ChangeMessageVisibility): a message whose visibility timeout expired is no longer in
    # flight: MessageNotInflight ("The specified message isn't in flight."); a handle of an
    # earlier receive of a message received again is refused with InvalidParameterValue
    # ("Message does not exist or is not available for visibility timeout change.").
    url = sqs.create_queue(QueueName="cmv")["QueueUrl"]
    old = expired_handle(sqs, url)
    expect_error(sqs.change_message_visibility, "AWS.SimpleQueueService.MessageNotInflight",
                 QueueUrl=url, ReceiptHandle=old, VisibilityTimeout=30)
    new = sqs.receive_message(QueueUrl=url)["Messages"][0]["ReceiptHandle"]
    err = expect_error(sqs.change_message_visibility, "InvalidParameterValue", QueueUrl=url,
                       ReceiptHandle=old, VisibilityTimeout=30)
    assert "not available for visibility timeout change" in err["Error"]["Message"]
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=new, VisibilityTimeout=0)
    assert sqs.receive_message(QueueUrl=url)["Messages"][0]["Body"] == "m"


def test_generic_errors_carry_awss_json_type_and_query_code(sqs):
    # Over AWS JSON 1.0 SQS answers its generic errors with the common errors' shape names in
    # __type and the query protocol's code in x-amzn-query-error, which botocore (the model is
    # awsQueryCompatible) shows as the code: InvalidParameterValue ->
    # com.amazonaws.sqs#InvalidParameterValueException, MissingParameter ->
    # com.amazonaws.sqs#MissingRequiredParameterException.
    url = sqs.create_queue(QueueName="errors")["QueueUrl"]
    err = expect_error(sqs.send_message, "InvalidParameterValue", QueueUrl=url, MessageBody="x",
                       DelaySeconds=901)
    assert err["Error"]["QueryErrorCode"] == "InvalidParameterValueException"
    assert err["ResponseMetadata"]["HTTPHeaders"]["x-amzn-query-error"] == \
        "InvalidParameterValue;Sender"
    fifo = fifo_queue(sqs, "errors.fifo")
    err = expect_error(sqs.send_message, "MissingParameter", QueueUrl=fifo, MessageBody="x")
    assert err["Error"]["QueryErrorCode"] == "MissingRequiredParameterException"
    assert err["Error"]["Message"] == "The request must contain the parameter MessageGroupId."


def regional_client(endpoint, service, region):
    return boto3.client(service, endpoint_url=endpoint, region_name=region,
                        aws_access_key_id="AKIAIOSFODNN7EXAMPLE", aws_secret_access_key="secret",
                        config=botocore.config.Config(retries={"total_max_attempts": 1}))


def test_same_queue_name_in_two_regions_has_two_urls(endpoint, sqs):
    # On AWS a queue URL names its region (https://sqs.<region>.amazonaws.com/<account>/<name>),
    # so one name in two regions gives two URLs. tidepool keeps one host (no DNS needed) and
    # puts the region in the path for regions other than the default one:
    # http://<host>/queue/<region>/<account>/<name>.
    eu = regional_client(endpoint, "sqs", "eu-west-1")
    home = sqs.create_queue(QueueName="twin")["QueueUrl"]
    away = eu.create_queue(QueueName="twin")["QueueUrl"]
    assert home == endpoint + "/000000000000/twin"
    assert away == endpoint + "/queue/eu-west-1/000000000000/twin"
    assert eu.get_queue_url(QueueName="twin")["QueueUrl"] == away
    assert eu.list_queues()["QueueUrls"] == [away]
    assert sqs.list_queues()["QueueUrls"] == [home]
    assert eu.get_queue_attributes(QueueUrl=away, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"] == "arn:aws:sqs:eu-west-1:000000000000:twin"
    sqs.send_message(QueueUrl=home, MessageBody="home")
    eu.send_message(QueueUrl=away, MessageBody="away")
    # A URL with a region names that region's queue whatever region the client signs with; one
    # without (the default region's form) names the queue of the client's region.
    assert [m["Body"] for m in sqs.receive_message(QueueUrl=away)["Messages"]] == ["away"]
    assert [m["Body"] for m in sqs.receive_message(QueueUrl=home)["Messages"]] == ["home"]
    # An older SDK's query request POSTed to the queue URL itself (no QueueUrl parameter).
    body = urllib.parse.urlencode({"Action": "SendMessage", "Version": "2012-11-05",
                                   "MessageBody": "by query"}).encode()
    with urllib.request.urlopen(urllib.request.Request(away, data=body)) as resp:
        assert resp.status == 200
    got = eu.receive_message(QueueUrl=away, VisibilityTimeout=0, WaitTimeSeconds=1)
    assert [m["Body"] for m in got["Messages"]] == ["by query"]


def test_sender_id_is_the_senders_principal_id(sqs):
    # AWS: SenderId is the sender's principal id (for an account's root credentials, the
    # account id; an IAM user's AIDA... id), never the access key id.
    url = sqs.create_queue(QueueName="sender")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="m")
    got = sqs.receive_message(QueueUrl=url, MessageSystemAttributeNames=["SenderId"])
    assert got["Messages"][0]["Attributes"]["SenderId"] == "000000000000"


def test_high_throughput_fifo_deduplicates_per_message_group(sqs):
    # AWS (high throughput for FIFO queues): with DeduplicationScope messageGroup, "the
    # deduplication ID is unique within a message group"; the same id in two groups sends two
    # messages, twice in one group sends one.
    url = fifo_queue(sqs, "ht.fifo", DeduplicationScope="messageGroup",
                     FifoThroughputLimit="perMessageGroupId")
    first = sqs.send_message(QueueUrl=url, MessageBody="a", MessageGroupId="g1",
                             MessageDeduplicationId="d")
    again = sqs.send_message(QueueUrl=url, MessageBody="a", MessageGroupId="g1",
                             MessageDeduplicationId="d")
    other = sqs.send_message(QueueUrl=url, MessageBody="a", MessageGroupId="g2",
                             MessageDeduplicationId="d")
    assert again["MessageId"] == first["MessageId"]
    assert other["MessageId"] != first["MessageId"]
    got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert sorted(m["MessageId"] for m in got) == sorted([first["MessageId"], other["MessageId"]])


def test_query_protocol_words_a_missing_queue_for_its_wsdl(endpoint):
    # AWS's query API: "The specified queue does not exist for this wsdl version." (code
    # AWS.SimpleQueueService.NonExistentQueue); its JSON API says "...does not exist."
    query = urllib.parse.urlencode({"Action": "GetQueueUrl", "Version": "2012-11-05",
                                    "QueueName": "nowhere"})
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(endpoint + "/?" + query)
    body = info.value.read().decode()
    assert info.value.code == 400
    assert "<Code>AWS.SimpleQueueService.NonExistentQueue</Code>" in body
    assert "<Message>The specified queue does not exist for this wsdl version.</Message>" in body


def test_message_attribute_name_prefix_patterns(sqs):
    # AWS (ReceiveMessage, MessageAttributeNames): "you can return all of the attributes
    # starting with a prefix, for example bar.*".
    url = sqs.create_queue(QueueName="prefix")["QueueUrl"]
    attributes = {name: {"DataType": "String", "StringValue": name} for name in
                  ("foo.a", "foo.b", "bar")}
    sqs.send_message(QueueUrl=url, MessageBody="m", MessageAttributes=attributes)
    got = sqs.receive_message(QueueUrl=url, MessageAttributeNames=["foo.*"])["Messages"][0]
    assert sorted(got["MessageAttributes"]) == ["foo.a", "foo.b"]


def test_aws_trace_header_comes_from_x_amzn_trace_id(sqs):
    # AWS: a SendMessage carrying an X-Ray trace header (X-Amzn-Trace-Id) stores it as the
    # AWSTraceHeader system attribute of the message.
    trace = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"

    def add(request, **kwargs):
        request.headers["X-Amzn-Trace-Id"] = trace
    sqs.meta.events.register("before-sign.sqs.SendMessage", add)
    url = sqs.create_queue(QueueName="traced")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="m")
    got = sqs.receive_message(QueueUrl=url, MessageSystemAttributeNames=["AWSTraceHeader"])
    assert got["Messages"][0]["Attributes"]["AWSTraceHeader"] == trace


def form_post(endpoint, body, sign_for=None):
    """POSTs a form-encoded body to the endpoint root (SigV4-signed for `sign_for` when given);
    returns (status, body text)."""
    headers = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
    if sign_for:
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials
        aws_request = AWSRequest(method="POST", url=endpoint + "/", data=body, headers=headers)
        SigV4Auth(Credentials("test", "test"), sign_for, "us-east-1").add_auth(aws_request)
        headers = dict(aws_request.headers.items())
    request = urllib.request.Request(endpoint + "/", data=body.encode(), headers=headers,
                                     method="POST")
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


@pytest.mark.parametrize("sign_for", [None, "sqs"])
def test_query_request_without_action_is_missing_action(endpoint, sign_for):
    # AWS (common errors of the query API): MissingAction, "The request is missing an action or
    # a required parameter.", HTTP 400. Before, such a POST went on to S3.
    status, body = form_post(endpoint, "Version=2012-11-05&QueueName=q", sign_for)
    assert status == 400, body
    assert "<Code>MissingAction</Code>" in body
    assert "The request is missing an action or a required parameter." in body
    assert "<Type>Sender</Type>" in body


def test_json_request_without_target_is_unknown_operation(endpoint):
    # The JSON protocol names the operation in X-Amz-Target only; without it AWS answers
    # UnknownOperationException.
    request = urllib.request.Request(
        endpoint + "/", data=b'{"QueueName": "q"}', method="POST",
        headers={"Content-Type": "application/x-amz-json-1.0"})
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(request)
    assert info.value.code == 400
    assert "UnknownOperationException" in info.value.read().decode()


def test_high_throughput_fifo_attribute_rules(sqs):
    # AWS (CreateQueue, FifoThroughputLimit): "The perMessageGroupId value is allowed only when
    # the value for DeduplicationScope is messageGroup"; both attributes apply only to FIFO
    # queues.
    expect_error(lambda: fifo_queue(sqs, "ht-bad.fifo", DeduplicationScope="queue",
                                    FifoThroughputLimit="perMessageGroupId"),
                 "InvalidAttributeValue")
    expect_error(lambda: sqs.create_queue(QueueName="ht-std",
                                          Attributes={"DeduplicationScope": "messageGroup"}),
                 "InvalidAttributeName")
    url = fifo_queue(sqs, "ht-ok.fifo", DeduplicationScope="messageGroup",
                     FifoThroughputLimit="perMessageGroupId")
    # Going back to queue-wide deduplication while the limit stays per group is refused too.
    expect_error(lambda: sqs.set_queue_attributes(QueueUrl=url,
                                                  Attributes={"DeduplicationScope": "queue"}),
                 "InvalidAttributeValue")
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"DeduplicationScope": "queue",
                                                       "FifoThroughputLimit": "perQueue"})
    got = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert (got["DeduplicationScope"], got["FifoThroughputLimit"]) == ("queue", "perQueue")


def test_validation_of_batches_attributes_and_permissions_with_boto3(sqs):
    # Issue 20's validation bullets, through boto3 (the service unit tests cover the codes).
    # AWS (SendMessageBatch): a FIFO entry needs MessageGroupId, and MessageDeduplicationId
    # unless the queue has ContentBasedDeduplication; each entry is checked as SendMessage is.
    url = fifo_queue(sqs, "checks.fifo", ContentBasedDeduplication="false")
    got = sqs.send_message_batch(QueueUrl=url, Entries=[
        {"Id": "no-group", "MessageBody": "x", "MessageDeduplicationId": "d"},
        {"Id": "no-dedup", "MessageBody": "x", "MessageGroupId": "g"},
        {"Id": "ok", "MessageBody": "x", "MessageGroupId": "g", "MessageDeduplicationId": "d"}])
    assert [s["Id"] for s in got["Successful"]] == ["ok"]
    failed = {f["Id"]: f for f in got["Failed"]}
    assert failed["no-group"]["Code"] == "MissingParameter"
    assert failed["no-group"]["Message"] == "The request must contain the parameter MessageGroupId."
    assert failed["no-dedup"]["Code"] == "InvalidParameterValue"
    assert all(f["SenderFault"] for f in got["Failed"])
    # AWS (message attributes): string values take the characters message bodies take.
    plain = sqs.create_queue(QueueName="checks")["QueueUrl"]
    expect_error(lambda: sqs.send_message(
        QueueUrl=plain, MessageBody="x",
        MessageAttributes={"a": {"DataType": "String", "StringValue": "bad\x00"}}),
        "InvalidMessageContents")
    # AWS: a FIFO queue's attributes are unknown attributes of a standard queue.
    err = expect_error(lambda: sqs.create_queue(
        QueueName="checks-std", Attributes={"ContentBasedDeduplication": "true"}),
        "InvalidAttributeName")
    assert err["Error"]["Message"] == "Unknown Attribute ContentBasedDeduplication."
    expect_error(lambda: sqs.set_queue_attributes(
        QueueUrl=plain, Attributes={"ContentBasedDeduplication": "false"}),
        "InvalidAttributeName")
    # AddPermission writes a policy of AWS's shape; the same label again is refused.
    sqs.add_permission(QueueUrl=plain, Label="L", AWSAccountIds=["111122223333"],
                       Actions=["SendMessage"])
    policy = json.loads(sqs.get_queue_attributes(QueueUrl=plain, AttributeNames=["Policy"])[
        "Attributes"]["Policy"])
    assert policy["Version"] == "2012-10-17"
    assert policy["Id"] == "arn:aws:sqs:us-east-1:000000000000:checks/SQSDefaultPolicy"
    assert policy["Statement"] == [{
        "Sid": "L", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
        "Action": "SQS:SendMessage", "Resource": "arn:aws:sqs:us-east-1:000000000000:checks"}]
    expect_error(lambda: sqs.add_permission(QueueUrl=plain, Label="L",
                                            AWSAccountIds=["111122223333"],
                                            Actions=["ReceiveMessage"]),
                 "InvalidParameterValue")
