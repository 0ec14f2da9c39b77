"""S3 through boto3: buckets, objects (inline and file-backed bodies), listing, errors in S3's
XML shape, conditional and ranged reads, checksums, copies, tagging, multipart through the
transfer manager, virtual-hosted addressing, and durability across a restart."""

import hashlib
import os

import boto3
import botocore
import pytest
from boto3.s3.transfer import TransferConfig
from botocore.exceptions import ClientError

from harness import make_client


@pytest.fixture
def s3(endpoint):
    return make_client(endpoint, "s3")


def error_code(excinfo):
    return excinfo.value.response["Error"]["Code"]


def test_buckets(s3, endpoint):
    assert s3.list_buckets()["Buckets"] == []
    s3.create_bucket(Bucket="alpha")
    s3.create_bucket(Bucket="beta")
    names = [b["Name"] for b in s3.list_buckets()["Buckets"]]
    assert names == ["alpha", "beta"]
    s3.head_bucket(Bucket="alpha")
    assert s3.get_bucket_location(Bucket="alpha")["LocationConstraint"] is None
    # us-east-1: re-creating your own bucket succeeds, as on AWS.
    s3.create_bucket(Bucket="alpha")
    west = make_client(endpoint, "s3", region_name="us-west-2")
    with pytest.raises(ClientError) as e:
        west.create_bucket(Bucket="alpha",
                           CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
    assert error_code(e) == "BucketAlreadyOwnedByYou"
    with pytest.raises(ClientError) as e:
        west.create_bucket(Bucket="gamma")
    assert error_code(e) == "IllegalLocationConstraintException"
    west.create_bucket(Bucket="gamma", CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
    assert s3.get_bucket_location(Bucket="gamma")["LocationConstraint"] == "us-west-2"
    with pytest.raises(ClientError) as e:
        s3.create_bucket(Bucket="Bad_Name")
    assert error_code(e) == "InvalidBucketName"
    with pytest.raises(ClientError) as e:
        s3.head_bucket(Bucket="missing")
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    s3.put_object(Bucket="beta", Key="k", Body=b"x")
    with pytest.raises(ClientError) as e:
        s3.delete_bucket(Bucket="beta")
    assert error_code(e) == "BucketNotEmpty"
    s3.delete_object(Bucket="beta", Key="k")
    s3.delete_bucket(Bucket="beta")
    with pytest.raises(ClientError) as e:
        s3.delete_bucket(Bucket="beta")
    assert error_code(e) == "NoSuchBucket"
    assert e.value.response["Error"]["Message"] == "The specified bucket does not exist"
    assert e.value.response["ResponseMetadata"]["RequestId"]


@pytest.mark.parametrize("size", [0, 10, 300 * 1024, 3 * 1024 * 1024 + 7])
def test_put_get_head_delete(s3, size):
    s3.create_bucket(Bucket="bkt")
    body = os.urandom(size)
    put = s3.put_object(Bucket="bkt", Key="dir/obj.bin", Body=body, ContentType="application/x-test",
                        Metadata={"owner": "me"}, CacheControl="no-cache")
    assert put["ETag"] == '"%s"' % hashlib.md5(body).hexdigest()
    got = s3.get_object(Bucket="bkt", Key="dir/obj.bin")
    assert got["Body"].read() == body
    assert got["ContentType"] == "application/x-test"
    assert got["Metadata"] == {"owner": "me"}
    assert got["CacheControl"] == "no-cache"
    assert got["ContentLength"] == size
    head = s3.head_object(Bucket="bkt", Key="dir/obj.bin")
    assert head["ContentLength"] == size and head["ETag"] == put["ETag"]
    s3.delete_object(Bucket="bkt", Key="dir/obj.bin")
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket="bkt", Key="dir/obj.bin")
    assert error_code(e) == "NoSuchKey"
    with pytest.raises(ClientError) as e:
        s3.head_object(Bucket="bkt", Key="dir/obj.bin")
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket="nobucket", Key="x")
    assert error_code(e) == "NoSuchBucket"


