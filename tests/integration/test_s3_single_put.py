"""One PutObject larger than the server's in-memory request limit (32 MiB): the body streams to
disk as an aws s3 cp part does, instead of being refused with 413 while its header is parsed.
AWS takes up to 5 GB in one PUT; boto3's put_object, the JS SDK's PutObjectCommand and curl -T
send one."""

import hashlib
import os
import subprocess

import pytest

from harness import make_client, rss_kib

SIZE = 48 * 1024 * 1024


def write_file(path):
    digest = hashlib.md5()
    block = os.urandom(1024 * 1024)
    with open(path, "wb") as f:
        for i in range(SIZE // len(block)):
            chunk = block[:-1] + bytes([i % 256])
            f.write(chunk)
            digest.update(chunk)
    return digest.hexdigest()


@pytest.mark.tidepool(durability="sync")
def test_put_object_above_the_in_memory_limit_streams(server, tmp_path):
    s3 = make_client(server.endpoint, "s3")
    s3.create_bucket(Bucket="single")
    src = tmp_path / "big.bin"
    md5 = write_file(src)
    before = rss_kib(server.proc.pid)
    with open(src, "rb") as f:
        put = s3.put_object(Bucket="single", Key="big.bin", Body=f)
    after = rss_kib(server.proc.pid)
    assert put["ETag"] == '"%s"' % md5
    head = s3.head_object(Bucket="single", Key="big.bin")
    assert head["ContentLength"] == SIZE
    got = hashlib.md5()
    for chunk in s3.get_object(Bucket="single", Key="big.bin")["Body"].iter_chunks(1 << 20):
        got.update(chunk)
    assert got.hexdigest() == md5
    # Streamed, not held: the server grows by far less than the body.
    assert after - before < 32 * 1024, (before, after)


def test_unsigned_put_with_curl(server, tmp_path):
    s3 = make_client(server.endpoint, "s3")
    s3.create_bucket(Bucket="curl-put")
    src = tmp_path / "big.bin"
    md5 = write_file(src)
    out = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-T", str(src),
                          server.endpoint + "/curl-put/big.bin"], capture_output=True, text=True,
                         check=True)
    assert out.stdout == "200"
    assert s3.head_object(Bucket="curl-put", Key="big.bin")["ETag"] == '"%s"' % md5


def test_a_large_body_for_an_operation_held_in_memory_is_refused(server):
    # A body that is not an object (here an SQS JSON call) keeps the 32 MiB in-memory limit: a
    # declared length past it is refused at once, before the body is read.
    import http.client
    host, port = server.endpoint.split("//")[1].split(":")
    c = http.client.HTTPConnection(host, int(port))
    c.putrequest("POST", "/")
    c.putheader("X-Amz-Target", "AmazonSQS.ListQueues")
    c.putheader("Content-Type", "application/x-amz-json-1.0")
    c.putheader("Content-Length", str(64 * 1024 * 1024))
    c.endheaders()
    r = c.getresponse()
    assert r.status == 413
    assert b"RequestEntityTooLarge" in r.read()
