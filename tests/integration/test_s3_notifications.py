"""S3 event notifications: configuration round trip and validation, the s3:TestEvent on save,
and event records in AWS's format delivered to a queue and through a topic, with filters."""

import json
import time

import pytest
from botocore.exceptions import ClientError

from harness import make_client


def receive(sqs, url, want, timeout=10.0):
    bodies = []
    deadline = time.monotonic() + timeout
    while len(bodies) < want and time.monotonic() < deadline:
        for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                     WaitTimeSeconds=1).get("Messages", []):
            bodies.append(json.loads(m["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    return bodies


def test_queue_and_topic_notifications(endpoint):
    s3 = make_client(endpoint, "s3")
    sqs = make_client(endpoint, "sqs")
    sns = make_client(endpoint, "sns")
    url = sqs.create_queue(QueueName="events")["QueueUrl"]
    qarn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
        "Attributes"]["QueueArn"]
    turl = sqs.create_queue(QueueName="via-topic")["QueueUrl"]
    tqarn = sqs.get_queue_attributes(QueueUrl=turl, AttributeNames=["QueueArn"])[
        "Attributes"]["QueueArn"]
    topic = sns.create_topic(Name="s3-events")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=tqarn,
                  Attributes={"RawMessageDelivery": "true"})
    s3.create_bucket(Bucket="uploads")
    config = {
        "QueueConfigurations": [{
            "Id": "csv-to-queue", "QueueArn": qarn, "Events": ["s3:ObjectCreated:*"],
            "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "in/"},
                                               {"Name": "suffix", "Value": ".csv"}]}}}],
        "TopicConfigurations": [{
            "TopicArn": topic, "Events": ["s3:ObjectRemoved:*"]}],
    }
    s3.put_bucket_notification_configuration(Bucket="uploads", NotificationConfiguration=config)
    got = s3.get_bucket_notification_configuration(Bucket="uploads")
    assert got["QueueConfigurations"][0]["Id"] == "csv-to-queue"
    assert got["QueueConfigurations"][0]["Filter"]["Key"]["FilterRules"][1]["Value"] == ".csv"
    assert got["TopicConfigurations"][0]["Id"]
    tests = receive(sqs, url, 1)
    assert tests[0]["Event"] == "s3:TestEvent" and tests[0]["Bucket"] == "uploads"
    assert receive(sqs, turl, 1)[0]["Event"] == "s3:TestEvent"

    s3.put_object(Bucket="uploads", Key="in/skip.txt", Body=b"no")
    s3.put_object(Bucket="uploads", Key="out/skip.csv", Body=b"no")
    s3.put_object(Bucket="uploads", Key="in/orders 1.csv", Body=b"a,b\n1,2\n")
    events = receive(sqs, url, 1)
    assert len(events) == 1
    record = events[0]["Records"][0]
    assert record["eventVersion"] == "2.1"
    assert record["eventSource"] == "aws:s3"
    assert record["awsRegion"] == "us-east-1"
    assert record["eventName"] == "ObjectCreated:Put"
    assert record["s3"]["configurationId"] == "csv-to-queue"
    assert record["s3"]["bucket"]["name"] == "uploads"
    assert record["s3"]["bucket"]["arn"] == "arn:aws:s3:::uploads"
    assert record["s3"]["object"]["key"] == "in/orders+1.csv"
    assert record["s3"]["object"]["size"] == 8
    assert record["s3"]["object"]["eTag"]
    assert record["s3"]["object"]["sequencer"]
    assert record["responseElements"]["x-amz-request-id"]

    s3.delete_object(Bucket="uploads", Key="in/orders 1.csv")
    removed = receive(sqs, turl, 1)
    assert removed[0]["Records"][0]["eventName"] == "ObjectRemoved:Delete"
    assert receive(sqs, url, 1, timeout=1.5) == []


def test_notification_configuration_errors(endpoint):
    s3 = make_client(endpoint, "s3")
    s3.create_bucket(Bucket="cfg")
    arn = "arn:aws:sqs:us-east-1:000000000000:q"
    with pytest.raises(ClientError) as e:
        s3.put_bucket_notification_configuration(Bucket="cfg", NotificationConfiguration={
            "QueueConfigurations": [{"QueueArn": arn, "Events": ["s3:ObjectMade:*"]}]})
    assert e.value.response["Error"]["Code"] == "InvalidArgument"
    with pytest.raises(ClientError) as e:
        s3.put_bucket_notification_configuration(Bucket="cfg", NotificationConfiguration={
            "QueueConfigurations": [{"QueueArn": arn, "Events": ["s3:ObjectCreated:*"]},
                                    {"QueueArn": arn, "Events": ["s3:ObjectCreated:Put"]}]})
    assert e.value.response["Error"]["Code"] == "InvalidArgument"
    assert "overlap" in e.value.response["Error"]["Message"]
    # Disjoint suffixes do not overlap.
    s3.put_bucket_notification_configuration(Bucket="cfg", NotificationConfiguration={
        "QueueConfigurations": [
            {"QueueArn": arn, "Events": ["s3:ObjectCreated:*"],
             "Filter": {"Key": {"FilterRules": [{"Name": "suffix", "Value": ".csv"}]}}},
            {"QueueArn": arn, "Events": ["s3:ObjectCreated:*"],
             "Filter": {"Key": {"FilterRules": [{"Name": "suffix", "Value": ".json"}]}}}]})
    assert len(s3.get_bucket_notification_configuration(Bucket="cfg")["QueueConfigurations"]) == 2
    s3.put_bucket_notification_configuration(Bucket="cfg", NotificationConfiguration={})
    assert "QueueConfigurations" not in s3.get_bucket_notification_configuration(Bucket="cfg")


