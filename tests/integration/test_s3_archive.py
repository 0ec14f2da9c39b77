"""Archive storage classes through boto3: a GLACIER or DEEP_ARCHIVE object is not readable
(InvalidObjectState) until RestoreObject makes a copy readable, x-amz-restore shows the restore
ongoing then done with its expiry, the copy expires after Days; lifecycle transitions to the
archive classes; restores survive a restart. With --time-scale an AWS hour takes 0.36 s."""

import time

import pytest
from botocore.exceptions import ClientError

from harness import make_client

SCALE = 0.0001  # Standard GLACIER restore: 5 h -> 1.8 s; Days=1 -> 8.64 s
FAST = ["--time-scale", str(SCALE)]


def code(excinfo):
    return excinfo.value.response["Error"]["Code"]


def wait_for(predicate, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("condition not met in %ss" % timeout)


@pytest.mark.tidepool(args=FAST)
def test_restore_cycle(endpoint):
    s3 = make_client(endpoint, "s3")
    s3.create_bucket(Bucket="cold")
    s3.put_object(Bucket="cold", Key="g", Body=b"frozen", StorageClass="GLACIER")
    head = s3.head_object(Bucket="cold", Key="g")
    assert head["StorageClass"] == "GLACIER" and "Restore" not in head
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket="cold", Key="g")
    assert code(e) == "InvalidObjectState"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    with pytest.raises(ClientError) as e:
        s3.copy_object(Bucket="cold", Key="copy", CopySource="cold/g")
    assert code(e) == "InvalidObjectState"
    started = s3.restore_object(Bucket="cold", Key="g", RestoreRequest={
        "Days": 1, "GlacierJobParameters": {"Tier": "Standard"}})
    assert started["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert s3.head_object(Bucket="cold", Key="g")["Restore"] == 'ongoing-request="true"'
    with pytest.raises(ClientError) as e:
        s3.restore_object(Bucket="cold", Key="g", RestoreRequest={"Days": 1})
    assert code(e) == "RestoreAlreadyInProgress"
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket="cold", Key="g")
    assert code(e) == "InvalidObjectState"
    done = wait_for(lambda: 'ongoing-request="false"' in
                    s3.head_object(Bucket="cold", Key="g").get("Restore", ""))
    restore = s3.head_object(Bucket="cold", Key="g")["Restore"]
    assert 'expiry-date="' in restore and restore.endswith('GMT"'), restore
    assert s3.get_object(Bucket="cold", Key="g")["Body"].read() == b"frozen"
    # Thawed by a copy out of the archive.
    s3.copy_object(Bucket="cold", Key="thawed", CopySource="cold/g")
    thawed = s3.head_object(Bucket="cold", Key="thawed")
    assert thawed.get("StorageClass", "STANDARD") == "STANDARD" and "Restore" not in thawed
    # A second restore of a restored copy only extends it: 200.
    again = s3.restore_object(Bucket="cold", Key="g", RestoreRequest={"Days": 1})
    assert again["ResponseMetadata"]["HTTPStatusCode"] == 200
    # After Days the copy is gone: archived again.
    wait_for(lambda: "Restore" not in s3.head_object(Bucket="cold", Key="g"), timeout=40)
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket="cold", Key="g")
    assert code(e) == "InvalidObjectState"


@pytest.mark.tidepool(args=FAST)
def test_restore_errors(endpoint):
    s3 = make_client(endpoint, "s3")
    s3.create_bucket(Bucket="cold")
    s3.put_object(Bucket="cold", Key="warm", Body=b"x")
    with pytest.raises(ClientError) as e:
        s3.restore_object(Bucket="cold", Key="warm", RestoreRequest={"Days": 1})
    assert code(e) == "InvalidObjectState"
    s3.put_object(Bucket="cold", Key="deep", Body=b"x", StorageClass="DEEP_ARCHIVE")
    with pytest.raises(ClientError) as e:
        s3.restore_object(Bucket="cold", Key="deep", RestoreRequest={
            "Days": 1, "GlacierJobParameters": {"Tier": "Expedited"}})
    assert code(e) == "InvalidArgument"
    with pytest.raises(ClientError) as e:
        s3.restore_object(Bucket="cold", Key="missing", RestoreRequest={"Days": 1})
    assert code(e) == "NoSuchKey"
    # DEEP_ARCHIVE's Standard tier takes 12 h: 4.32 s here.
    s3.restore_object(Bucket="cold", Key="deep", RestoreRequest={"Days": 2})
    time.sleep(1)
    assert s3.head_object(Bucket="cold", Key="deep")["Restore"] == 'ongoing-request="true"'


@pytest.mark.tidepool(args=["--time-scale", "0.00005"])
def test_lifecycle_transition_to_glacier(endpoint):
    s3 = make_client(endpoint, "s3")
    s3.create_bucket(Bucket="aging")
    s3.put_bucket_lifecycle_configuration(Bucket="aging", LifecycleConfiguration={"Rules": [{
        "ID": "archive", "Status": "Enabled", "Filter": {"Prefix": ""},
        "Transitions": [{"Days": 1, "StorageClass": "GLACIER"},
                        {"Days": 2, "StorageClass": "DEEP_ARCHIVE"}]}]})
    s3.put_object(Bucket="aging", Key="k", Body=b"aging body")
    assert s3.get_object(Bucket="aging", Key="k")["Body"].read() == b"aging body"
    wait_for(lambda: s3.head_object(Bucket="aging", Key="k").get("StorageClass") == "GLACIER")
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket="aging", Key="k")
    assert code(e) == "InvalidObjectState"
    wait_for(lambda: s3.head_object(Bucket="aging", Key="k").get("StorageClass") ==
             "DEEP_ARCHIVE")


@pytest.mark.tidepool(durability="sync", args=FAST)
def test_restore_survives_restart(server, tidepool_factory):
    s3 = make_client(server.endpoint, "s3")
    s3.create_bucket(Bucket="cold")
    s3.put_object(Bucket="cold", Key="g", Body=b"kept", StorageClass="GLACIER")
    s3.restore_object(Bucket="cold", Key="g", RestoreRequest={
        "Days": 3, "GlacierJobParameters": {"Tier": "Expedited"}})
    data_dir = server.data_dir
    assert server.stop() == 0
    again = tidepool_factory(durability="sync", data_dir=data_dir, args=FAST)
    s3 = make_client(again.endpoint, "s3")
    wait_for(lambda: 'ongoing-request="false"' in
             s3.head_object(Bucket="cold", Key="g").get("Restore", ""))
    assert s3.get_object(Bucket="cold", Key="g")["Body"].read() == b"kept"
