"""S3 CORS: Put/Get/DeleteBucketCors through boto3 and the aws CLI's JSON, OPTIONS preflights
answered from the bucket's rules (first match wins, wildcards in origins and headers, 403
CORSResponse when nothing matches), and CORS headers on actual requests with an Origin."""

import http.client
from urllib.parse import urlparse

import pytest
from botocore.exceptions import ClientError

from harness import make_client

RULES = {"CORSRules": [
    {"ID": "app", "AllowedOrigins": ["https://app.example.com"],
     "AllowedMethods": ["GET", "PUT"], "AllowedHeaders": ["x-amz-*", "Content-Type"],
     "ExposeHeaders": ["ETag", "x-amz-version-id"], "MaxAgeSeconds": 600},
    {"AllowedOrigins": ["https://*.example.org"], "AllowedMethods": ["GET"]},
    {"AllowedOrigins": ["*"], "AllowedMethods": ["HEAD"]},
]}


@pytest.fixture
def s3(endpoint):
    return make_client(endpoint, "s3")


def request(endpoint, method, path, headers):
    url = urlparse(endpoint)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    conn.request(method, path, headers=headers)
    resp = conn.getresponse()
    body = resp.read()
    conn.close()
    return resp.status, {k.lower(): v for k, v in resp.getheaders()}, body


def test_cors_configuration_round_trip(s3):
    s3.create_bucket(Bucket="cors-store")
    with pytest.raises(ClientError) as e:
        s3.get_bucket_cors(Bucket="cors-store")
    assert e.value.response["Error"]["Code"] == "NoSuchCORSConfiguration"
    s3.put_bucket_cors(Bucket="cors-store", CORSConfiguration=RULES)
    assert s3.get_bucket_cors(Bucket="cors-store")["CORSRules"] == RULES["CORSRules"]
    with pytest.raises(ClientError) as e:
        s3.put_bucket_cors(Bucket="cors-store", CORSConfiguration={"CORSRules": [
            {"AllowedOrigins": ["*"], "AllowedMethods": ["PATCH"]}]})
    assert e.value.response["Error"]["Code"] == "InvalidRequest"
    assert "PATCH" in e.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as e:
        s3.put_bucket_cors(Bucket="cors-store", CORSConfiguration={"CORSRules": [
            {"AllowedOrigins": ["https://*.*.com"], "AllowedMethods": ["GET"]}]})
    assert e.value.response["Error"]["Code"] == "InvalidRequest"
    s3.delete_bucket_cors(Bucket="cors-store")
    with pytest.raises(ClientError) as e:
        s3.get_bucket_cors(Bucket="cors-store")
    assert e.value.response["Error"]["Code"] == "NoSuchCORSConfiguration"


def test_preflight(s3, endpoint):
    s3.create_bucket(Bucket="cors-pre")
    # No configuration: refused.
    status, _, body = request(endpoint, "OPTIONS", "/cors-pre/k", {
        "Origin": "https://app.example.com", "Access-Control-Request-Method": "GET"})
    assert status == 403 and b"<Code>CORSResponse</Code>" in body
    s3.put_bucket_cors(Bucket="cors-pre", CORSConfiguration=RULES)
    status, headers, _ = request(endpoint, "OPTIONS", "/cors-pre/some/key", {
        "Origin": "https://app.example.com", "Access-Control-Request-Method": "PUT",
        "Access-Control-Request-Headers": "X-Amz-Date, content-type"})
    assert status == 200
    assert headers["access-control-allow-origin"] == "https://app.example.com"
    assert headers["access-control-allow-methods"] == "GET, PUT"
    assert headers["access-control-allow-headers"] == "x-amz-date, content-type"
    assert headers["access-control-max-age"] == "600"
    assert headers["access-control-expose-headers"] == "ETag, x-amz-version-id"
    assert headers["access-control-allow-credentials"] == "true"
    # A header the rule does not allow; a method no rule for the origin allows.
    for method, asked in (("PUT", "x-custom"), ("DELETE", "")):
        status, headers, body = request(endpoint, "OPTIONS", "/cors-pre/k", {
            "Origin": "https://app.example.com", "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": asked})
        assert status == 403 and b"<Code>CORSResponse</Code>" in body, (method, asked)
        assert "access-control-allow-origin" not in headers
    # The wildcard origin rule; the catch-all rule answers "*".
    status, headers, _ = request(endpoint, "OPTIONS", "/cors-pre/k", {
        "Origin": "https://www.example.org", "Access-Control-Request-Method": "GET"})
    assert status == 200 and headers["access-control-allow-origin"] == "https://www.example.org"
    status, headers, _ = request(endpoint, "OPTIONS", "/cors-pre/k", {
        "Origin": "http://anywhere.test", "Access-Control-Request-Method": "HEAD"})
    assert status == 200 and headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in headers
    # Missing Origin: 400; missing bucket: 404.
    status, _, body = request(endpoint, "OPTIONS", "/cors-pre/k",
                              {"Access-Control-Request-Method": "GET"})
    assert status == 400 and b"<Code>BadRequest</Code>" in body
    status, _, body = request(endpoint, "OPTIONS", "/no-such-bucket/k", {
        "Origin": "https://app.example.com", "Access-Control-Request-Method": "GET"})
    assert status == 404 and b"<Code>NoSuchBucket</Code>" in body


def test_actual_requests_carry_cors_headers(s3, endpoint):
    s3.create_bucket(Bucket="cors-get")
    s3.put_object(Bucket="cors-get", Key="k", Body=b"hello")
    s3.put_bucket_cors(Bucket="cors-get", CORSConfiguration=RULES)
    status, headers, body = request(endpoint, "GET", "/cors-get/k",
                                    {"Origin": "https://app.example.com"})
    assert status == 200 and body == b"hello"
    assert headers["access-control-allow-origin"] == "https://app.example.com"
    assert headers["access-control-expose-headers"] == "ETag, x-amz-version-id"
    # Errors carry them too, so a browser can read them.
    status, headers, _ = request(endpoint, "GET", "/cors-get/missing",
                                 {"Origin": "https://app.example.com"})
    assert status == 404 and headers["access-control-allow-origin"] == "https://app.example.com"
    # An origin no rule allows: served, without CORS headers.
    status, headers, _ = request(endpoint, "GET", "/cors-get/k", {"Origin": "https://evil.test"})
    assert status == 200 and "access-control-allow-origin" not in headers
    # No Origin: no CORS headers.
    status, headers, _ = request(endpoint, "GET", "/cors-get/k", {})
    assert status == 200 and "access-control-allow-origin" not in headers