LAMBDA_HANDLER = """
import json
import boto3

def handler(event, context):
    sqs = boto3.client("sqs")
    url = sqs.get_queue_url(QueueName="seen-by-lambda")["QueueUrl"]
    record = event["Records"][0]
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps(
        {"name": record["eventName"], "key": record["s3"]["object"]["key"],
         "size": record["s3"]["object"].get("size")}))
"""


def test_function_notification(endpoint):
    """A .csv upload invokes a function (seed 002's start), which reports back through SQS."""
    from lambda_helpers import zip_one
    s3 = make_client(endpoint, "s3")
    sqs = make_client(endpoint, "sqs", access_key="000000000000")
    lam = make_client(endpoint, "lambda", access_key="000000000000")
    url = sqs.create_queue(QueueName="seen-by-lambda")["QueueUrl"]
    fn = lam.create_function(FunctionName="on-upload", Runtime="python3.12",
                             Role="arn:aws:iam::000000000000:role/r", Handler="app.handler",
                             Code={"ZipFile": zip_one("app.py", LAMBDA_HANDLER)}, Timeout=30)
    lam.get_waiter("function_active_v2").wait(FunctionName="on-upload",
                                              WaiterConfig={"Delay": 0.1, "MaxAttempts": 50})
    s3 = make_client(endpoint, "s3", access_key="000000000000")
    s3.create_bucket(Bucket="partner")
    s3.put_bucket_notification_configuration(Bucket="partner", NotificationConfiguration={
        "LambdaFunctionConfigurations": [{
            "LambdaFunctionArn": fn["FunctionArn"], "Events": ["s3:ObjectCreated:*"],
            "Filter": {"Key": {"FilterRules": [{"Name": "suffix", "Value": ".csv"}]}}}]})
    s3.put_object(Bucket="partner", Key="readme.txt", Body=b"ignored")
    s3.put_object(Bucket="partner", Key="orders.csv", Body=b"id,qty\n1,2\n")
    seen = receive(sqs, url, 1, timeout=30)
    assert seen == [{"name": "ObjectCreated:Put", "key": "orders.csv", "size": 11}]
    assert receive(sqs, url, 1, timeout=1.5) == []


def test_multipart_tagging_and_versioned_events(endpoint):
    """CompleteMultipartUpload, tagging and delete-marker events, with version ids."""
    s3 = make_client(endpoint, "s3")
    sqs = make_client(endpoint, "sqs")
    url = sqs.create_queue(QueueName="more-events")["QueueUrl"]
    qarn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
        "Attributes"]["QueueArn"]
    s3.create_bucket(Bucket="more-events")
    s3.put_bucket_versioning(Bucket="more-events",
                             VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_notification_configuration(Bucket="more-events", NotificationConfiguration={
        "QueueConfigurations": [{"QueueArn": qarn, "Events": [
            "s3:ObjectCreated:CompleteMultipartUpload", "s3:ObjectTagging:*",
            "s3:ObjectRemoved:*"]}]})
    receive(sqs, url, 1, timeout=3)  # the s3:TestEvent
    upload = s3.create_multipart_upload(Bucket="more-events", Key="mp")["UploadId"]
    part = s3.upload_part(Bucket="more-events", Key="mp", UploadId=upload, PartNumber=1,
                          Body=b"part")
    version = s3.complete_multipart_upload(
        Bucket="more-events", Key="mp", UploadId=upload,
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]})["VersionId"]
    s3.put_object_tagging(Bucket="more-events", Key="mp",
                          Tagging={"TagSet": [{"Key": "a", "Value": "b"}]})
    s3.delete_object_tagging(Bucket="more-events", Key="mp")
    marker = s3.delete_object(Bucket="more-events", Key="mp")["VersionId"]
    s3.delete_object(Bucket="more-events", Key="mp", VersionId=version)
    records = [r for body in receive(sqs, url, 5) for r in body.get("Records", [])]
    records.sort(key=lambda r: r["s3"]["object"]["sequencer"])  # the order of the changes
    got = [(r["eventName"], r["s3"]["object"].get("versionId")) for r in records]
    assert got == [("ObjectCreated:CompleteMultipartUpload", version),
                   ("ObjectTagging:Put", version), ("ObjectTagging:Delete", version),
                   ("ObjectRemoved:DeleteMarkerCreated", marker),
                   ("ObjectRemoved:Delete", version)]
