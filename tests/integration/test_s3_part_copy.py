"""UploadPartCopy (x-amz-copy-source on UploadPart) through boto3, its managed copy and the aws
CLI's multipart s3-to-s3 copy: ranges, the copy-source conditions, a source version."""

import hashlib
import os
import subprocess

import pytest
from boto3.s3.transfer import TransferConfig
from botocore.exceptions import ClientError

from harness import make_client

MIB = 1024 * 1024


@pytest.fixture
def s3(endpoint):
    return make_client(endpoint, "s3")


def error_code(excinfo):
    return excinfo.value.response["Error"]["Code"]


def test_upload_part_copy_ranges_make_the_object(s3):
    s3.create_bucket(Bucket="src")
    s3.create_bucket(Bucket="dst")
    data = os.urandom(11 * MIB + 7)
    s3.put_object(Bucket="src", Key="big", Body=data)
    s3.put_object(Bucket="src", Key="small", Body=b"tail bytes")  # an inline body
    upload = s3.create_multipart_upload(Bucket="dst", Key="joined")["UploadId"]
    first = s3.upload_part_copy(Bucket="dst", Key="joined", UploadId=upload, PartNumber=1,
                                CopySource={"Bucket": "src", "Key": "big"},
                                CopySourceRange="bytes=0-%d" % (6 * MIB - 1))
    assert first["CopyPartResult"]["ETag"] == '"%s"' % hashlib.md5(data[:6 * MIB]).hexdigest()
    assert "LastModified" in first["CopyPartResult"]
    second = s3.upload_part_copy(Bucket="dst", Key="joined", UploadId=upload, PartNumber=2,
                                 CopySource="src/big",
                                 CopySourceRange="bytes=%d-%d" % (6 * MIB, len(data) - 1))
    third = s3.upload_part_copy(Bucket="dst", Key="joined", UploadId=upload, PartNumber=3,
                                CopySource={"Bucket": "src", "Key": "small"},
                                CopySourceRange="bytes=5-9")
    assert third["CopyPartResult"]["ETag"] == '"%s"' % hashlib.md5(b"bytes").hexdigest()
    parts = s3.list_parts(Bucket="dst", Key="joined", UploadId=upload)["Parts"]
    assert [(p["PartNumber"], p["Size"]) for p in parts] == [
        (1, 6 * MIB), (2, len(data) - 6 * MIB), (3, 5)]
    s3.complete_multipart_upload(Bucket="dst", Key="joined", UploadId=upload, MultipartUpload={
        "Parts": [{"PartNumber": n, "ETag": r["CopyPartResult"]["ETag"]}
                  for n, r in ((1, first), (2, second), (3, third))]})
    assert s3.get_object(Bucket="dst", Key="joined")["Body"].read() == data + b"bytes"


def test_upload_part_copy_errors_and_conditions(s3):
    s3.create_bucket(Bucket="bkt")
    put = s3.put_object(Bucket="bkt", Key="src", Body=b"0123456789")
    upload = s3.create_multipart_upload(Bucket="bkt", Key="dst")["UploadId"]

    def copy(**kw):
        args = dict(Bucket="bkt", Key="dst", UploadId=upload, PartNumber=1, CopySource="bkt/src")
        args.update(kw)
        return s3.upload_part_copy(**args)

    for bad in ("bytes=5-2", "bytes=3-", "items=0-1"):
        with pytest.raises(ClientError) as e:
            copy(CopySourceRange=bad)
        assert error_code(e) == "InvalidArgument", bad
    with pytest.raises(ClientError) as e:
        copy(CopySourceRange="bytes=0-10")
    assert error_code(e) == "InvalidArgument"
    assert "size: 10" in e.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as e:
        copy(CopySourceIfMatch='"nope"')
    assert error_code(e) == "PreconditionFailed"
    with pytest.raises(ClientError) as e:
        copy(CopySourceIfNoneMatch=put["ETag"])
    assert error_code(e) == "PreconditionFailed"
    with pytest.raises(ClientError) as e:
        copy(CopySource="bkt/missing")
    assert error_code(e) == "NoSuchKey"
    with pytest.raises(ClientError) as e:
        copy(UploadId="0" * 32)
    assert error_code(e) == "NoSuchUpload"
    with pytest.raises(ClientError) as e:
        copy(PartNumber=10001)
    assert error_code(e) == "InvalidArgument"
    ok = copy(CopySourceIfMatch=put["ETag"], CopySourceRange="bytes=2-4")
    assert ok["CopyPartResult"]["ETag"] == '"%s"' % hashlib.md5(b"234").hexdigest()
    assert "CopySourceVersionId" not in ok


