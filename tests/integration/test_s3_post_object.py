"""S3 POST Object: browser form uploads (multipart/form-data with a POST policy), as boto3's
generate_presigned_post and an HTML form send them. The form's fields become the object's
headers, the policy is checked as S3 checks it, the file streams to disk whatever its size, and
the reply is the one the form asks for (success_action_status / success_action_redirect)."""

import base64
import hashlib
import http.client
import json
import os
import time
import urllib.parse
import xml.etree.ElementTree as ET

import pytest
import requests
from botocore.exceptions import ClientError

from harness import make_client, rss_kib

BOUNDARY = "----tidepoolFormBoundary7MA4YWxkTrZu0gW"


def error_of(response):
    root = ET.fromstring(response.content)
    return root.findtext("Code"), root.findtext("Message")


def post(url, fields, content=b"hello", filename="hello.txt", headers=None):
    files = {"file": (filename, content)}
    return requests.post(url, data=fields, files=files, headers=headers or {},
                         allow_redirects=False, timeout=60)


def presigned(s3, bucket, key, fields=None, conditions=None, expires=300):
    return s3.generate_presigned_post(bucket, key, Fields=fields, Conditions=conditions,
                                      ExpiresIn=expires)


def test_presigned_post_stores_the_file_with_the_form_fields(endpoint):
    s3 = make_client(endpoint, "s3")
    s3.create_bucket(Bucket="forms")
    fields = {"Content-Type": "text/csv", "x-amz-meta-owner": "me", "success_action_status": "201",
              "Cache-Control": "max-age=60", "tagging":
              "<Tagging><TagSet><Tag><Key>team</Key><Value>data</Value></Tag></TagSet></Tagging>"}
    conditions = [{k: v} for k, v in fields.items()] + [["content-length-range", 1, 1000]]
    form = presigned(s3, "forms", "uploads/${filename}", fields, conditions)
    data = b"id,amount\n1,10\n"
    r = post(form["url"], form["fields"], data, filename="C:\\users\\me\\orders.csv")
    assert r.status_code == 201, r.text
    doc = ET.fromstring(r.content)
    assert doc.tag == "PostResponse"
    assert doc.findtext("Bucket") == "forms"
    assert doc.findtext("Key") == "uploads/orders.csv"
    assert doc.findtext("ETag") == '"%s"' % hashlib.md5(data).hexdigest()
    assert doc.findtext("Location").endswith("/forms/uploads%2Forders.csv")
    assert r.headers["ETag"] == '"%s"' % hashlib.md5(data).hexdigest()
    got = s3.get_object(Bucket="forms", Key="uploads/orders.csv")
    assert got["Body"].read() == data
    assert got["ContentType"] == "text/csv"
    assert got["CacheControl"] == "max-age=60"
    assert got["Metadata"] == {"owner": "me"}
    assert s3.get_object_tagging(Bucket="forms", Key="uploads/orders.csv")["TagSet"] == [
        {"Key": "team", "Value": "data"}]


def test_virtual_hosted_form_and_fields_after_the_file_are_ignored(server):
    s3 = make_client(server.endpoint, "s3")
    s3.create_bucket(Bucket="vhost")
    body = (
        "--{b}\r\nContent-Disposition: form-data; name=\"KEY\"\r\n\r\nfirst.txt\r\n"
        "--{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x\"\r\n"
        "Content-Type: image/png\r\n\r\nabc\r\n"
        "--{b}\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\nsecond.txt\r\n"
        "--{b}--\r\n").format(b=BOUNDARY).encode()
    host = "vhost.localhost:%d" % server.port
    r = requests.post(server.endpoint + "/", data=body, allow_redirects=False, timeout=30,
                      headers={"Host": host,
                               "Content-Type": "multipart/form-data; boundary=" + BOUNDARY})
    assert r.status_code == 204, r.text
    assert r.headers["Location"] == "http://%s/first.txt" % host
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="vhost").get("Contents", [])]
    assert keys == ["first.txt"]
    head = s3.head_object(Bucket="vhost", Key="first.txt")
    # The file part's own Content-Type is not the object's.
    assert head["ContentType"] == "binary/octet-stream"


