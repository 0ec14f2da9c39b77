"""SigV4 streaming uploads in --auth strict: an aws-chunked body signed chunk by chunk
(x-amz-content-sha256: STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]) is stored only when
every chunk signature chains from the request's seed signature (and, with -TRAILER, the
trailer signature from the last chunk's). botocore has no streaming signer, so the body is
signed here the way the Java SDK and the AWS docs do (sigv4-streaming.html), independently of
the server's code; the seed signature is botocore's."""

import base64
import binascii
import hashlib
import hmac
import http.client
import urllib.parse

import botocore.auth
import botocore.awsrequest
import botocore.credentials
import pytest
from botocore.exceptions import ClientError

from harness import make_client
from test_s3_sigv2 import KEY, SECRET, strict  # noqa: F401 (the strict fixture)

EMPTY_SHA = hashlib.sha256(b"").hexdigest()
CHUNK = 8192  # AWS's smallest chunk for streaming uploads


def _hmac(key, text):
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def streaming_put(endpoint, path, data, trailer=None, corrupt=None, secret=SECRET):
    """PUTs `data` as a signed aws-chunked body. `trailer`: (name, value) of a trailing
    checksum (the -TRAILER form). `corrupt`: "chunk" (a wrong chunk signature), "data" (a
    byte changed after signing), "trailer" (a wrong trailer signature). Returns (status, body).
    """
    algorithm = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD" + ("-TRAILER" if trailer else "")
    headers = {"x-amz-content-sha256": algorithm, "Content-Encoding": "aws-chunked",
               "x-amz-decoded-content-length": str(len(data))}
    if trailer:
        headers["x-amz-trailer"] = trailer[0]
    request = botocore.awsrequest.AWSRequest(method="PUT", url=endpoint + path, data=b"",
                                             headers=headers)
    botocore.auth.SigV4Auth(botocore.credentials.Credentials(KEY, secret), "s3",
                            "us-east-1").add_auth(request)
    amz_date = request.headers["X-Amz-Date"]
    scope = "%s/us-east-1/s3/aws4_request" % amz_date[:8]
    seed = request.headers["Authorization"].rsplit("Signature=", 1)[1]
    key = _hmac(_hmac(_hmac(_hmac(("AWS4" + secret).encode(), amz_date[:8]), "us-east-1"),
                      "s3"), "aws4_request")

    def sign(kind, previous, tail):
        text = "\n".join([kind, amz_date, scope, previous, tail])
        return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()

    body = bytearray()
    previous = seed
    pieces = [data[i:i + CHUNK] for i in range(0, len(data), CHUNK)] + [b""]
    for n, piece in enumerate(pieces):
        signature = sign("AWS4-HMAC-SHA256-PAYLOAD", previous,
                         EMPTY_SHA + "\n" + hashlib.sha256(piece).hexdigest())
        previous = signature
        if corrupt == "chunk" and n == 1:
            signature = signature[:-1] + ("0" if signature[-1] != "0" else "1")
        if corrupt == "data" and n == 1:
            piece = b"X" + piece[1:]
        body += b"%x;chunk-signature=%s\r\n%s" % (len(piece), signature.encode(), piece)
        body += b"\r\n" if piece else b""
    if trailer:
        canonical = "%s:%s\n" % trailer
        signature = sign("AWS4-HMAC-SHA256-TRAILER", previous,
                         hashlib.sha256(canonical.encode()).hexdigest())
        if corrupt == "trailer":
            signature = "0" * 64
        body += b"%s:%s\r\nx-amz-trailer-signature:%s\r\n" % (
            trailer[0].encode(), trailer[1].encode(), signature.encode())
    body += b"\r\n"
    parts = urllib.parse.urlsplit(endpoint)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    send = dict(request.headers)
    send["Content-Length"] = str(len(body))
    conn.request("PUT", path, body=bytes(body), headers=send)
    resp = conn.getresponse()
    out = resp.status, resp.read()
    conn.close()
    return out