def test_overwrite_replaces_body(s3):
    s3.create_bucket(Bucket="bkt")
    big = os.urandom(1024 * 1024)
    s3.put_object(Bucket="bkt", Key="k", Body=big)
    s3.put_object(Bucket="bkt", Key="k", Body=b"small")
    assert s3.get_object(Bucket="bkt", Key="k")["Body"].read() == b"small"
    s3.put_object(Bucket="bkt", Key="k", Body=big)
    assert s3.get_object(Bucket="bkt", Key="k")["Body"].read() == big


def test_keys_are_exact(s3):
    s3.create_bucket(Bucket="bkt")
    keys = ["a/", "a//b", "sp ace+plus", "ünï/cödé", "q?x=1&y", "%41"]
    for k in keys:
        s3.put_object(Bucket="bkt", Key=k, Body=k.encode())
    for k in keys:
        assert s3.get_object(Bucket="bkt", Key=k)["Body"].read() == k.encode()
    listed = [o["Key"] for o in s3.list_objects_v2(Bucket="bkt")["Contents"]]
    assert listed == sorted(keys, key=lambda k: k.encode())


def test_listing(s3):
    s3.create_bucket(Bucket="bkt")
    keys = ["a/1", "a/2", "b/1", "b/c/1", "top1", "top2"]
    for k in keys:
        s3.put_object(Bucket="bkt", Key=k, Body=b"x")
    out = s3.list_objects_v2(Bucket="bkt", Delimiter="/")
    assert [p["Prefix"] for p in out["CommonPrefixes"]] == ["a/", "b/"]
    assert [o["Key"] for o in out["Contents"]] == ["top1", "top2"]
    out = s3.list_objects_v2(Bucket="bkt", Prefix="b/", Delimiter="/")
    assert [p["Prefix"] for p in out["CommonPrefixes"]] == ["b/c/"]
    assert [o["Key"] for o in out["Contents"]] == ["b/1"]
    # Paging by two, through the paginator (continuation tokens).
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket="bkt", PaginationConfig={"PageSize": 2})
    assert [o["Key"] for p in pages for o in p.get("Contents", [])] == keys
    pages = s3.get_paginator("list_objects").paginate(Bucket="bkt", PaginationConfig={"PageSize": 2})
    assert [o["Key"] for p in pages for o in p.get("Contents", [])] == keys
    out = s3.list_objects_v2(Bucket="bkt", StartAfter="b/c/1")
    assert [o["Key"] for o in out["Contents"]] == ["top1", "top2"]
    out = s3.list_objects_v2(Bucket="bkt", MaxKeys=1)
    assert out["IsTruncated"] and out["KeyCount"] == 1
    out = s3.list_objects(Bucket="bkt", Prefix="a/")
    assert [o["Key"] for o in out["Contents"]] == ["a/1", "a/2"]
    s3.put_object(Bucket="bkt", Key="with space", Body=b"")
    out = s3.list_objects_v2(Bucket="bkt", Prefix="with", EncodingType="url")
    # Asked for explicitly, botocore leaves the encoding to the caller.
    assert [o["Key"] for o in out["Contents"]] == ["with%20space"]


