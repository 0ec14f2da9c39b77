"""Kinesis over CBOR (application/x-amz-cbor-1.1), as the AWS SDK for Java and the KCL send it.

No CBOR library is at hand, so the test carries a small encoder and decoder (RFC 8949) of its
own. The wire rules are the Java SDK's: blobs are byte strings, timestamps tag 1 with epoch
milliseconds, errors a map with "__type" and "message".
"""

import struct
import time
import urllib.error
import urllib.request

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
