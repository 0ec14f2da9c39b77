"""Kinesis over CBOR (application/x-amz-cbor-1.1), as the AWS SDK for Java and the KCL send it.

No CBOR library is at hand, so the test carries a small encoder and decoder (RFC 8949) of its
own. The wire rules are the Java SDK's: blobs are byte strings, timestamps tag 1 with epoch
milliseconds, errors a map with "__type" and "message".
"""

import http.client
import shutil
import struct
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
import zlib

import pytest

from harness import ACCOUNT

CBOR = "application/x-amz-cbor-1.1"


class Tagged:
    def __init__(self, tag, value):
        self.tag, self.value = tag, value


def _head(major, n):
    if n < 24:
        return bytes([major << 5 | n])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if n < 1 << (8 * size):
            return bytes([major << 5 | info]) + n.to_bytes(size, "big")
    raise ValueError(n)


def encode(v):
    if v is None:
        return b"\xf6"
    if v is True or v is False:
        return b"\xf5" if v else b"\xf4"
    if isinstance(v, int):
        return _head(0, v) if v >= 0 else _head(1, -1 - v)
    if isinstance(v, float):
        return b"\xfb" + struct.pack(">d", v)
    if isinstance(v, bytes):
        return _head(2, len(v)) + v
    if isinstance(v, str):
        b = v.encode()
        return _head(3, len(b)) + b
    if isinstance(v, list):
        return _head(4, len(v)) + b"".join(encode(e) for e in v)
    if isinstance(v, dict):
        return _head(5, len(v)) + b"".join(encode(k) + encode(x) for k, x in v.items())
    if isinstance(v, Tagged):
        return _head(6, v.tag) + encode(v.value)
    raise TypeError(v)


def decode(data):
    value, end = _item(data, 0)
    assert end == len(data), "trailing bytes"
    return value


def _item(d, i):
    ib = d[i]
    major, info = ib >> 5, ib & 0x1F
    i += 1
    if info < 24:
        n = info
    elif info <= 27:
        size = 1 << (info - 24)
        n = int.from_bytes(d[i:i + size], "big")
        i += size
    else:
        raise ValueError("indefinite lengths are not expected from the server")
    if major == 0:
        return n, i
    if major == 1:
        return -1 - n, i
    if major in (2, 3):
        raw = d[i:i + n]
        return (bytes(raw) if major == 2 else raw.decode()), i + n
    if major == 4:
        out = []
        for _ in range(n):
            v, i = _item(d, i)
            out.append(v)
        return out, i
    if major == 5:
        out = {}
        for _ in range(n):
            k, i = _item(d, i)
            out[k], i = _item(d, i)
        return out, i
    if major == 6:
        v, i = _item(d, i)
        return Tagged(n, v), i
    if info == 20:
        return False, i
    if info == 21:
        return True, i
    if info == 22:
        return None, i
    if info == 27:
        return struct.unpack(">d", struct.pack(">Q", n))[0], i
    raise ValueError("unexpected simple value %d" % info)


def call(endpoint, operation, body):
    """Sends a CBOR request (`body` a Python value, or raw bytes); returns (status, headers,
    decoded reply or None for an empty body)."""
    data = body if isinstance(body, bytes) else encode(body)
    request = urllib.request.Request(
        endpoint + "/", data=data, method="POST",
        headers={"X-Amz-Target": "Kinesis_20131202." + operation, "Content-Type": CBOR})
    try:
        with urllib.request.urlopen(request) as response:
            status, headers, raw = response.status, response.headers, response.read()
    except urllib.error.HTTPError as e:
        status, headers, raw = e.code, e.headers, e.read()
    return status, headers, (decode(raw) if raw else None)


def ok(endpoint, operation, body):
    status, headers, reply = call(endpoint, operation, body)
    assert status == 200, (status, reply)
    assert headers["Content-Type"] == CBOR
    return reply


