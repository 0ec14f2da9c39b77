"""GetShardIterator AT_TIMESTAMP to the millisecond, as AWS honours it.

boto3 (botocore 1.43) serializes a Kinesis `Timestamp` as whole epoch seconds by default (it
sends milliseconds only for services that ask for it), so a boto3 user's fraction of a second
never reaches the server, against AWS as against tidepool; the AWS SDK for JS v3 sends
milliseconds (tests/js/kinesis.test.mjs covers it). Here boto3 is asked for millisecond
precision, as botocore itself does for some services, and the request body is checked.
"""

import time

import boto3
import botocore.handlers

from harness import REGION, client_config
from kinesis_helpers import wait_active


def millisecond_client(endpoint):
    session = boto3.session.Session()
    session._session.register("creating-serializer.kinesis",
                              botocore.handlers.enable_millisecond_timestamp_precision)
    return session.client("kinesis", endpoint_url=endpoint, region_name=REGION,
                          aws_access_key_id="AKIAIOSFODNN7EXAMPLE", aws_secret_access_key="x",
                          config=client_config())


def test_at_timestamp_honours_milliseconds(endpoint):
    kinesis = millisecond_client(endpoint)
    bodies = []
    kinesis.meta.events.register("before-send.kinesis.GetShardIterator",
                                 lambda request, **kw: bodies.append(request.body))
    kinesis.create_stream(StreamName="ts", ShardCount=1)
    wait_active(kinesis, "ts")
    for data in (b"a", b"b", b"c"):
        kinesis.put_record(StreamName="ts", Data=data, PartitionKey="k")
    time.sleep(0.02)
    t = time.time()
    time.sleep(0.05)
    kinesis.put_record(StreamName="ts", Data=b"d", PartitionKey="k")
    it = kinesis.get_shard_iterator(StreamName="ts", ShardId="shardId-000000000000",
                                    ShardIteratorType="AT_TIMESTAMP",
                                    Timestamp=t)["ShardIterator"]
    assert b'"Timestamp": %d.' % int(t) in bodies[0], bodies[0]  # a fraction was sent
    records = kinesis.get_records(ShardIterator=it)["Records"]
    assert [r["Data"] for r in records] == [b"d"]
    # A timestamp between two records' arrivals, to the millisecond, from their own stamps.
    all_records = kinesis.get_records(ShardIterator=kinesis.get_shard_iterator(
        StreamName="ts", ShardId="shardId-000000000000",
        ShardIteratorType="TRIM_HORIZON")["ShardIterator"])["Records"]
    arrival_d = all_records[3]["ApproximateArrivalTimestamp"]
    it = kinesis.get_shard_iterator(StreamName="ts", ShardId="shardId-000000000000",
                                    ShardIteratorType="AT_TIMESTAMP",
                                    Timestamp=arrival_d)["ShardIterator"]
    assert [r["Data"] for r in kinesis.get_records(ShardIterator=it)["Records"]] == [b"d"]
