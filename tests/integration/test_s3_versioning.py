"""S3 versioning through boto3: version ids on PUT, copy and multipart completion, reads and
deletes by version id, delete markers, ListObjectVersions paging, the null version of
suspended and never-versioned writes, tags per version, and versions across a kill -9."""

import os

import pytest
from botocore.exceptions import ClientError

from harness import make_client


@pytest.fixture
def s3(endpoint):
    return make_client(endpoint, "s3")


def error_code(excinfo):
    return excinfo.value.response["Error"]["Code"]


def versions_of(s3, bucket, **kwargs):
    out = s3.list_object_versions(Bucket=bucket, **kwargs)
    return ([(v["Key"], v["VersionId"], v["IsLatest"]) for v in out.get("Versions", [])],
            [(m["Key"], m["VersionId"], m["IsLatest"]) for m in out.get("DeleteMarkers", [])])


def test_enable_put_get_by_version(s3):
    s3.create_bucket(Bucket="ver")
    s3.put_object(Bucket="ver", Key="k", Body=b"before")  # the null version
    s3.put_bucket_versioning(Bucket="ver", VersioningConfiguration={"Status": "Enabled"})
    assert s3.get_bucket_versioning(Bucket="ver")["Status"] == "Enabled"
    v1 = s3.put_object(Bucket="ver", Key="k", Body=b"one")["VersionId"]
    v2 = s3.put_object(Bucket="ver", Key="k", Body=os.urandom(300 * 1024))["VersionId"]
    assert v1 != v2 and len(v1) == 32
    got = s3.get_object(Bucket="ver", Key="k")
    assert got["VersionId"] == v2 and len(got["Body"].read()) == 300 * 1024
    assert s3.get_object(Bucket="ver", Key="k", VersionId=v1)["Body"].read() == b"one"
    assert s3.get_object(Bucket="ver", Key="k", VersionId="null")["Body"].read() == b"before"
    assert s3.head_object(Bucket="ver", Key="k", VersionId=v1)["ContentLength"] == 3
    gone = s3.put_object(Bucket="ver", Key="other", Body=b"x")["VersionId"]
    s3.delete_object(Bucket="ver", Key="other", VersionId=gone)
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket="ver", Key="other", VersionId=gone)
    assert error_code(e) == "NoSuchVersion"
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket="ver", Key="k", VersionId="not-a-version")
    assert error_code(e) == "InvalidArgument"
    versions, markers = versions_of(s3, "ver")
    assert versions == [("k", v2, True), ("k", v1, False), ("k", "null", False)]
    assert markers == []


def test_delete_markers(s3):
    s3.create_bucket(Bucket="dmk")
    s3.put_bucket_versioning(Bucket="dmk", VersioningConfiguration={"Status": "Enabled"})
    v1 = s3.put_object(Bucket="dmk", Key="doc", Body=b"v1")["VersionId"]
    deleted = s3.delete_object(Bucket="dmk", Key="doc")
    assert deleted["DeleteMarker"] is True
    marker = deleted["VersionId"]
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket="dmk", Key="doc")
    assert error_code(e) == "NoSuchKey"
    with pytest.raises(ClientError) as e:
        s3.head_object(Bucket="dmk", Key="doc", VersionId=marker)
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 405
    assert "Contents" not in s3.list_objects_v2(Bucket="dmk")
    # The old version is still readable, and the bucket is not empty.
    assert s3.get_object(Bucket="dmk", Key="doc", VersionId=v1)["Body"].read() == b"v1"
    with pytest.raises(ClientError) as e:
        s3.delete_bucket(Bucket="dmk")
    assert error_code(e) == "BucketNotEmpty"
    versions, markers = versions_of(s3, "dmk")
    assert versions == [("doc", v1, False)] and markers == [("doc", marker, True)]
    # Deleting the marker brings the object back.
    gone = s3.delete_object(Bucket="dmk", Key="doc", VersionId=marker)
    assert gone["DeleteMarker"] is True and gone["VersionId"] == marker
    assert s3.get_object(Bucket="dmk", Key="doc")["Body"].read() == b"v1"
    # Deleting the last version for good empties the bucket.
    assert s3.delete_object(Bucket="dmk", Key="doc", VersionId=v1)["VersionId"] == v1
    assert versions_of(s3, "dmk") == ([], [])
    s3.delete_bucket(Bucket="dmk")


