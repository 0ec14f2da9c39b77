"""The query protocol's JSON replies (issue 20): SQS and SNS answer a query-protocol request in
JSON when it asks for JSON, as AWS does. Plain HTTP clients (urllib), as API Gateway
integrations, scripts and non-AWS SDKs that send `Accept: application/json` use them.

AWS's shapes, recorded from its replies:
  {"SendMessageResponse": {"SendMessageResult": {"MD5OfMessageBody": ..., "MessageId": ...,
   "SequenceNumber": null, ...}, "ResponseMetadata": {"RequestId": ...}}}
  {"ReceiveMessageResponse": {"ReceiveMessageResult": {"messages": null}, ...}}
  {"ListQueuesResponse": {"ListQueuesResult": {"NextToken": null, "queueUrls": null}, ...}}
  {"ListTopicsResponse": {"ListTopicsResult": {"NextToken": null, "Topics": [{"TopicArn": ...}]},
   "ResponseMetadata": {...}}}
  {"Error": {"Code": "AccessDenied", "Message": ..., "Type": "Sender"}, "RequestId": ...}
"""

import hashlib
import json
import urllib.error
import urllib.parse
import urllib.request

import pytest

from harness import make_client


def query(endpoint, params, accept="application/json", post=False, sign_for="sqs"):
    """Sends a query-protocol request (GET with the parameters in the URL, or a form POST),
    SigV4-signed for `sign_for`; returns (status, content type, body text)."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    encoded = urllib.parse.urlencode(params)
    headers = {}
    if accept:
        headers["Accept"] = accept
    if post:
        url, data = endpoint + "/", encoded
        headers["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8"
    else:
        url, data = endpoint + "/?" + encoded, None
    aws_request = AWSRequest(method="POST" if post else "GET", url=url, data=data,
                             headers=headers)
    SigV4Auth(Credentials("test", "test"), sign_for, "us-east-1").add_auth(aws_request)
    request = urllib.request.Request(url, data=data.encode() if data else None,
                                     headers=dict(aws_request.headers.items()),
                                     method=aws_request.method)
    try:
        with urllib.request.urlopen(request) as response:
            return (response.status, response.headers["Content-Type"],
                    response.read().decode())
    except urllib.error.HTTPError as e:
        return e.code, e.headers["Content-Type"], e.read().decode()


def json_reply(endpoint, params, **kwargs):
    status, content_type, body = query(endpoint, params, **kwargs)
    assert content_type == "application/json", (status, content_type, body)
    return status, json.loads(body)


SQS = {"Version": "2012-11-05"}
SNS = {"Version": "2010-03-31"}


def test_sqs_get_answers_json_when_accept_asks(endpoint):
    status, got = json_reply(endpoint, {**SQS, "Action": "CreateQueue", "QueueName": "j"})
    assert status == 200
    url = got["CreateQueueResponse"]["CreateQueueResult"]["QueueUrl"]
    assert url.endswith("/000000000000/j")
    assert got["CreateQueueResponse"]["ResponseMetadata"]["RequestId"]

    status, got = json_reply(endpoint, {**SQS, "Action": "SendMessage", "QueueUrl": url,
                                        "MessageBody": "hello"})
    result = got["SendMessageResponse"]["SendMessageResult"]
    assert result["MD5OfMessageBody"] == hashlib.md5(b"hello").hexdigest()
    assert result["MessageId"]
    # Every member of the output is there; what is unset is null, as AWS sends it.
    assert result["SequenceNumber"] is None
    assert result["MD5OfMessageAttributes"] is None

    _, got = json_reply(endpoint, {**SQS, "Action": "ReceiveMessage", "QueueUrl": url,
                                   "AttributeName.1": "All"})
    messages = got["ReceiveMessageResponse"]["ReceiveMessageResult"]["messages"]
    assert [m["Body"] for m in messages] == ["hello"]
    assert messages[0]["Attributes"]["ApproximateReceiveCount"] == "1"
    assert messages[0]["MessageAttributes"] is None
    # An empty receive has no messages: null, as AWS answers.
    _, got = json_reply(endpoint, {**SQS, "Action": "ReceiveMessage", "QueueUrl": url})
    assert got["ReceiveMessageResponse"]["ReceiveMessageResult"]["messages"] is None

    _, got = json_reply(endpoint, {**SQS, "Action": "ListQueues"})
    assert got["ListQueuesResponse"]["ListQueuesResult"]["queueUrls"] == [url]
    _, got = json_reply(endpoint, {**SQS, "Action": "GetQueueAttributes", "QueueUrl": url,
                                   "AttributeName.1": "VisibilityTimeout"})
    assert got["GetQueueAttributesResponse"]["GetQueueAttributesResult"]["Attributes"] == {
        "VisibilityTimeout": "30"}
    # An operation without output: only the metadata.
    _, got = json_reply(endpoint, {**SQS, "Action": "DeleteQueue", "QueueUrl": url})
    assert list(got["DeleteQueueResponse"]) == ["ResponseMetadata"]


def test_sqs_post_and_errors_in_json(endpoint):
    status, got = json_reply(endpoint, {**SQS, "Action": "GetQueueUrl", "QueueName": "nowhere"},
                             post=True)
    assert status == 400
    assert got["Error"] == {
        "Code": "AWS.SimpleQueueService.NonExistentQueue",
        "Message": "The specified queue does not exist for this wsdl version.",
        "Type": "Sender"}
    assert got["RequestId"]
    status, got = json_reply(endpoint, {**SQS, "QueueName": "q"}, post=True)
    assert status == 400
    assert got["Error"]["Code"] == "MissingAction"
    status, got = json_reply(endpoint, {**SQS, "Action": "Fly"})
    assert status == 400
    assert got["Error"]["Code"] == "InvalidAction"
    status, got = json_reply(endpoint, {**SQS, "Action": "CreateQueue"})
    assert status == 400
    assert got["Error"]["Code"] == "MissingParameter"


def test_xml_stays_the_default(endpoint):
    for accept in (None, "*/*", "text/xml", "application/xml, application/json"):
        status, content_type, body = query(endpoint, {**SQS, "Action": "ListQueues"},
                                           accept=accept)
        assert status == 200
        assert content_type == "text/xml", accept
        assert "<ListQueuesResponse" in body
    # A JSON range first (with parameters and q-values) asks for JSON.
    _, content_type, body = query(endpoint, {**SQS, "Action": "ListQueues"},
                                  accept="application/json;q=0.9, text/xml;q=0.1")
    assert content_type == "application/json"
    assert "ListQueuesResponse" in json.loads(body)
    # ContentType=JSON, the query API's own switch, asks for JSON too.
    _, content_type, body = query(endpoint, {**SQS, "Action": "ListQueues",
                                             "ContentType": "JSON"}, accept=None)
    assert content_type == "application/json"
    assert "ListQueuesResponse" in json.loads(body)


def test_sns_answers_json(endpoint):
    sns = make_client(endpoint, "sns")
    arn = sns.create_topic(Name="jt", Attributes={"DisplayName": "J"})["TopicArn"]
    _, got = json_reply(endpoint, {**SNS, "Action": "ListTopics"}, sign_for="sns")
    assert got["ListTopicsResponse"]["ListTopicsResult"] == {"NextToken": None,
                                                            "Topics": [{"TopicArn": arn}]}
    _, got = json_reply(endpoint, {**SNS, "Action": "Publish", "TopicArn": arn,
                                   "Message": "m"}, sign_for="sns", post=True)
    result = got["PublishResponse"]["PublishResult"]
    assert result["MessageId"] and result["SequenceNumber"] is None
    _, got = json_reply(endpoint, {**SNS, "Action": "GetTopicAttributes", "TopicArn": arn},
                        sign_for="sns")
    attributes = got["GetTopicAttributesResponse"]["GetTopicAttributesResult"]["Attributes"]
    assert attributes["DisplayName"] == "J" and attributes["TopicArn"] == arn
    status, got = json_reply(endpoint, {**SNS, "Action": "GetTopicAttributes",
                                        "TopicArn": arn + "x"}, sign_for="sns")
    assert status == 404
    assert got["Error"]["Code"] == "NotFound" and got["Error"]["Type"] == "Sender"
    assert got["RequestId"]


def test_sts_answers_json(endpoint):
    # AWS's STS reply: {"GetCallerIdentityResponse": {"GetCallerIdentityResult": {"Account": ...,
    # "Arn": ..., "UserId": ...}, "ResponseMetadata": {"RequestId": ...}}}
    _, got = json_reply(endpoint, {"Version": "2011-06-15", "Action": "GetCallerIdentity"},
                        sign_for="sts", post=True)
    result = got["GetCallerIdentityResponse"]["GetCallerIdentityResult"]
    assert result["Account"] == "000000000000"
    assert result["Arn"].startswith("arn:aws:")
    assert got["GetCallerIdentityResponse"]["ResponseMetadata"]["RequestId"]