def test_conditions_and_ranges(s3):
    s3.create_bucket(Bucket="bkt")
    body = bytes(range(256)) * 4
    etag = s3.put_object(Bucket="bkt", Key="k", Body=body)["ETag"]
    got = s3.get_object(Bucket="bkt", Key="k", Range="bytes=10-19")
    assert got["Body"].read() == body[10:20]
    assert got["ContentRange"] == "bytes 10-19/1024"
    assert got["ResponseMetadata"]["HTTPStatusCode"] == 206
    assert s3.get_object(Bucket="bkt", Key="k", Range="bytes=-5")["Body"].read() == body[-5:]
    assert s3.get_object(Bucket="bkt", Key="k", Range="bytes=1000-")["Body"].read() == body[1000:]
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket="bkt", Key="k", Range="bytes=5000-")
    assert error_code(e) == "InvalidRange"
    assert s3.get_object(Bucket="bkt", Key="k", IfMatch=etag)["Body"].read() == body
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket="bkt", Key="k", IfMatch='"nope"')
    assert error_code(e) == "PreconditionFailed"
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket="bkt", Key="k", IfNoneMatch=etag)
    assert e.value.response["Error"]["Code"] == "304"
    with pytest.raises(ClientError) as e:
        s3.put_object(Bucket="bkt", Key="k", Body=b"again", IfNoneMatch="*")
    assert error_code(e) == "PreconditionFailed"
    s3.put_object(Bucket="bkt", Key="new", Body=b"once", IfNoneMatch="*")
    s3.put_object(Bucket="bkt", Key="k", Body=b"replaced", IfMatch=etag)
    assert s3.get_object(Bucket="bkt", Key="k")["Body"].read() == b"replaced"


@pytest.mark.parametrize("algorithm", ["CRC32", "CRC32C", "SHA1", "SHA256", "CRC64NVME"])
def test_checksums(s3, algorithm):
    s3.create_bucket(Bucket="bkt")
    body = b"hello checksums" * 1000
    try:
        put = s3.put_object(Bucket="bkt", Key="k", Body=body, ChecksumAlgorithm=algorithm)
    except botocore.exceptions.MissingDependencyException:
        pytest.skip("botocore lacks " + algorithm)
    member = "Checksum" + algorithm
    assert put[member]
    got = s3.get_object(Bucket="bkt", Key="k", ChecksumMode="ENABLED")
    assert got["Body"].read() == body
    assert got[member] == put[member]
    head = s3.head_object(Bucket="bkt", Key="k", ChecksumMode="ENABLED")
    assert head[member] == put[member]


def test_wrong_checksum_and_md5_refused(s3):
    s3.create_bucket(Bucket="bkt")
    with pytest.raises(ClientError) as e:
        s3.put_object(Bucket="bkt", Key="k", Body=b"data", ChecksumCRC32="AAAAAA==")
    assert error_code(e) == "BadDigest"
    with pytest.raises(ClientError) as e:
        s3.put_object(Bucket="bkt", Key="k", Body=b"data", ContentMD5="1B2M2Y8AsgTpgAmY7PhCfg==")
    assert error_code(e) == "BadDigest"
    with pytest.raises(ClientError):
        s3.head_object(Bucket="bkt", Key="k")


