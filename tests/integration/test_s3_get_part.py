"""GetObject / HeadObject by partNumber through boto3 and the JS SDK's parameters: a multipart
object's part bytes with x-amz-mp-parts-count and Content-Range, a single PUT as one part,
errors as S3 answers them, and part boundaries kept across a restart."""

import os

import pytest
from botocore.exceptions import ClientError

from harness import make_client

MIB = 1024 * 1024


def error_of(excinfo):
    return (excinfo.value.response["Error"]["Code"],
            excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"])


def upload_in_parts(s3, bucket, key, sizes):
    upload = s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
    parts, pieces = [], []
    for number, size in enumerate(sizes, start=1):
        piece = os.urandom(size)
        pieces.append(piece)
        etag = s3.upload_part(Bucket=bucket, Key=key, UploadId=upload, PartNumber=number,
                              Body=piece)["ETag"]
        parts.append({"PartNumber": number, "ETag": etag})
    s3.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=upload,
                                 MultipartUpload={"Parts": parts})
    return pieces


def check_parts(s3, bucket, key, pieces):
    total = sum(len(p) for p in pieces)
    start = 0
    for number, piece in enumerate(pieces, start=1):
        got = s3.get_object(Bucket=bucket, Key=key, PartNumber=number)
        assert got["ResponseMetadata"]["HTTPStatusCode"] == 206
        assert got["PartsCount"] == len(pieces)
        assert got["ContentLength"] == len(piece)
        assert got["ContentRange"] == "bytes %d-%d/%d" % (start, start + len(piece) - 1, total)
        assert got["Body"].read() == piece
        head = s3.head_object(Bucket=bucket, Key=key, PartNumber=number)
        assert head["ContentLength"] == len(piece) and head["PartsCount"] == len(pieces)
        start += len(piece)


def test_get_and_head_by_part_number(endpoint):
    s3 = make_client(endpoint, "s3")
    s3.create_bucket(Bucket="bkt")
    pieces = upload_in_parts(s3, "bkt", "mp", [5 * MIB, 5 * MIB + 17, 1234])
    check_parts(s3, "bkt", "mp", pieces)
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket="bkt", Key="mp", PartNumber=4)
    assert error_of(e) == ("InvalidPartNumber", 416)
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket="bkt", Key="mp", PartNumber=1, Range="bytes=0-1")
    assert error_of(e) == ("InvalidRequest", 400)
    # A single PUT is one part: part 1 is the whole object, as a range.
    s3.put_object(Bucket="bkt", Key="single", Body=b"0123456789")
    one = s3.get_object(Bucket="bkt", Key="single", PartNumber=1)
    assert one["ResponseMetadata"]["HTTPStatusCode"] == 206
    assert one["ContentRange"] == "bytes 0-9/10" and one["Body"].read() == b"0123456789"
    assert "PartsCount" not in one
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket="bkt", Key="single", PartNumber=2)
    assert error_of(e) == ("InvalidPartNumber", 416)
    with pytest.raises(ClientError) as e:
        s3.head_object(Bucket="bkt", Key="single", PartNumber=2)
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 416


@pytest.mark.tidepool(durability="sync")
def test_part_boundaries_survive_restart(server, tidepool_factory):
    s3 = make_client(server.endpoint, "s3")
    s3.create_bucket(Bucket="keep")
    pieces = upload_in_parts(s3, "keep", "mp", [5 * MIB + 1, 3])
    data_dir = server.data_dir
    assert server.stop() == 0
    again = tidepool_factory(durability="sync", data_dir=data_dir)
    check_parts(make_client(again.endpoint, "s3"), "keep", "mp", pieces)