def assert_refused_not_stored(s3, reply, bucket, key):
    status, out = reply
    assert status == 403 and b"<Code>SignatureDoesNotMatch</Code>" in out, reply
    with pytest.raises(ClientError) as e:
        s3.head_object(Bucket=bucket, Key=key)
    assert e.value.response["Error"]["Code"] == "404"


def test_signed_chunks_verified(strict):
    s3 = make_client(strict.endpoint, "s3", access_key=KEY, secret_key=SECRET)
    s3.create_bucket(Bucket="chunks")
    data = bytes(range(256)) * 200  # 51,200 bytes: six full chunks and a short one
    status, out = streaming_put(strict.endpoint, "/chunks/good", data)
    assert status == 200, out
    got = s3.get_object(Bucket="chunks", Key="good")
    assert got["Body"].read() == data
    assert got["ETag"] == '"%s"' % hashlib.md5(data).hexdigest()
    # A body of one chunk (plus the empty last one).
    assert streaming_put(strict.endpoint, "/chunks/small", b"hello")[0] == 200
    assert s3.get_object(Bucket="chunks", Key="small")["Body"].read() == b"hello"


@pytest.mark.parametrize("corrupt", ["chunk", "data"])
def test_bad_chunk_signature_refused_and_not_stored(strict, corrupt):
    s3 = make_client(strict.endpoint, "s3", access_key=KEY, secret_key=SECRET)
    s3.create_bucket(Bucket="bad-chunks")
    assert_refused_not_stored(
        s3, streaming_put(strict.endpoint, "/bad-chunks/k", b"z" * 40000, corrupt=corrupt),
        "bad-chunks", "k")
    # A wrong secret fails on the seed signature already.
    assert_refused_not_stored(
        s3, streaming_put(strict.endpoint, "/bad-chunks/k", b"z", secret="wrong"),
        "bad-chunks", "k")


def test_large_signed_body_streams(strict):
    s3 = make_client(strict.endpoint, "s3", access_key=KEY, secret_key=SECRET)
    s3.create_bucket(Bucket="big-chunks")
    data = hashlib.sha256(b"seed").digest() * (6 * 1024 * 1024 // 32)  # 6 MiB
    assert streaming_put(strict.endpoint, "/big-chunks/big", data)[0] == 200
    assert s3.head_object(Bucket="big-chunks", Key="big")["ContentLength"] == len(data)
    assert_refused_not_stored(
        s3, streaming_put(strict.endpoint, "/big-chunks/bad", data, corrupt="chunk"),
        "big-chunks", "bad")


def test_signed_trailer(strict):
    s3 = make_client(strict.endpoint, "s3", access_key=KEY, secret_key=SECRET)
    s3.create_bucket(Bucket="trailers")
    data = b"trailing checksum " * 1000
    crc = base64.b64encode((binascii.crc32(data) & 0xFFFFFFFF).to_bytes(4, "big")).decode()
    status, out = streaming_put(strict.endpoint, "/trailers/k", data,
                                trailer=("x-amz-checksum-crc32", crc))
    assert status == 200, out
    head = s3.head_object(Bucket="trailers", Key="k", ChecksumMode="ENABLED")
    assert head["ChecksumCRC32"] == crc
    assert_refused_not_stored(
        s3, streaming_put(strict.endpoint, "/trailers/bad", data,
                          trailer=("x-amz-checksum-crc32", crc), corrupt="trailer"),
        "trailers", "bad")


def test_unsigned_streaming_still_works_in_strict(strict):
    """The JS SDK's default: STREAMING-UNSIGNED-PAYLOAD-TRAILER (no chunk signatures)."""
    s3 = make_client(strict.endpoint, "s3", access_key=KEY, secret_key=SECRET)
    s3.create_bucket(Bucket="unsigned-chunks")
    s3.put_object(Bucket="unsigned-chunks", Key="ok", Body=b"fine", ChecksumAlgorithm="CRC32")
    assert s3.get_object(Bucket="unsigned-chunks", Key="ok")["Body"].read() == b"fine"