def test_put_get_describe_over_cbor(endpoint):
    assert ok(endpoint, "CreateStream", {"StreamName": "cb", "ShardCount": 1}) is None
    described = ok(endpoint, "DescribeStream", {"StreamName": "cb"})["StreamDescription"]
    assert described["StreamName"] == "cb"
    created = described["StreamCreationTimestamp"]
    assert isinstance(created, Tagged) and created.tag == 1
    assert abs(created.value / 1000.0 - time.time()) < 60  # epoch milliseconds

    payload = bytes(range(256))
    put = ok(endpoint, "PutRecord", {"StreamName": "cb", "PartitionKey": "k", "Data": payload})
    assert put["ShardId"] == "shardId-000000000000"
    batch = ok(endpoint, "PutRecords", {"StreamName": "cb", "Records": [
        {"PartitionKey": "k", "Data": b"\x00second"}]})
    assert batch["FailedRecordCount"] == 0

    iterator = ok(endpoint, "GetShardIterator", {
        "StreamName": "cb", "ShardId": "shardId-000000000000",
        "ShardIteratorType": "AT_TIMESTAMP",
        "Timestamp": Tagged(1, int(time.time() * 1000) - 60000)})["ShardIterator"]
    got = ok(endpoint, "GetRecords", {"ShardIterator": iterator})
    records = got["Records"]
    assert [r["Data"] for r in records] == [payload, b"\x00second"]
    assert records[0]["SequenceNumber"] == put["SequenceNumber"]
    arrival = records[0]["ApproximateArrivalTimestamp"]
    assert isinstance(arrival, Tagged) and arrival.tag == 1
    assert abs(arrival.value / 1000.0 - time.time()) < 60
    assert isinstance(got["NextShardIterator"], str)
    assert got["MillisBehindLatest"] == 0


def test_errors_over_cbor(endpoint):
    status, headers, reply = call(endpoint, "DescribeStream", {"StreamName": "missing"})
    assert status == 400
    assert headers["Content-Type"] == CBOR
    assert headers["x-amzn-ErrorType"] == "ResourceNotFoundException"
    assert reply == {"__type": "ResourceNotFoundException",
                     "message": "Stream missing under account %s not found." % ACCOUNT}
    status, _, reply = call(endpoint, "PutRecord", {"StreamName": "x"})
    assert status == 400 and reply["__type"] == "ValidationException"
    for bad in (b"", b"\xa1", b"\x80", b"\xff\xff"):
        status, _, reply = call(endpoint, "ListStreams", bad)
        assert status == 400 and reply["__type"] == "SerializationException", bad


# Enhanced fan-out over CBOR: the AWS SDK for Java and the KCL call SubscribeToShard in CBOR and
# read the event payloads in CBOR (the response is still application/vnd.amazon.eventstream,
# each message's :content-type says application/x-amz-cbor-1.1).
FAST = pytest.mark.tidepool(args=["--time-scale", "0.01"])  # subscriptions last 3 s


def event_messages(data):
    """The messages of an AWS event stream, as (headers dict, payload) pairs, CRCs checked."""
    out = []
    while data:
        total, headers_length, prelude_crc = struct.unpack(">III", data[:12])
        assert prelude_crc == zlib.crc32(data[:8])
        assert struct.unpack(">I", data[total - 4:total])[0] == zlib.crc32(data[:total - 4])
        raw, headers = data[12:12 + headers_length], {}
        while raw:
            n = raw[0]
            name = raw[1:1 + n].decode()
            assert raw[1 + n] == 7  # string
            length = struct.unpack(">H", raw[2 + n:4 + n])[0]
            headers[name] = raw[4 + n:4 + n + length].decode()
            raw = raw[4 + n + length:]
        out.append((headers, data[12 + headers_length:total - 4]))
        data = data[total:]
    return out


def cbor_consumer(endpoint, stream):
    ok(endpoint, "CreateStream", {"StreamName": stream, "ShardCount": 1})
    arn = "arn:aws:kinesis:us-east-1:%s:stream/%s" % (ACCOUNT, stream)
    consumer = ok(endpoint, "RegisterStreamConsumer",
                  {"StreamARN": arn, "ConsumerName": "java"})["Consumer"]["ConsumerARN"]
    for _ in range(200):
        described = ok(endpoint, "DescribeStreamConsumer", {"ConsumerARN": consumer})
        if described["ConsumerDescription"]["ConsumerStatus"] == "ACTIVE":
            return consumer
        time.sleep(0.02)
    raise AssertionError("consumer never ACTIVE")


