"""S3 authentication beyond SigV4 headers: SigV2 presigned query URLs (AWSAccessKeyId,
Expires, Signature), as older tools and boto3's signature_version="s3" make them, accepted in
the default mode and checked in --auth strict (unknown key, expiry, signature, sub-resources
and response-* overrides in the signed resource; virtual-hosted style). Signed aws-chunked
bodies are tested in test_s3_streaming_auth.py."""

import http.client
import urllib.parse

import pytest
from botocore.exceptions import ClientError

from harness import make_client

KEY = "AKIASIGV2SIGV2SIGV20"
SECRET = "sigv2-secret"


def fetch(url, method="GET", data=None, headers=None):
    """Sends exactly these headers (urllib would add a Content-Type the URL did not sign)."""
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    target = parts.path + ("?" + parts.query if parts.query else "")
    conn.request(method, target, body=data, headers=headers or {})
    resp = conn.getresponse()
    out = resp.status, resp.read()
    conn.close()
    return out


@pytest.fixture
def strict(tidepool_factory, tmp_path):
    credentials = tmp_path / "credentials"
    credentials.write_text("[v2]\naws_access_key_id = %s\naws_secret_access_key = %s\n"
                           % (KEY, SECRET))
    return tidepool_factory(args=["--auth", "strict", "--credentials-file", str(credentials)])


def v2_client(endpoint, secret=SECRET, **config):
    return make_client(endpoint, "s3", access_key=KEY, secret_key=secret,
                       signature_version="s3", **config)


def test_presigned_v2_default_mode(endpoint):
    s3 = make_client(endpoint, "s3")
    s3.create_bucket(Bucket="v2-open")
    s3.put_object(Bucket="v2-open", Key="k", Body=b"hello")
    url = v2_client(endpoint).generate_presigned_url(
        "get_object", Params={"Bucket": "v2-open", "Key": "k"}, ExpiresIn=60)
    assert "AWSAccessKeyId=" in url and "Signature=" in url and "X-Amz-" not in url
    assert fetch(url) == (200, b"hello")


def test_presigned_v2_strict(strict):
    endpoint = strict.endpoint
    s3 = make_client(endpoint, "s3", access_key=KEY, secret_key=SECRET)
    s3.create_bucket(Bucket="v2-strict")
    s3.put_object(Bucket="v2-strict", Key="dir/a b.txt", Body=b"spaced")
    signer = v2_client(endpoint)
    url = signer.generate_presigned_url(
        "get_object", Params={"Bucket": "v2-strict", "Key": "dir/a b.txt"}, ExpiresIn=60)
    assert fetch(url) == (200, b"spaced")
    # A response-* override is part of the signed resource.
    url = signer.generate_presigned_url(
        "get_object", Params={"Bucket": "v2-strict", "Key": "dir/a b.txt",
                              "ResponseContentType": "text/plain"}, ExpiresIn=60)
    assert fetch(url)[0] == 200
    assert fetch(url.replace("text%2Fplain", "text%2Fhtml"))[0] == 403
    # A presigned PUT.
    url = signer.generate_presigned_url(
        "put_object", Params={"Bucket": "v2-strict", "Key": "put"}, ExpiresIn=60)
    assert fetch(url, method="PUT", data=b"put body")[0] == 200
    assert s3.get_object(Bucket="v2-strict", Key="put")["Body"].read() == b"put body"
    # Wrong secret, expired, unknown key, tampered key name.
    status, body = fetch(v2_client(endpoint, secret="wrong").generate_presigned_url(
        "get_object", Params={"Bucket": "v2-strict", "Key": "put"}, ExpiresIn=60))
    assert status == 403 and b"<Code>SignatureDoesNotMatch</Code>" in body
    status, body = fetch(signer.generate_presigned_url(
        "get_object", Params={"Bucket": "v2-strict", "Key": "put"}, ExpiresIn=-10))
    assert status == 403 and b"Request has expired" in body
    unknown = make_client(endpoint, "s3", access_key="AKIAUNKNOWNUNKNOWN00", secret_key="x",
                          signature_version="s3")
    status, body = fetch(unknown.generate_presigned_url(
        "get_object", Params={"Bucket": "v2-strict", "Key": "put"}, ExpiresIn=60))
    assert status == 403 and b"<Code>InvalidAccessKeyId</Code>" in body
    url = signer.generate_presigned_url(
        "get_object", Params={"Bucket": "v2-strict", "Key": "put"}, ExpiresIn=60)
    assert fetch(url.replace("/put?", "/dir/a%20b.txt?"))[0] == 403
    # Expires missing.
    status, body = fetch(url.split("&Expires=")[0] if "&Expires=" in url else
                         url.replace("Expires=", "X="))
    assert status == 403


