"""The HTTP edge without an SDK: health endpoint, malformed requests, oversized bodies."""

import json
import socket
import time
import http.client
import urllib.parse

import pytest

from harness import make_client

TARGET = "Kinesis_20131202."
JSON_11 = "application/x-amz-json-1.1"


def post(endpoint, target, body, content_type=JSON_11, extra_headers=None):
    url = urllib.parse.urlparse(endpoint)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    headers = {"Content-Type": content_type, "X-Amz-Target": target,
               "Authorization": "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240101/us-east-1/"
               "kinesis/aws4_request, SignedHeaders=host;x-amz-date, Signature=" + "0" * 64,
               "X-Amz-Date": "20240101T000000Z"}
    headers.update(extra_headers or {})
    conn.request("POST", "/", body=body, headers=headers)
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    return resp, data


def error_type(data):
    doc = json.loads(data)
    return doc["__type"].split("#")[-1], doc


def test_health(endpoint):
    url = urllib.parse.urlparse(endpoint)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    conn.request("GET", "/_tidepool/health")
    resp = conn.getresponse()
    assert resp.status == 200
    assert resp.getheader("Content-Type", "").startswith("application/json")
    doc = json.loads(resp.read())
    assert isinstance(doc["version"], str) and doc["version"]
    assert isinstance(doc["uptime_seconds"], (int, float)) and doc["uptime_seconds"] >= 0
    assert doc["services"]["kinesis"]["status"] == "running"


def test_bad_json_is_serialization_exception(endpoint):
    resp, data = post(endpoint, TARGET + "ListStreams", b"{not json")
    assert resp.status == 400
    kind, _ = error_type(data)
    assert kind == "SerializationException"
    assert resp.getheader("x-amzn-RequestId")


def test_wrong_json_type_is_serialization_exception(endpoint):
    resp, data = post(endpoint, TARGET + "CreateStream",
                      json.dumps({"StreamName": "s", "ShardCount": "two"}).encode())
    assert resp.status == 400
    kind, _ = error_type(data)
    assert kind == "SerializationException"


def test_unknown_target_is_unknown_operation(endpoint):
    resp, data = post(endpoint, TARGET + "MakeCoffee", b"{}")
    assert resp.status == 400
    kind, _ = error_type(data)
    assert kind == "UnknownOperationException"
    assert resp.getheader("x-amzn-RequestId")


def test_plain_request_round_trip(endpoint):
    """The raw wire form a non-SDK client would send works, with AWS's JSON field names."""
    resp, data = post(endpoint, TARGET + "CreateStream",
                      json.dumps({"StreamName": "raw", "ShardCount": 1}).encode())
    assert resp.status == 200, data
    resp, data = post(endpoint, TARGET + "ListStreams", b"{}")
    assert resp.status == 200
    assert resp.getheader("Content-Type") == JSON_11
    assert json.loads(data)["StreamNames"] == ["raw"]
    resp, data = post(endpoint, TARGET + "PutRecord", json.dumps(
        {"StreamName": "raw", "Data": "aGVsbG8=", "PartitionKey": "k"}).encode())
    assert resp.status == 200, data
    assert set(json.loads(data)) >= {"ShardId", "SequenceNumber"}
    resp, data = post(endpoint, TARGET + "PutRecord", json.dumps(
        {"StreamName": "raw", "Data": "not base64!", "PartitionKey": "k"}).encode())
    assert resp.status == 400
    assert error_type(data)[0] == "SerializationException"


def test_huge_content_length_refused_without_body(endpoint, kinesis):
    url = urllib.parse.urlparse(endpoint)
    sock = socket.create_connection((url.hostname, url.port), timeout=10)
    head = ("POST / HTTP/1.1\r\nHost: %s:%d\r\nContent-Type: %s\r\nX-Amz-Target: %sPutRecord\r\n"
            "Content-Length: %d\r\n\r\n" % (url.hostname, url.port, JSON_11, TARGET,
                                            100 * 1024 * 1024))
    started = time.monotonic()
    sock.sendall(head.encode())
    reply = b""
    try:
        while b"\r\n" not in reply:
            chunk = sock.recv(4096)
            if not chunk:
                break
            reply += chunk
    finally:
        sock.close()
    elapsed = time.monotonic() - started
    assert reply.startswith(b"HTTP/1.1 "), reply
    status = int(reply.split(b" ", 2)[1])
    assert status in (400, 413), reply
    assert elapsed < 5, "refusal took %.1fs" % elapsed
    assert kinesis.list_streams()["StreamNames"] == []


def test_requests_over_one_keep_alive_connection(endpoint):
    url = urllib.parse.urlparse(endpoint)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    for _ in range(20):
        conn.request("POST", "/", body=b"{}", headers={"Content-Type": JSON_11,
                                                       "X-Amz-Target": TARGET + "ListStreams"})
        resp = conn.getresponse()
        assert resp.status == 200
        resp.read()
    conn.close()


def test_server_survives_garbage(endpoint, kinesis):
    url = urllib.parse.urlparse(endpoint)
    for payload in (b"\x00\x01\x02garbage\r\n\r\n", b"GET / HTTP/9.9\r\n\r\n",
                    b"POST / HTTP/1.1\r\nContent-Length: -5\r\n\r\n",
                    b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"):
        sock = socket.create_connection((url.hostname, url.port), timeout=5)
        sock.sendall(payload)
        try:
            sock.recv(4096)
        except (socket.timeout, ConnectionResetError):
            pass
        sock.close()
    assert kinesis.list_streams()["StreamNames"] == []


@pytest.mark.parametrize("access_key", ["000000000000", "AKIAIOSFODNN7EXAMPLE"])
def test_default_account_for_non_numeric_keys(endpoint, access_key):
    client = make_client(endpoint, access_key=access_key)
    client.create_stream(StreamName="acct", ShardCount=1)
    arn = client.describe_stream_summary(StreamName="acct")["StreamDescriptionSummary"][
        "StreamARN"]
    assert arn == "arn:aws:kinesis:us-east-1:000000000000:stream/acct"
