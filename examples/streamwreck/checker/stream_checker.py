#!/usr/bin/env python3
"""The stream checker: reads every shard of a stream from TRIM_HORIZON, 20 records per
GetRecords, posts each batch's sequence numbers to the reconcile endpoint (with the shard, as
?shardId=) and prints the reply, one line per batch:

  <shard id> <number of records> {"Unprocessed":[...]}

It ends when it reaches the tip of every shard (an empty page with MillisBehindLatest 0), and
prints a last line `unprocessed <n> of <m> records`. Exit status 0 when every record was
processed, 1 when not.

  stream_checker.py --stream WreakStream-Dev --endpoint <reconcile URL> [--endpoint-url <AWS>]
"""

import argparse
import json
import sys
import urllib.parse
import urllib.request

import boto3


def post(url, shard, seqs):
    target = url + ("&" if "?" in url else "?") + urllib.parse.urlencode({"shardId": shard})
    req = urllib.request.Request(target, data=json.dumps(seqs).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as resp:
        return json.loads(resp.read())


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stream", required=True)
    parser.add_argument("--endpoint", required=True, help="the POST /reconcile URL")
    parser.add_argument("--endpoint-url", help="the Kinesis endpoint (tidepool's URL)")
    args = parser.parse_args()
    kinesis = boto3.client("kinesis", endpoint_url=args.endpoint_url)
    read = missing = 0
    shards = []
    for page in kinesis.get_paginator("list_shards").paginate(StreamName=args.stream):
        shards += page["Shards"]
    for shard in shards:
        shard_id = shard["ShardId"]
        iterator = kinesis.get_shard_iterator(StreamName=args.stream, ShardId=shard_id,
                                              ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        while iterator:
            page = kinesis.get_records(ShardIterator=iterator, Limit=20)
            seqs = [r["SequenceNumber"] for r in page["Records"]]
            if seqs:
                reply = post(args.endpoint, shard_id, seqs)
                print(shard_id, len(seqs), json.dumps(reply, separators=(",", ":")), flush=True)
                read += len(seqs)
                missing += len(reply["Unprocessed"])
            elif page.get("MillisBehindLatest", 0) == 0:
                break  # the tip of this shard
            iterator = page.get("NextShardIterator")
    print("unprocessed %d of %d records" % (missing, read), flush=True)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