def test_presigned_v2_virtual_hosted(strict):
    endpoint = strict.endpoint
    s3 = make_client(endpoint, "s3", access_key=KEY, secret_key=SECRET)
    s3.create_bucket(Bucket="v2-vhost")
    s3.put_object(Bucket="v2-vhost", Key="k", Body=b"vhost")
    url = v2_client(endpoint).generate_presigned_url(
        "get_object", Params={"Bucket": "v2-vhost", "Key": "k"}, ExpiresIn=60)
    # Path style as signed; then the same signature sent virtual-hosted: the Host names the
    # bucket, and the resource is still /v2-vhost/k.
    port = endpoint.rsplit(":", 1)[1]
    vhost = url.replace("/v2-vhost/k", "/k")
    status, body = fetch(vhost, headers={"Host": "v2-vhost.localhost:%s" % port})
    assert (status, body) == (200, b"vhost")



def test_header_v2_strict(strict):
    """boto3's signature_version="s3" signs every call with `Authorization: AWS key:sig`
    (HMAC-SHA1 over the Date, x-amz-* headers and the resource with its sub-resources)."""
    s3 = v2_client(strict.endpoint)
    s3.create_bucket(Bucket="v2-header")
    s3.put_object(Bucket="v2-header", Key="dir/a b.txt", Body=b"v2 body", ContentType="text/x",
                  Metadata={"colour": "blue"})
    got = s3.get_object(Bucket="v2-header", Key="dir/a b.txt")
    assert got["Body"].read() == b"v2 body" and got["Metadata"] == {"colour": "blue"}
    # Sub-resources are in the signed resource.
    s3.put_object_tagging(Bucket="v2-header", Key="dir/a b.txt",
                          Tagging={"TagSet": [{"Key": "t", "Value": "1"}]})
    assert s3.get_object_tagging(Bucket="v2-header", Key="dir/a b.txt")["TagSet"] == [
        {"Key": "t", "Value": "1"}]
    assert [o["Key"] for o in s3.list_objects_v2(Bucket="v2-header", Prefix="dir/")
            ["Contents"]] == ["dir/a b.txt"]
    s3.delete_object(Bucket="v2-header", Key="dir/a b.txt")
    # A wrong secret, an unknown key.
    with pytest.raises(ClientError) as e:
        v2_client(strict.endpoint, secret="wrong").head_bucket(Bucket="v2-header")
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    with pytest.raises(ClientError) as e:
        v2_client(strict.endpoint, secret="wrong").list_objects_v2(Bucket="v2-header")
    assert e.value.response["Error"]["Code"] == "SignatureDoesNotMatch"
    unknown = make_client(strict.endpoint, "s3", access_key="AKIAUNKNOWNUNKNOWN00",
                          secret_key="x", signature_version="s3")
    with pytest.raises(ClientError) as e:
        unknown.list_objects_v2(Bucket="v2-header")
    assert e.value.response["Error"]["Code"] == "InvalidAccessKeyId"


def test_header_v2_tampered_and_skewed(strict):
    """A hand-made request: the signature covers the x-amz-* headers and the Date."""
    import base64
    import email.utils
    import hashlib
    import hmac
    import time
    v4 = make_client(strict.endpoint, "s3", access_key=KEY, secret_key=SECRET)
    v4.create_bucket(Bucket="v2-hand")
    v4.put_object(Bucket="v2-hand", Key="k", Body=b"hand")

    def get(date, meta_signed, meta_sent):
        to_sign = "GET\n\n\n%s\nx-amz-meta-a:%s\n/v2-hand/k" % (date, meta_signed)
        signature = base64.b64encode(hmac.new(SECRET.encode(), to_sign.encode(),
                                              hashlib.sha1).digest()).decode()
        return fetch(strict.endpoint + "/v2-hand/k", headers={
            "Date": date, "x-amz-meta-a": meta_sent,
            "Authorization": "AWS %s:%s" % (KEY, signature)})

    now = email.utils.formatdate(time.time(), usegmt=True)
    assert get(now, "1", "1") == (200, b"hand")
    status, body = get(now, "1", "2")
    assert status == 403 and b"<Code>SignatureDoesNotMatch</Code>" in body
    status, body = get(email.utils.formatdate(time.time() - 3600, usegmt=True), "1", "1")
    assert status == 403 and b"<Code>RequestTimeTooSkewed</Code>" in body


def test_header_v2_default_mode(endpoint):
    s3 = v2_client(endpoint, secret="anything")
    s3.create_bucket(Bucket="v2-header-open")
    s3.put_object(Bucket="v2-header-open", Key="k", Body=b"open")
    assert s3.get_object(Bucket="v2-header-open", Key="k")["Body"].read() == b"open"