def test_the_reply_is_the_one_the_form_asks_for(endpoint):
    s3 = make_client(endpoint, "s3")
    s3.create_bucket(Bucket="replies")
    s3.put_bucket_versioning(Bucket="replies", VersioningConfiguration={"Status": "Enabled"})
    url = endpoint + "/replies"
    r = post(url, {"key": "plain"})
    assert (r.status_code, r.content) == (204, b"")
    assert r.headers["Location"] == endpoint + "/replies/plain"
    version = r.headers["x-amz-version-id"]
    assert s3.head_object(Bucket="replies", Key="plain")["VersionId"] == version
    assert post(url, {"key": "ok", "success_action_status": "200"}).status_code == 200
    assert post(url, {"key": "odd", "success_action_status": "418"}).status_code == 204
    r = post(url, {"key": "dir/r 1", "success_action_redirect": "https://example.com/done?x=1"})
    assert r.status_code == 303
    etag = '"%s"' % hashlib.md5(b"hello").hexdigest()
    assert r.headers["Location"] == (
        "https://example.com/done?x=1&bucket=replies&key=dir%2Fr%201&etag=" +
        urllib.parse.quote(etag, safe=""))
    r = post(url, {"key": "r2", "redirect": "not a url", "success_action_status": "201"})
    assert r.status_code == 201


def test_policy_failures_store_nothing(endpoint):
    s3 = make_client(endpoint, "s3")
    s3.create_bucket(Bucket="strict-policy")

    def refused(form, fields_change=None, content=b"hello"):
        fields = dict(form["fields"])
        fields.update(fields_change or {})
        return post(form["url"], fields, content)

    form = presigned(s3, "strict-policy", "k", conditions=[["starts-with", "$Content-Type",
                                                            "image/"]])
    r = refused(form, {"Content-Type": "text/html"})
    assert r.status_code == 403
    assert error_of(r) == ("AccessDenied", "Invalid according to Policy: Policy Condition failed: "
                           "[\"starts-with\", \"$Content-Type\", \"image/\"]")
    r = refused(form, {"Content-Type": "image/png", "x-amz-meta-extra": "1"})
    assert error_of(r) == ("AccessDenied",
                           "Invalid according to Policy: Extra input fields: x-amz-meta-extra")
    form = presigned(s3, "strict-policy", "k", expires=-60)
    r = refused(form)
    assert (r.status_code, error_of(r)) == (
        403, ("AccessDenied", "Invalid according to Policy: Policy expired."))
    form = presigned(s3, "strict-policy", "k", conditions=[["content-length-range", 2, 4]])
    r = refused(form)
    assert (r.status_code, error_of(r)[0]) == (400, "EntityTooLarge")
    r = refused(form, content=b"x")
    assert (r.status_code, error_of(r)[0]) == (400, "EntityTooSmall")
    assert refused(form, content=b"four").status_code == 204
    s3.delete_object(Bucket="strict-policy", Key="k")
    form = presigned(s3, "strict-policy", "k")
    r = refused(form, {"policy": base64.b64encode(b"{not json").decode()})
    assert (r.status_code, error_of(r)[0]) == (400, "InvalidPolicyDocument")
    r = post(endpoint + "/strict-policy", {"Content-Type": "text/plain"})
    assert (r.status_code, error_of(r)[0]) == (400, "InvalidArgument")
    r = requests.post(endpoint + "/strict-policy", data=b"--x\r\nbroken", timeout=30,
                      headers={"Content-Type": "multipart/form-data; boundary=x"})
    assert (r.status_code, error_of(r)[0]) == (400, "MalformedPOSTRequest")
    r = requests.post(endpoint + "/strict-policy", data=b"key=k", timeout=30,
                      headers={"Content-Type": "text/plain"})
    assert (r.status_code, error_of(r)[0]) == (412, "PreconditionFailed")
    r = post(endpoint + "/no-such-bucket", {"key": "k"})
    assert (r.status_code, error_of(r)[0]) == (404, "NoSuchBucket")
    assert "Contents" not in s3.list_objects_v2(Bucket="strict-policy")