def test_copy_delete_objects_tagging(s3):
    s3.create_bucket(Bucket="src")
    s3.create_bucket(Bucket="dst")
    big = os.urandom(600 * 1024)
    s3.put_object(Bucket="src", Key="big", Body=big, Metadata={"a": "1"}, Tagging="t=1")
    s3.put_object(Bucket="src", Key="small", Body=b"tiny")
    out = s3.copy_object(Bucket="dst", Key="copy", CopySource={"Bucket": "src", "Key": "big"})
    assert out["CopyObjectResult"]["ETag"] == '"%s"' % hashlib.md5(big).hexdigest()
    got = s3.get_object(Bucket="dst", Key="copy")
    assert got["Body"].read() == big and got["Metadata"] == {"a": "1"}
    s3.copy_object(Bucket="dst", Key="copy2", CopySource="src/small", MetadataDirective="REPLACE",
                   Metadata={"b": "2"}, ContentType="text/plain")
    got = s3.get_object(Bucket="dst", Key="copy2")
    assert got["Metadata"] == {"b": "2"} and got["ContentType"] == "text/plain"
    with pytest.raises(ClientError) as e:
        s3.copy_object(Bucket="src", Key="small", CopySource="src/small")
    assert error_code(e) == "InvalidRequest"
    with pytest.raises(ClientError) as e:
        s3.copy_object(Bucket="dst", Key="x", CopySource="src/none")
    assert error_code(e) == "NoSuchKey"
    assert s3.get_object_tagging(Bucket="dst", Key="copy")["TagSet"] == [{"Key": "t", "Value": "1"}]
    s3.put_object_tagging(Bucket="dst", Key="copy", Tagging={"TagSet": [{"Key": "x", "Value": "y"}]})
    assert s3.get_object_tagging(Bucket="dst", Key="copy")["TagSet"] == [{"Key": "x", "Value": "y"}]
    assert s3.get_object(Bucket="dst", Key="copy")["Body"].read() == big
    s3.delete_object_tagging(Bucket="dst", Key="copy")
    assert s3.get_object_tagging(Bucket="dst", Key="copy")["TagSet"] == []
    out = s3.delete_objects(Bucket="dst", Delete={"Objects": [{"Key": "copy"}, {"Key": "copy2"},
                                                              {"Key": "never"}]})
    assert sorted(d["Key"] for d in out["Deleted"]) == ["copy", "copy2", "never"]
    assert s3.list_objects_v2(Bucket="dst")["KeyCount"] == 0


def test_bucket_configurations(s3):
    s3.create_bucket(Bucket="bkt")
    with pytest.raises(ClientError) as e:
        s3.get_bucket_tagging(Bucket="bkt")
    assert error_code(e) == "NoSuchTagSet"
    s3.put_bucket_tagging(Bucket="bkt", Tagging={"TagSet": [{"Key": "env", "Value": "dev"}]})
    assert s3.get_bucket_tagging(Bucket="bkt")["TagSet"] == [{"Key": "env", "Value": "dev"}]
    s3.delete_bucket_tagging(Bucket="bkt")
    cors = {"CORSRules": [{"AllowedMethods": ["GET", "PUT"], "AllowedOrigins": ["*"],
                           "AllowedHeaders": ["*"], "MaxAgeSeconds": 300}]}
    with pytest.raises(ClientError) as e:
        s3.get_bucket_cors(Bucket="bkt")
    assert error_code(e) == "NoSuchCORSConfiguration"
    s3.put_bucket_policy(Bucket="bkt", Policy='{"Version":"2012-10-17","Statement":[]}')
    assert s3.get_bucket_policy(Bucket="bkt")["Policy"] == '{"Version":"2012-10-17","Statement":[]}'
    s3.put_public_access_block(Bucket="bkt", PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
        "RestrictPublicBuckets": True})
    assert s3.get_public_access_block(Bucket="bkt")["PublicAccessBlockConfiguration"][
        "BlockPublicAcls"] is True
    assert s3.get_bucket_versioning(Bucket="bkt").get("Status") is None
    with pytest.raises(ClientError) as e:
        s3.put_bucket_website(Bucket="bkt", WebsiteConfiguration={"IndexDocument": {"Suffix": "i"}})
    assert error_code(e) == "NotImplemented"
    grants = s3.get_bucket_acl(Bucket="bkt")["Grants"]
    assert grants[0]["Permission"] == "FULL_CONTROL"


