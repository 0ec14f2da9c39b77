"""The aws CLI against S3: mb, cp both ways (small, and multipart with the server's memory
staying bounded), ls, sync, presign, rb --force, and s3api calls with errors as the CLI prints
them."""

import hashlib
import json
import os
import subprocess
import time
import urllib.request

import pytest

from harness import rss_kib


@pytest.fixture
def aws(endpoint, tmp_path):
    env = dict(os.environ)
    env.update({
        "AWS_ACCESS_KEY_ID": "000000000000",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_PAGER": "",
        "AWS_MAX_ATTEMPTS": "1",
        "AWS_CONFIG_FILE": str(tmp_path / "aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "aws-credentials"),
    })
    env.pop("AWS_PROFILE", None)

    def run(*args, check=True, timeout=120):
        argv = ["aws", "--endpoint-url", endpoint, *args]
        proc = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=timeout)
        if check:
            assert proc.returncode == 0, "%s\nstdout: %s\nstderr: %s" % (argv, proc.stdout,
                                                                        proc.stderr)
        return proc

    return run


def test_mb_cp_ls_sync_rb(aws, tmp_path):
    aws("s3", "mb", "s3://cli-bucket")
    assert "cli-bucket" in aws("s3", "ls").stdout
    src = tmp_path / "hello.txt"
    src.write_text("hello from the cli\n")
    aws("s3", "cp", str(src), "s3://cli-bucket/docs/hello.txt")
    listing = aws("s3", "ls", "s3://cli-bucket/docs/").stdout
    assert "hello.txt" in listing and "19" in listing
    out = tmp_path / "back.txt"
    aws("s3", "cp", "s3://cli-bucket/docs/hello.txt", str(out))
    assert out.read_text() == "hello from the cli\n"
    tree = tmp_path / "tree"
    (tree / "sub").mkdir(parents=True)
    for i in range(5):
        (tree / ("f%d.txt" % i)).write_text("file %d" % i)
    (tree / "sub" / "deep.bin").write_bytes(os.urandom(400 * 1024))
    # sync re-uploads a file whose mtime is later than the object's LastModified, which has
    # whole seconds (as on AWS): files written in the same second as their upload would look
    # newer. Dating them a minute back makes the second sync's answer deterministic.
    past = time.time() - 60
    for f in tree.rglob("*"):
        if f.is_file():
            os.utime(f, (past, past))
    aws("s3", "sync", str(tree), "s3://cli-bucket/tree")
    listing = aws("s3", "ls", "--recursive", "s3://cli-bucket/tree/").stdout
    assert listing.count("\n") == 6
    # A second sync has nothing to do.
    assert aws("s3", "sync", str(tree), "s3://cli-bucket/tree").stdout.strip() == ""
    down = tmp_path / "down"
    aws("s3", "sync", "s3://cli-bucket/tree", str(down))
    assert (down / "sub" / "deep.bin").read_bytes() == (tree / "sub" / "deep.bin").read_bytes()
    url = aws("s3", "presign", "s3://cli-bucket/docs/hello.txt").stdout.strip()
    with urllib.request.urlopen(url, timeout=10) as resp:
        assert resp.read() == b"hello from the cli\n"
    proc = aws("s3", "rb", "s3://cli-bucket", check=False)
    assert proc.returncode != 0 and "BucketNotEmpty" in proc.stderr
    aws("s3", "rb", "--force", "s3://cli-bucket")
    assert "cli-bucket" not in aws("s3", "ls").stdout


def test_s3api_and_errors(aws, tmp_path):
    aws("s3api", "create-bucket", "--bucket", "api-bucket")
    body = tmp_path / "body.bin"
    body.write_bytes(b"0123456789")
    put = json.loads(aws("s3api", "put-object", "--bucket", "api-bucket", "--key", "k",
                         "--body", str(body), "--content-type", "text/plain").stdout)
    assert put["ETag"] == '"%s"' % hashlib.md5(b"0123456789").hexdigest()
    head = json.loads(aws("s3api", "head-object", "--bucket", "api-bucket", "--key", "k").stdout)
    assert head["ContentLength"] == 10 and head["ContentType"] == "text/plain"
    out = tmp_path / "range.bin"
    aws("s3api", "get-object", "--bucket", "api-bucket", "--key", "k", "--range", "bytes=2-4",
        str(out))
    assert out.read_bytes() == b"234"
    listed = json.loads(aws("s3api", "list-objects-v2", "--bucket", "api-bucket").stdout)
    assert [o["Key"] for o in listed["Contents"]] == ["k"]
    proc = aws("s3api", "get-object", "--bucket", "api-bucket", "--key", "nope", str(out),
               check=False)
    assert proc.returncode != 0 and "NoSuchKey" in proc.stderr
    proc = aws("s3api", "head-object", "--bucket", "api-bucket", "--key", "nope", check=False)
    assert proc.returncode != 0 and "404" in proc.stderr
    proc = aws("s3api", "get-bucket-website", "--bucket", "api-bucket", check=False)
    assert proc.returncode != 0 and "NotImplemented" in proc.stderr


@pytest.mark.tidepool(durability="sync")
def test_large_cp_both_ways_with_bounded_memory(server, aws, tmp_path):
    size = 300 * 1024 * 1024
    src = tmp_path / "large.bin"
    block = os.urandom(1024 * 1024)
    digest = hashlib.md5()
    with open(src, "wb") as f:
        for i in range(size // len(block)):
            chunk = block[:-1] + bytes([i % 256])
            f.write(chunk)
            digest.update(chunk)
    aws("s3", "mb", "s3://large")
    before = rss_kib(server.proc.pid)
    aws("s3", "cp", str(src), "s3://large/large.bin", timeout=600)
    after_put = rss_kib(server.proc.pid)
    down = tmp_path / "down.bin"
    aws("s3", "cp", "s3://large/large.bin", str(down), timeout=600)
    after_get = rss_kib(server.proc.pid)
    got = hashlib.md5()
    with open(down, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            got.update(chunk)
    assert got.hexdigest() == digest.hexdigest()
    # The server never holds the object: its RSS grows by far less than the object's size.
    assert after_put - before < 128 * 1024, (before, after_put)
    assert after_get - before < 128 * 1024, (before, after_get)