def test_checksums_and_digests_of_the_file(endpoint):
    s3 = make_client(endpoint, "s3")
    s3.create_bucket(Bucket="sums")
    url = endpoint + "/sums"
    good = base64.b64encode(hashlib.sha256(b"hello").digest()).decode()
    r = post(url, {"key": "a", "x-amz-checksum-sha256": good})
    assert r.status_code == 204, r.text
    assert r.headers["x-amz-checksum-sha256"] == good
    head = s3.head_object(Bucket="sums", Key="a", ChecksumMode="ENABLED")
    assert head["ChecksumSHA256"] == good
    r = post(url, {"key": "b", "x-amz-checksum-sha256": base64.b64encode(b"x" * 32).decode()})
    assert (r.status_code, error_of(r)[0]) == (400, "BadDigest")
    r = post(url, {"key": "c", "Content-MD5": base64.b64encode(b"y" * 16).decode()})
    assert (r.status_code, error_of(r)[0]) == (400, "BadDigest")
    r = post(url, {"key": "d", "x-amz-server-side-encryption": "AES256", "acl": "public-read"})
    assert r.headers["x-amz-server-side-encryption"] == "AES256"
    grants = s3.get_object_acl(Bucket="sums", Key="d")["Grants"]
    assert any(g["Grantee"].get("URI", "").endswith("AllUsers") for g in grants)
    assert sorted(o["Key"] for o in s3.list_objects_v2(Bucket="sums")["Contents"]) == ["a", "d"]


def test_post_notification_is_object_created_post(endpoint):
    s3 = make_client(endpoint, "s3")
    sqs = make_client(endpoint, "sqs")
    url = sqs.create_queue(QueueName="posts")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
        "Attributes"]["QueueArn"]
    s3.create_bucket(Bucket="notified")
    s3.put_bucket_notification_configuration(Bucket="notified", NotificationConfiguration={
        "QueueConfigurations": [{"QueueArn": arn, "Events": ["s3:ObjectCreated:Post"]}]})
    s3.put_object(Bucket="notified", Key="by-put", Body=b"x")  # not a Post: not sent
    assert post(endpoint + "/notified", {"key": "by form.txt"}).status_code == 204
    records = []
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                     WaitTimeSeconds=1).get("Messages", []):
            body = json.loads(m["Body"])
            records += body.get("Records", [])
        if records:
            break
    assert len(records) == 1, records
    assert records[0]["eventName"] == "ObjectCreated:Post"
    assert records[0]["s3"]["object"]["key"] == "by+form.txt"
    assert records[0]["s3"]["object"]["size"] == 5


@pytest.fixture
def strict(tidepool_factory, tmp_path):
    credentials = tmp_path / "credentials"
    credentials.write_text("[forms]\naws_access_key_id = AKIAFORMS\n"
                           "aws_secret_access_key = form-secret\naccount_id = 123456789012\n")
    return tidepool_factory(args=["--auth", "strict", "--credentials-file", str(credentials)])