def test_transfer_manager_multipart(s3, tmp_path):
    s3.create_bucket(Bucket="bkt")
    path = tmp_path / "up.bin"
    data = os.urandom(12 * 1024 * 1024 + 123)
    path.write_bytes(data)
    config = TransferConfig(multipart_threshold=5 * 1024 * 1024, multipart_chunksize=5 * 1024 * 1024,
                            max_concurrency=4)
    s3.upload_file(str(path), "bkt", "big.bin", Config=config)
    head = s3.head_object(Bucket="bkt", Key="big.bin")
    assert head["ContentLength"] == len(data)
    assert head["ETag"].endswith('-3"')
    attrs = s3.get_object_attributes(Bucket="bkt", Key="big.bin",
                                     ObjectAttributes=["ETag", "ObjectSize", "ObjectParts"])
    assert attrs["ObjectSize"] == len(data) and attrs["ObjectParts"]["TotalPartsCount"] == 3
    assert '"%s"' % attrs["ETag"] == head["ETag"]
    out = tmp_path / "down.bin"
    s3.download_file("bkt", "big.bin", str(out), Config=config)
    assert out.read_bytes() == data
    # An upload left open is listed, its parts too, and aborting it forgets it.
    upload = s3.create_multipart_upload(Bucket="bkt", Key="open")["UploadId"]
    s3.upload_part(Bucket="bkt", Key="open", UploadId=upload, PartNumber=1, Body=b"part one")
    assert [u["UploadId"] for u in s3.list_multipart_uploads(Bucket="bkt")["Uploads"]] == [upload]
    assert [p["PartNumber"] for p in s3.list_parts(Bucket="bkt", Key="open", UploadId=upload)["Parts"]] == [1]
    s3.upload_part(Bucket="bkt", Key="open", UploadId=upload, PartNumber=2, Body=b"two")
    with pytest.raises(ClientError) as e:
        s3.complete_multipart_upload(Bucket="bkt", Key="open", UploadId=upload, MultipartUpload={
            "Parts": [{"PartNumber": 2, "ETag": "x"}, {"PartNumber": 1, "ETag": "y"}]})
    assert error_code(e) == "InvalidPartOrder"
    s3.abort_multipart_upload(Bucket="bkt", Key="open", UploadId=upload)
    with pytest.raises(ClientError) as e:
        s3.list_parts(Bucket="bkt", Key="open", UploadId=upload)
    assert error_code(e) == "NoSuchUpload"


def test_small_multipart_is_entity_too_small(s3):
    s3.create_bucket(Bucket="bkt")
    upload = s3.create_multipart_upload(Bucket="bkt", Key="k")["UploadId"]
    e1 = s3.upload_part(Bucket="bkt", Key="k", UploadId=upload, PartNumber=1, Body=b"a")["ETag"]
    e2 = s3.upload_part(Bucket="bkt", Key="k", UploadId=upload, PartNumber=2, Body=b"b")["ETag"]
    with pytest.raises(ClientError) as e:
        s3.complete_multipart_upload(Bucket="bkt", Key="k", UploadId=upload, MultipartUpload={
            "Parts": [{"PartNumber": 1, "ETag": e1}, {"PartNumber": 2, "ETag": e2}]})
    assert error_code(e) == "EntityTooSmall"
    # A single small part is a whole object.
    out = s3.complete_multipart_upload(Bucket="bkt", Key="k", UploadId=upload, MultipartUpload={
        "Parts": [{"PartNumber": 1, "ETag": e1}]})
    assert out["ETag"].endswith('-1"')
    assert s3.get_object(Bucket="bkt", Key="k")["Body"].read() == b"a"


def test_virtual_hosted_style(endpoint):
    """The bucket named by the Host header (names like bucket.localhost need no DNS here: the
    request goes to 127.0.0.1 with that Host)."""
    import http.client
    port = int(endpoint.rsplit(":", 1)[1])
    make_client(endpoint, "s3").create_bucket(Bucket="vhost")
    for host in ("vhost.localhost:%d" % port, "vhost.s3.localhost.localstack.cloud:%d" % port):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("PUT", "/v/k", body=b"hosted", headers={"Host": host})
        resp = conn.getresponse()
        assert resp.status == 200, resp.read()
        resp.read()
        conn.request("GET", "/v/k", headers={"Host": host})
        resp = conn.getresponse()
        assert resp.status == 200 and resp.read() == b"hosted"
        conn.request("GET", "/?list-type=2", headers={"Host": host})
        resp = conn.getresponse()
        assert b"<Key>v/k</Key>" in resp.read()
        conn.request("GET", "/missing", headers={"Host": host})
        resp = conn.getresponse()
        body = resp.read()
        assert resp.status == 404 and b"<Code>NoSuchKey</Code>" in body and b"<RequestId>" in body
        conn.close()


