"""S3 lifecycle through boto3: Put/Get/DeleteBucketLifecycleConfiguration with AWS's
validation, and the background sweeper (with --time-scale, so an AWS day takes seconds)
expiring current versions by Days and Date with prefix, tag and size filters, noncurrent
versions by NoncurrentDays and NewerNoncurrentVersions, and expired delete markers, with
s3:LifecycleExpiration events; incomplete multipart uploads aborted after DaysAfterInitiation."""

import datetime
import json
import time

import pytest
from botocore.exceptions import ClientError

from harness import make_client
from sqs_helpers import queue_arn

# An AWS day takes 86400 * 0.00005 = 4.32 s; the sweep (hourly in AWS time) runs every 0.18 s.
FAST = ["--time-scale", "0.00005"]
DAY = 4.32


@pytest.fixture
def s3(endpoint):
    return make_client(endpoint, "s3")


def error_code(excinfo):
    return excinfo.value.response["Error"]["Code"]


def keys(s3, bucket):
    return sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", []))


def wait_until(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError("timed out waiting for " + what)


def test_configuration_round_trip_and_validation(s3):
    s3.create_bucket(Bucket="lc-config")
    with pytest.raises(ClientError) as e:
        s3.get_bucket_lifecycle_configuration(Bucket="lc-config")
    assert error_code(e) == "NoSuchLifecycleConfiguration"
    rules = [{"ID": "logs", "Status": "Enabled", "Filter": {"Prefix": "logs/"},
              "Expiration": {"Days": 30}},
             {"ID": "old", "Status": "Disabled", "Filter": {"And": {
                 "Prefix": "tmp/", "Tags": [{"Key": "t", "Value": "1"}]}},
              "NoncurrentVersionExpiration": {"NoncurrentDays": 7}}]
    s3.put_bucket_lifecycle_configuration(Bucket="lc-config",
                                          LifecycleConfiguration={"Rules": rules})
    assert s3.get_bucket_lifecycle_configuration(Bucket="lc-config")["Rules"] == rules
    for bad, code in [
        ({"ID": "x", "Status": "Enabled", "Filter": {}, "Expiration": {"Days": 0}},
         "InvalidArgument"),
        ({"ID": "x", "Status": "Enabled", "Filter": {}}, "InvalidArgument"),
        ({"ID": "x", "Status": "Enabled", "Filter": {},
          "Expiration": {"Date": datetime.datetime(2030, 1, 1, 12, 0)}}, "InvalidArgument"),
        ({"ID": "x", "Status": "Enabled", "Filter": {},
          "Transitions": [{"Days": 30, "StorageClass": "GLACIER_FLEXIBLE"}]}, "MalformedXML"),
        ({"ID": "x", "Status": "Enabled", "Filter": {},
          "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 0}}, "InvalidArgument"),
        ({"ID": "x", "Status": "Enabled", "Filter": {"Tag": {"Key": "t", "Value": "1"}},
          "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1}}, "InvalidArgument"),
    ]:
        with pytest.raises(ClientError) as e:
            s3.put_bucket_lifecycle_configuration(Bucket="lc-config",
                                                  LifecycleConfiguration={"Rules": [bad]})
        assert error_code(e) == code, bad
    s3.delete_bucket_lifecycle(Bucket="lc-config")
    with pytest.raises(ClientError) as e:
        s3.get_bucket_lifecycle_configuration(Bucket="lc-config")
    assert error_code(e) == "NoSuchLifecycleConfiguration"


@pytest.mark.tidepool(args=FAST)
def test_expiration_by_days_with_filters(s3, endpoint):
    sqs = make_client(endpoint, "sqs")
    url = sqs.create_queue(QueueName="lc-events")["QueueUrl"]
    s3.create_bucket(Bucket="lc-days")
    s3.put_bucket_notification_configuration(Bucket="lc-days", NotificationConfiguration={
        "QueueConfigurations": [{"QueueArn": queue_arn(sqs, url),
                                 "Events": ["s3:LifecycleExpiration:*"]}]})
    s3.put_bucket_lifecycle_configuration(Bucket="lc-days", LifecycleConfiguration={"Rules": [
        {"ID": "logs", "Status": "Enabled", "Filter": {"Prefix": "logs/"},
         "Expiration": {"Days": 1}},
        {"ID": "tagged", "Status": "Enabled",
         "Filter": {"Tag": {"Key": "expire", "Value": "yes"}}, "Expiration": {"Days": 1}},
        {"ID": "big", "Status": "Enabled", "Filter": {"ObjectSizeGreaterThan": 100},
         "Expiration": {"Days": 1}},
        {"ID": "off", "Status": "Disabled", "Filter": {"Prefix": "keep/"},
         "Expiration": {"Days": 1}}]})
    s3.put_object(Bucket="lc-days", Key="logs/a", Body=b"a")
    s3.put_object(Bucket="lc-days", Key="data/tagged", Body=b"t", Tagging="expire=yes")
    s3.put_object(Bucket="lc-days", Key="data/untagged", Body=b"u", Tagging="expire=no")
    s3.put_object(Bucket="lc-days", Key="data/big", Body=b"x" * 200)
    s3.put_object(Bucket="lc-days", Key="keep/b", Body=b"b")
    time.sleep(DAY / 3)
    assert len(keys(s3, "lc-days")) == 5  # not a day old yet
    wait_until(lambda: keys(s3, "lc-days") == ["data/untagged", "keep/b"], 4 * DAY,
               "the expired objects to go")
    names = set()
    deadline = time.monotonic() + 10
    while len(names) < 3 and time.monotonic() < deadline:
        for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                     WaitTimeSeconds=1).get("Messages", []):
            for r in json.loads(m["Body"]).get("Records", []):
                names.add((r["eventName"], r["s3"]["object"]["key"]))
    assert names == {("LifecycleExpiration:Delete", k)
                     for k in ("logs/a", "data/tagged", "data/big")}


@pytest.mark.tidepool(args=FAST)
def test_expiration_by_date(s3):
    s3.create_bucket(Bucket="lc-date")
    s3.put_object(Bucket="lc-date", Key="old", Body=b"o")
    past = datetime.datetime(2020, 1, 1, tzinfo=datetime.timezone.utc)
    s3.put_bucket_lifecycle_configuration(Bucket="lc-date", LifecycleConfiguration={"Rules": [
        {"ID": "past", "Status": "Enabled", "Filter": {}, "Expiration": {"Date": past}}]})
    wait_until(lambda: keys(s3, "lc-date") == [], 5, "the object past its date to go")


@pytest.mark.tidepool(args=FAST)
def test_versioned_expiration_and_noncurrent_versions(s3):
    s3.create_bucket(Bucket="lc-ver")
    s3.put_bucket_versioning(Bucket="lc-ver", VersioningConfiguration={"Status": "Enabled"})
    first = s3.put_object(Bucket="lc-ver", Key="k", Body=b"1")["VersionId"]
    second = s3.put_object(Bucket="lc-ver", Key="k", Body=b"2")["VersionId"]
    third = s3.put_object(Bucket="lc-ver", Key="k", Body=b"3")["VersionId"]
    s3.put_bucket_lifecycle_configuration(Bucket="lc-ver", LifecycleConfiguration={"Rules": [
        {"ID": "noncurrent", "Status": "Enabled", "Filter": {"Prefix": "k"},
         "NoncurrentVersionExpiration": {"NoncurrentDays": 1, "NewerNoncurrentVersions": 1}},
        {"ID": "current", "Status": "Enabled", "Filter": {"Prefix": "gone"},
         "Expiration": {"Days": 1}},
        {"ID": "markers", "Status": "Enabled", "Filter": {"Prefix": "lone"},
         "Expiration": {"ExpiredObjectDeleteMarker": True}}]})
    s3.put_object(Bucket="lc-ver", Key="gone", Body=b"g")
    lone = s3.put_object(Bucket="lc-ver", Key="lone", Body=b"l")["VersionId"]
    s3.delete_object(Bucket="lc-ver", Key="lone")
    s3.delete_object(Bucket="lc-ver", Key="lone", VersionId=lone)  # only the marker is left

    def listing():
        out = s3.list_object_versions(Bucket="lc-ver")
        return ({(v["Key"], v["VersionId"]) for v in out.get("Versions", [])},
                {m["Key"] for m in out.get("DeleteMarkers", [])})

    # The newest noncurrent version of k is kept, the older goes; "gone" gets a delete marker
    # (its version stays, noncurrent); the lone delete marker goes.
    def settled():
        versions, markers = listing()
        return (("k", first) not in versions and ("k", second) in versions
                and ("k", third) in versions and markers == {"gone"})
    wait_until(settled, 5 * DAY, "lifecycle to settle")
    versions, _ = listing()
    assert [k for k, _ in versions if k == "gone"] == ["gone"]
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket="lc-ver", Key="gone")
    assert error_code(e) == "NoSuchKey"


@pytest.mark.tidepool(args=FAST)
def test_incomplete_multipart_uploads_are_aborted(s3):
    """AbortIncompleteMultipartUpload (AWS: prefix filters only, DaysAfterInitiation > 0): an
    upload older than the rule's days is aborted with its parts; others stay."""
    s3.create_bucket(Bucket="lc-mpu")
    s3.put_bucket_lifecycle_configuration(Bucket="lc-mpu", LifecycleConfiguration={"Rules": [
        {"ID": "abort", "Status": "Enabled", "Filter": {"Prefix": "tmp/"},
         "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1}}]})
    stale = s3.create_multipart_upload(Bucket="lc-mpu", Key="tmp/big")["UploadId"]
    s3.upload_part(Bucket="lc-mpu", Key="tmp/big", UploadId=stale, PartNumber=1, Body=b"p" * 100)
    kept = s3.create_multipart_upload(Bucket="lc-mpu", Key="keep/big")["UploadId"]

    def uploads():
        return sorted(u["UploadId"] for u in
                      s3.list_multipart_uploads(Bucket="lc-mpu").get("Uploads", []))

    time.sleep(DAY / 3)
    assert uploads() == sorted([stale, kept])  # not a day old yet
    wait_until(lambda: uploads() == [kept], 4 * DAY, "the stale upload to be aborted")
    with pytest.raises(ClientError) as e:
        s3.list_parts(Bucket="lc-mpu", Key="tmp/big", UploadId=stale)
    assert error_code(e) == "NoSuchUpload"


def test_transition_validation(s3):
    s3.create_bucket(Bucket="lc-tv")

    def put(rule):
        with pytest.raises(ClientError) as e:
            s3.put_bucket_lifecycle_configuration(
                Bucket="lc-tv", LifecycleConfiguration={"Rules": [dict(
                    {"ID": "t", "Status": "Enabled", "Filter": {}}, **rule)]})
        return error_code(e), e.value.response["Error"]["Message"]

    assert put({"Transitions": [{"Days": 10, "StorageClass": "STANDARD_IA"}]}) == (
        "InvalidArgument", "'Days' in Transition action must be greater than or equal to 30 for "
        "storageClass 'STANDARD_IA'")
    assert put({"NoncurrentVersionTransitions": [
        {"NoncurrentDays": 5, "StorageClass": "ONEZONE_IA"}]})[0] == "InvalidArgument"
    assert put({"Transitions": [{"Days": 1, "StorageClass": "ARCHIVE"}]})[0] == "MalformedXML"
    assert put({"NoncurrentVersionTransitions": [
        {"NoncurrentDays": 1, "StorageClass": "COLD"}]})[0] == "MalformedXML"
    assert put({"Transitions": [{"Days": 1, "StorageClass": "STANDARD"}]})[0] == "MalformedXML"
    # Nothing was stored by the refusals.
    with pytest.raises(ClientError) as e:
        s3.get_bucket_lifecycle_configuration(Bucket="lc-tv")
    assert error_code(e) == "NoSuchLifecycleConfiguration"
    rules = [{"ID": "t", "Status": "Enabled", "Filter": {"Prefix": "x"},
              "Transitions": [{"Days": 30, "StorageClass": "STANDARD_IA"},
                              {"Days": 90, "StorageClass": "GLACIER_IR"},
                              {"Days": 180, "StorageClass": "GLACIER"},
                              {"Days": 365, "StorageClass": "DEEP_ARCHIVE"}],
              "NoncurrentVersionTransitions": [
                  {"NoncurrentDays": 0, "StorageClass": "INTELLIGENT_TIERING"},
                  {"NoncurrentDays": 30, "StorageClass": "GLACIER"}]}]
    s3.put_bucket_lifecycle_configuration(Bucket="lc-tv",
                                          LifecycleConfiguration={"Rules": rules})
    got = s3.get_bucket_lifecycle_configuration(Bucket="lc-tv")["Rules"]
    assert got[0]["Transitions"] == rules[0]["Transitions"]
    assert got[0]["NoncurrentVersionTransitions"] == rules[0]["NoncurrentVersionTransitions"]


def storage_class(s3, bucket, key):
    head = s3.head_object(Bucket=bucket, Key=key)
    return head.get("StorageClass", "STANDARD")


@pytest.mark.tidepool(args=FAST)
def test_transitions_change_the_storage_class(s3, endpoint):
    """Days 1 to INTELLIGENT_TIERING, then Days 2 to GLACIER_IR: the object ends in
    GLACIER_IR (HEAD, GET, List), still readable, with an s3:LifecycleTransition event per
    move; one outside the prefix stays STANDARD."""
    sqs = make_client(endpoint, "sqs")
    url = sqs.create_queue(QueueName="lc-transitions")["QueueUrl"]
    s3.create_bucket(Bucket="lc-tr")
    s3.put_bucket_notification_configuration(Bucket="lc-tr", NotificationConfiguration={
        "QueueConfigurations": [{"QueueArn": queue_arn(sqs, url),
                                 "Events": ["s3:LifecycleTransition"]}]})
    s3.put_object(Bucket="lc-tr", Key="t/a", Body=b"tiered")
    s3.put_object(Bucket="lc-tr", Key="other", Body=b"o")
    s3.put_bucket_lifecycle_configuration(Bucket="lc-tr", LifecycleConfiguration={"Rules": [
        {"ID": "tier", "Status": "Enabled", "Filter": {"Prefix": "t/"},
         "Transitions": [{"Days": 1, "StorageClass": "INTELLIGENT_TIERING"},
                         {"Days": 2, "StorageClass": "GLACIER_IR"}]}]})
    wait_until(lambda: storage_class(s3, "lc-tr", "t/a") == "INTELLIGENT_TIERING", 2 * DAY,
               "the first transition")
    wait_until(lambda: storage_class(s3, "lc-tr", "t/a") == "GLACIER_IR", 3 * DAY,
               "the second transition")
    got = s3.get_object(Bucket="lc-tr", Key="t/a")
    assert got["StorageClass"] == "GLACIER_IR" and got["Body"].read() == b"tiered"
    listed = {o["Key"]: o["StorageClass"] for o in s3.list_objects_v2(Bucket="lc-tr")["Contents"]}
    assert listed == {"t/a": "GLACIER_IR", "other": "STANDARD"}
    assert storage_class(s3, "lc-tr", "other") == "STANDARD"
    events = []
    deadline = time.monotonic() + 10
    while len(events) < 2 and time.monotonic() < deadline:
        for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                     WaitTimeSeconds=1).get("Messages", []):
            for r in json.loads(m["Body"]).get("Records", []):
                events.append((r["eventName"], r["s3"]["object"]["key"]))
    assert events == [("LifecycleTransition", "t/a")] * 2


@pytest.mark.tidepool(args=FAST)
def test_noncurrent_version_transitions(s3):
    s3.create_bucket(Bucket="lc-ntr")
    s3.put_bucket_versioning(Bucket="lc-ntr", VersioningConfiguration={"Status": "Enabled"})
    old = s3.put_object(Bucket="lc-ntr", Key="k", Body=b"old")["VersionId"]
    new = s3.put_object(Bucket="lc-ntr", Key="k", Body=b"new")["VersionId"]
    s3.put_bucket_lifecycle_configuration(Bucket="lc-ntr", LifecycleConfiguration={"Rules": [
        {"ID": "nc", "Status": "Enabled", "Filter": {},
         "NoncurrentVersionTransitions": [{"NoncurrentDays": 1,
                                           "StorageClass": "GLACIER_IR"}]}]})

    def classes():
        return {v["VersionId"]: v["StorageClass"]
                for v in s3.list_object_versions(Bucket="lc-ntr")["Versions"]}
    wait_until(lambda: classes()[old] == "GLACIER_IR", 3 * DAY, "the noncurrent transition")
    assert classes()[new] == "STANDARD"
    assert s3.get_object(Bucket="lc-ntr", Key="k", VersionId=old)["Body"].read() == b"old"