def test_strict_mode_checks_the_policy_signature(strict):
    s3 = make_client(strict.endpoint, "s3", access_key="AKIAFORMS", secret_key="form-secret")
    s3.create_bucket(Bucket="signed")
    form = presigned(s3, "signed", "ok.txt")
    r = post(form["url"], form["fields"])
    assert r.status_code == 204, r.text
    assert s3.get_object(Bucket="signed", Key="ok.txt")["Body"].read() == b"hello"

    other = make_client(strict.endpoint, "s3", access_key="AKIAFORMS", secret_key="wrong")
    form = presigned(other, "signed", "bad.txt")
    r = post(form["url"], form["fields"])
    assert (r.status_code, error_of(r)[0]) == (403, "SignatureDoesNotMatch")
    unknown = make_client(strict.endpoint, "s3", access_key="AKIANOBODY", secret_key="x")
    form = presigned(unknown, "signed", "bad.txt")
    assert error_of(post(form["url"], form["fields"]))[0] == "InvalidAccessKeyId"
    r = post(strict.endpoint + "/signed", {"key": "anonymous.txt"})
    assert (r.status_code, error_of(r)[0]) == (403, "AccessDenied")
    assert [o["Key"] for o in s3.list_objects_v2(Bucket="signed")["Contents"]] == ["ok.txt"]


def stream_form(endpoint, bucket, key, size):
    """POSTs a form whose file is `size` bytes, sent in 1 MiB blocks; returns (status, md5)."""
    head = ("--{b}\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\n{k}\r\n"
            "--{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.bin\"\r\n"
            "\r\n").format(b=BOUNDARY, k=key).encode()
    tail = ("\r\n--{b}--\r\n").format(b=BOUNDARY).encode()
    host, port = endpoint.split("//")[1].split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=120)
    conn.putrequest("POST", "/" + bucket)
    conn.putheader("Content-Type", "multipart/form-data; boundary=" + BOUNDARY)
    conn.putheader("Content-Length", str(len(head) + size + len(tail)))
    conn.endheaders()
    conn.send(head)
    digest = hashlib.md5()
    block = os.urandom(1 << 20)
    sent = 0
    while sent < size:
        # Boundary-like bytes inside the file must stay data.
        piece = (b"\r\n--" + BOUNDARY[:-1].encode() + b"!" + block)[:min(1 << 20, size - sent)]
        digest.update(piece)
        conn.send(piece)
        sent += len(piece)
    conn.send(tail)
    response = conn.getresponse()
    status = response.status
    response.read()
    conn.close()
    return status, digest.hexdigest()


@pytest.mark.tidepool(durability="sync")
def test_a_large_form_upload_streams_with_bounded_memory(server):
    s3 = make_client(server.endpoint, "s3")
    s3.create_bucket(Bucket="big-forms")
    size = 100 * 1024 * 1024
    before = rss_kib(server.proc.pid)
    status, md5 = stream_form(server.endpoint, "big-forms", "big.bin", size)
    after = rss_kib(server.proc.pid)
    assert status == 204
    head = s3.head_object(Bucket="big-forms", Key="big.bin")
    assert head["ContentLength"] == size
    assert head["ETag"] == '"%s"' % md5
    got = hashlib.md5()
    for chunk in s3.get_object(Bucket="big-forms", Key="big.bin")["Body"].iter_chunks(1 << 20):
        got.update(chunk)
    assert got.hexdigest() == md5
    assert after - before < 32 * 1024, (before, after)


def test_an_acknowledged_form_upload_survives_kill_9(tidepool_factory, tmp_path):
    data_dir = tmp_path / "durable"
    server = tidepool_factory(durability="sync", data_dir=data_dir)
    s3 = make_client(server.endpoint, "s3")
    s3.create_bucket(Bucket="durable")
    r = post(server.endpoint + "/durable", {"key": "small", "success_action_status": "201"})
    assert r.status_code == 201
    status, md5 = stream_form(server.endpoint, "durable", "large", 3 * 1024 * 1024)
    assert status == 204
    server.kill()
    again = tidepool_factory(durability="sync", data_dir=data_dir)
    s3 = make_client(again.endpoint, "s3")
    assert s3.get_object(Bucket="durable", Key="small")["Body"].read() == b"hello"
    assert s3.head_object(Bucket="durable", Key="large")["ETag"] == '"%s"' % md5