def check_cbor_events(messages, payload):
    kinds = [(h[":message-type"], h[":event-type"]) for h, _ in messages]
    assert kinds[0] == ("event", "initial-response")
    assert all(k == ("event", "SubscribeToShardEvent") for k in kinds[1:]), kinds
    assert all(h[":content-type"] == CBOR for h, _ in messages)
    assert decode(messages[0][1]) == {}
    events = [decode(p) for _, p in messages[1:]]
    records = [r for e in events for r in e["Records"]]
    assert [r["Data"] for r in records] == [payload]  # a byte string, not base64 text
    arrival = records[0]["ApproximateArrivalTimestamp"]
    assert isinstance(arrival, Tagged) and arrival.tag == 1
    assert abs(arrival.value / 1000.0 - time.time()) < 60  # epoch milliseconds
    assert isinstance(records[0]["SequenceNumber"], str)
    assert all(isinstance(e["MillisBehindLatest"], int) for e in events)
    assert all(isinstance(e["ContinuationSequenceNumber"], str) for e in events)


@FAST
def test_subscribe_to_shard_over_cbor_http1(endpoint):
    consumer = cbor_consumer(endpoint, "cb-fan")
    payload = b"\x00\xffjava"
    ok(endpoint, "PutRecord", {"StreamName": "cb-fan", "PartitionKey": "k", "Data": payload})
    status, headers, body = subscribe_raw(endpoint, consumer, CBOR, encode)
    assert status == 200
    assert headers["Content-Type"] == "application/vnd.amazon.eventstream"
    check_cbor_events(event_messages(body), payload)


@FAST
def test_subscribe_to_shard_over_cbor_http2(endpoint, tmp_path):
    curl = shutil.which("curl")
    if curl is None:
        pytest.fail("curl is not installed; this test speaks HTTP/2 through it")
    consumer = cbor_consumer(endpoint, "cb-fan2")
    ok(endpoint, "PutRecord", {"StreamName": "cb-fan2", "PartitionKey": "k", "Data": b"h2"})
    request = tmp_path / "request.cbor"
    request.write_bytes(encode({"ConsumerARN": consumer, "ShardId": "shardId-000000000000",
                                "StartingPosition": {"Type": "TRIM_HORIZON"}}))
    out = tmp_path / "events"
    proc = subprocess.run(
        [curl, "-sS", "--http2-prior-knowledge", "-o", str(out), "-w", "%{http_version} %{http_code}",
         "-H", "X-Amz-Target: Kinesis_20131202.SubscribeToShard", "-H", "Content-Type: " + CBOR,
         "--data-binary", "@" + str(request), endpoint + "/"],
        capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "2 200"
    check_cbor_events(event_messages(out.read_bytes()), b"h2")


def subscribe_raw(endpoint, consumer, content_type, encoder, read=True):
    """SubscribeToShard over HTTP/1.1 (unsigned, as the other raw calls here). Returns (status,
    headers, body); with read=False the body is left unread and the connection is returned in
    place of the body."""
    url = urllib.parse.urlsplit(endpoint)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    conn.request("POST", "/", body=encoder({
        "ConsumerARN": consumer, "ShardId": "shardId-000000000000",
        "StartingPosition": {"Type": "TRIM_HORIZON"}}),
        headers={"X-Amz-Target": "Kinesis_20131202.SubscribeToShard",
                 "Content-Type": content_type})
    response = conn.getresponse()
    if not read:
        return response.status, response.headers, conn
    body = response.read()
    conn.close()
    return response.status, response.headers, body


def test_subscribe_to_shard_once_per_second(endpoint):
    # AWS (SubscribeToShard): "You can make one call to SubscribeToShard per second per
    # registered consumer per shard"; a call "within 5 seconds of a successful call" gets
    # ResourceInUseException. Unscaled time: the limit is 1 s, the takeover 5 s.
    consumer = cbor_consumer(endpoint, "cb-rate")
    status, _, conn = subscribe_raw(endpoint, consumer, CBOR, encode, read=False)
    assert status == 200
    try:
        status, _, reply = call(endpoint, "SubscribeToShard", {
            "ConsumerARN": consumer, "ShardId": "shardId-000000000000",
            "StartingPosition": {"Type": "LATEST"}})
        assert status == 400
        assert reply["__type"] == "LimitExceededException", reply
        time.sleep(1.1)
        status, _, reply = call(endpoint, "SubscribeToShard", {
            "ConsumerARN": consumer, "ShardId": "shardId-000000000000",
            "StartingPosition": {"Type": "LATEST"}})
        assert status == 400
        assert reply["__type"] == "ResourceInUseException", reply
        # The refused call counts too: at once again is over the limit.
        status, _, reply = call(endpoint, "SubscribeToShard", {
            "ConsumerARN": consumer, "ShardId": "shardId-000000000000",
            "StartingPosition": {"Type": "LATEST"}})
        assert reply["__type"] == "LimitExceededException", reply
    finally:
        conn.close()