@pytest.mark.tidepool(durability="sync")
def test_objects_survive_restart(server, tidepool_factory):
    s3 = make_client(server.endpoint, "s3")
    s3.create_bucket(Bucket="keep")
    big = os.urandom(2 * 1024 * 1024)
    s3.put_object(Bucket="keep", Key="big", Body=big)
    s3.put_object(Bucket="keep", Key="small", Body=b"small")
    s3.put_bucket_tagging(Bucket="keep", Tagging={"TagSet": [{"Key": "a", "Value": "b"}]})
    data_dir = server.data_dir
    assert server.stop() == 0
    again = tidepool_factory(durability="sync", data_dir=data_dir)
    s3 = make_client(again.endpoint, "s3")
    assert s3.get_object(Bucket="keep", Key="big")["Body"].read() == big
    assert s3.get_object(Bucket="keep", Key="small")["Body"].read() == b"small"
    assert s3.get_bucket_tagging(Bucket="keep")["TagSet"] == [{"Key": "a", "Value": "b"}]


def _aws_chunked(data, chunk, trailer_value, signed=False):
    out = b""
    for i in range(0, len(data), chunk):
        piece = data[i:i + chunk]
        ext = b";chunk-signature=" + b"0" * 64 if signed else b""
        out += b"%x" % len(piece) + ext + b"\r\n" + piece + b"\r\n"
    out += b"0" + (b";chunk-signature=" + b"0" * 64 if signed else b"") + b"\r\n"
    out += b"x-amz-checksum-crc32:" + trailer_value + b"\r\n\r\n"
    return out


@pytest.mark.parametrize("size", [100, 2 * 1024 * 1024 + 3])
@pytest.mark.parametrize("transfer_chunked", [False, True])
def test_aws_chunked_uploads_with_trailing_checksum(s3, endpoint, size, transfer_chunked):
    """What the JS SDK and the CLI send for streams: aws-chunked with a trailing checksum, in
    a Content-Length body or in HTTP chunks."""
    import base64
    import http.client
    import struct
    import zlib
    s3.create_bucket(Bucket="chunky")
    data = os.urandom(size)
    crc = base64.b64encode(struct.pack(">I", zlib.crc32(data) & 0xffffffff))
    port = int(endpoint.rsplit(":", 1)[1])
    headers = {"x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
               "Content-Encoding": "aws-chunked", "x-amz-decoded-content-length": str(size),
               "x-amz-trailer": "x-amz-checksum-crc32", "x-amz-sdk-checksum-algorithm": "CRC32"}
    for key, value, want in (("good", crc, 200), ("bad", b"AAAAAA==", 400)):
        body = _aws_chunked(data, 64 * 1024, value, signed=(key == "bad"))
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        if transfer_chunked:
            pieces = [body[i:i + 100000] for i in range(0, len(body), 100000)]
            conn.request("PUT", "/chunky/" + key, body=iter(pieces), headers=headers,
                         encode_chunked=True)
        else:
            conn.request("PUT", "/chunky/" + key, body=body, headers=headers)
        resp = conn.getresponse()
        text = resp.read()
        assert resp.status == want, text
        if want == 400:
            assert b"<Code>BadDigest</Code>" in text
        conn.close()
    got = s3.get_object(Bucket="chunky", Key="good", ChecksumMode="ENABLED")
    assert got["Body"].read() == data
    assert got["ChecksumCRC32"] == crc.decode()
    assert got.get("ContentEncoding") in (None, "")
    with pytest.raises(ClientError):
        s3.head_object(Bucket="chunky", Key="bad")