def test_upload_part_copy_from_a_version_with_checksums(s3):
    s3.create_bucket(Bucket="ver")
    s3.put_bucket_versioning(Bucket="ver", VersioningConfiguration={"Status": "Enabled"})
    old = s3.put_object(Bucket="ver", Key="k", Body=b"old body")["VersionId"]
    s3.put_object(Bucket="ver", Key="k", Body=b"new body")
    upload = s3.create_multipart_upload(Bucket="ver", Key="out", ChecksumAlgorithm="SHA256")
    part = s3.upload_part_copy(Bucket="ver", Key="out", UploadId=upload["UploadId"], PartNumber=1,
                               CopySource={"Bucket": "ver", "Key": "k", "VersionId": old})
    assert part["CopySourceVersionId"] == old
    assert part["CopyPartResult"]["ChecksumSHA256"]
    s3.complete_multipart_upload(Bucket="ver", Key="out", UploadId=upload["UploadId"],
                                 MultipartUpload={"Parts": [{
                                     "PartNumber": 1, "ETag": part["CopyPartResult"]["ETag"],
                                     "ChecksumSHA256": part["CopyPartResult"]["ChecksumSHA256"]}]})
    assert s3.get_object(Bucket="ver", Key="out")["Body"].read() == b"old body"


def test_managed_copy_uses_part_copies(s3):
    s3.create_bucket(Bucket="abc")
    data = os.urandom(13 * MIB + 5)
    s3.put_object(Bucket="abc", Key="big", Body=data)
    config = TransferConfig(multipart_threshold=5 * MIB, multipart_chunksize=5 * MIB)
    s3.copy({"Bucket": "abc", "Key": "big"}, "abc", "copied", Config=config)
    head = s3.head_object(Bucket="abc", Key="copied")
    assert head["ETag"].endswith('-3"') and head["ContentLength"] == len(data)
    assert s3.get_object(Bucket="abc", Key="copied")["Body"].read() == data


def test_cli_copies_a_20_mib_object_between_buckets(endpoint, tmp_path):
    env = dict(os.environ)
    env.update({"AWS_ACCESS_KEY_ID": "000000000000", "AWS_SECRET_ACCESS_KEY": "test",
                "AWS_DEFAULT_REGION": "us-east-1", "AWS_PAGER": "", "AWS_MAX_ATTEMPTS": "1",
                "AWS_CONFIG_FILE": str(tmp_path / "cfg"),
                "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "creds")})
    env.pop("AWS_PROFILE", None)
    s3 = make_client(endpoint, "s3")
    s3.create_bucket(Bucket="from")
    s3.create_bucket(Bucket="dest")
    data = os.urandom(20 * MIB)
    s3.put_object(Bucket="from", Key="big", Body=data)
    proc = subprocess.run(["aws", "--endpoint-url", endpoint, "s3", "cp", "s3://from/big",
                           "s3://dest/big"], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    head = s3.head_object(Bucket="dest", Key="big")
    assert head["ContentLength"] == len(data)
    assert head["ETag"].endswith('-3"')  # 8 MiB parts: the CLI copied by UploadPartCopy
    assert s3.get_object(Bucket="dest", Key="big")["Body"].read() == data