def test_delete_objects_with_versions(s3):
    s3.create_bucket(Bucket="multi")
    s3.put_bucket_versioning(Bucket="multi", VersioningConfiguration={"Status": "Enabled"})
    a1 = s3.put_object(Bucket="multi", Key="a", Body=b"1")["VersionId"]
    a2 = s3.put_object(Bucket="multi", Key="a", Body=b"2")["VersionId"]
    out = s3.delete_objects(Bucket="multi", Delete={"Objects": [
        {"Key": "a", "VersionId": a1}, {"Key": "b"}]})
    by_key = {d["Key"]: d for d in out["Deleted"]}
    assert by_key["a"]["VersionId"] == a1
    assert by_key["b"]["DeleteMarker"] is True and by_key["b"]["DeleteMarkerVersionId"]
    versions, markers = versions_of(s3, "multi")
    assert versions == [("a", a2, True)]
    assert [(k, latest) for k, _, latest in markers] == [("b", True)]


def test_suspended_writes_the_null_version(s3):
    s3.create_bucket(Bucket="sus")
    s3.put_bucket_versioning(Bucket="sus", VersioningConfiguration={"Status": "Enabled"})
    v1 = s3.put_object(Bucket="sus", Key="k", Body=b"kept")["VersionId"]
    s3.put_bucket_versioning(Bucket="sus", VersioningConfiguration={"Status": "Suspended"})
    assert s3.get_bucket_versioning(Bucket="sus")["Status"] == "Suspended"
    assert s3.put_object(Bucket="sus", Key="k", Body=b"n1").get("VersionId") == "null"
    s3.put_object(Bucket="sus", Key="k", Body=b"n2")  # replaces the null version
    versions, _ = versions_of(s3, "sus")
    assert versions == [("k", "null", True), ("k", v1, False)]
    assert s3.get_object(Bucket="sus", Key="k")["Body"].read() == b"n2"
    # A delete while suspended: a null delete marker replacing the null version.
    assert s3.delete_object(Bucket="sus", Key="k")["VersionId"] == "null"
    versions, markers = versions_of(s3, "sus")
    assert versions == [("k", v1, False)] and markers == [("k", "null", True)]
    s3.put_bucket_versioning(Bucket="sus", VersioningConfiguration={"Status": "Enabled"})
    v3 = s3.put_object(Bucket="sus", Key="k", Body=b"three")["VersionId"]
    versions, markers = versions_of(s3, "sus")
    assert versions == [("k", v3, True), ("k", v1, False)]
    assert markers == [("k", "null", False)]


def test_copy_multipart_and_tags_carry_versions(s3):
    s3.create_bucket(Bucket="cpy")
    s3.put_bucket_versioning(Bucket="cpy", VersioningConfiguration={"Status": "Enabled"})
    v1 = s3.put_object(Bucket="cpy", Key="src", Body=b"first")["VersionId"]
    s3.put_object(Bucket="cpy", Key="src", Body=b"second")
    copied = s3.copy_object(Bucket="cpy", Key="dst",
                            CopySource={"Bucket": "cpy", "Key": "src", "VersionId": v1})
    assert copied["CopySourceVersionId"] == v1 and copied["VersionId"]
    assert s3.get_object(Bucket="cpy", Key="dst")["Body"].read() == b"first"
    upload = s3.create_multipart_upload(Bucket="cpy", Key="mp")["UploadId"]
    part = s3.upload_part(Bucket="cpy", Key="mp", UploadId=upload, PartNumber=1, Body=b"p")
    done = s3.complete_multipart_upload(
        Bucket="cpy", Key="mp", UploadId=upload,
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]})
    assert done["VersionId"]
    s3.put_object_tagging(Bucket="cpy", Key="src", VersionId=v1,
                          Tagging={"TagSet": [{"Key": "old", "Value": "yes"}]})
    assert s3.get_object_tagging(Bucket="cpy", Key="src", VersionId=v1)["TagSet"] == [
        {"Key": "old", "Value": "yes"}]
    assert s3.get_object_tagging(Bucket="cpy", Key="src")["TagSet"] == []


def test_list_object_versions_paging(s3):
    s3.create_bucket(Bucket="page")
    s3.put_bucket_versioning(Bucket="page", VersioningConfiguration={"Status": "Enabled"})
    expected = []
    for key in ["a", "b/x", "b/y", "c"]:
        ids = [s3.put_object(Bucket="page", Key=key, Body=str(i).encode())["VersionId"]
               for i in range(3)]
        expected += [(key, vid) for vid in reversed(ids)]
    seen = []
    kwargs = {}
    while True:
        out = s3.list_object_versions(Bucket="page", MaxKeys=2, **kwargs)
        seen += [(v["Key"], v["VersionId"]) for v in out.get("Versions", [])]
        if not out["IsTruncated"]:
            break
        kwargs = {"KeyMarker": out["NextKeyMarker"],
                  "VersionIdMarker": out.get("NextVersionIdMarker", "")}
    assert seen == expected
    paginated = [(v["Key"], v["VersionId"])
                 for page in s3.get_paginator("list_object_versions").paginate(
                     Bucket="page", PaginationConfig={"PageSize": 5})
                 for v in page.get("Versions", [])]
    assert paginated == expected
    rolled = s3.list_object_versions(Bucket="page", Delimiter="/")
    assert [p["Prefix"] for p in rolled["CommonPrefixes"]] == ["b/"]
    assert {v["Key"] for v in rolled["Versions"]} == {"a", "c"}
    only_b = s3.list_object_versions(Bucket="page", Prefix="b/")
    assert len(only_b["Versions"]) == 6


def test_unversioned_bucket_has_no_version_ids(s3):
    s3.create_bucket(Bucket="plain")
    assert "VersionId" not in s3.put_object(Bucket="plain", Key="k", Body=b"x")
    assert "VersionId" not in s3.get_object(Bucket="plain", Key="k")
    versions, _ = versions_of(s3, "plain")
    assert versions == [("k", "null", True)]
    with pytest.raises(ClientError) as e:
        s3.put_bucket_versioning(Bucket="plain", VersioningConfiguration={"Status": "Maybe"})
    assert error_code(e) == "MalformedXML"


@pytest.mark.tidepool(durability="sync")
def test_versions_survive_kill(server, tidepool_factory):
    s3 = make_client(server.endpoint, "s3")
    s3.create_bucket(Bucket="hard")
    s3.put_bucket_versioning(Bucket="hard", VersioningConfiguration={"Status": "Enabled"})
    big = os.urandom(1024 * 1024)
    v1 = s3.put_object(Bucket="hard", Key="k", Body=big)["VersionId"]
    v2 = s3.put_object(Bucket="hard", Key="k", Body=b"small")["VersionId"]
    marker = s3.delete_object(Bucket="hard", Key="k")["VersionId"]
    data_dir = server.data_dir
    server.kill()
    again = tidepool_factory(durability="sync", data_dir=data_dir)
    s3 = make_client(again.endpoint, "s3")
    versions, markers = versions_of(s3, "hard")
    assert versions == [("k", v2, False), ("k", v1, False)]
    assert markers == [("k", marker, True)]
    assert s3.get_object(Bucket="hard", Key="k", VersionId=v1)["Body"].read() == big
    # New versions after the restart sort newest first too.
    v4 = s3.put_object(Bucket="hard", Key="k", Body=b"after")["VersionId"]
    assert versions_of(s3, "hard")[0][0] == ("k", v4, True)


def test_delete_marker_error_headers(s3):
    """GET / HEAD of a key whose latest version is a delete marker: 404 with
    x-amz-delete-marker and the marker's x-amz-version-id; the marker asked for by id: 405
    with the same headers; a key that never existed: 404 without them."""
    s3.create_bucket(Bucket="dmh")
    s3.put_bucket_versioning(Bucket="dmh", VersioningConfiguration={"Status": "Enabled"})
    s3.put_object(Bucket="dmh", Key="doc", Body=b"v1")
    marker = s3.delete_object(Bucket="dmh", Key="doc")["VersionId"]

    def failure(call, **kwargs):
        with pytest.raises(ClientError) as e:
            call(Bucket="dmh", **kwargs)
        meta = e.value.response["ResponseMetadata"]
        return meta["HTTPStatusCode"], meta["HTTPHeaders"]

    for call in (s3.get_object, s3.head_object):
        status, headers = failure(call, Key="doc")
        assert status == 404
        assert headers.get("x-amz-delete-marker") == "true"
        assert headers.get("x-amz-version-id") == marker
        status, headers = failure(call, Key="doc", VersionId=marker)
        assert status == 405
        assert headers.get("x-amz-delete-marker") == "true"
        assert headers.get("x-amz-version-id") == marker
        status, headers = failure(call, Key="never")
        assert status == 404 and "x-amz-delete-marker" not in headers
    # A suspended bucket's marker is the null version.
    s3.put_bucket_versioning(Bucket="dmh", VersioningConfiguration={"Status": "Suspended"})
    s3.put_object(Bucket="dmh", Key="s", Body=b"s")
    s3.delete_object(Bucket="dmh", Key="s")
    status, headers = failure(s3.head_object, Key="s")
    assert status == 404 and headers.get("x-amz-version-id") == "null"
    assert headers.get("x-amz-delete-marker") == "true"
