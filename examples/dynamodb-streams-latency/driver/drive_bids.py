#!/usr/bin/env python3
"""Drives POST /event-source-items at a chosen rate and prints how long each write took to reach
the stream handler.

For --seconds at --rate writes per second it alternates a new item (empty body) and a bid on
one auction item ({"id": "auction-<run>", "bid": i}); then it reads the handler's log lines
(FilterLogEvents on --log-group) until every write is there (or --wait seconds pass) and prints

  writes <n>, handled <m>
  write -> handler (createdAt -> handledAt): p50 … p90 … p99 … max … ms
  client send -> handler:                    p50 … p90 … p99 … max … ms
  bids on auction-<run>: <k> in order | OUT OF ORDER

and, with --tidepool <endpoint>, tidepool's own per-hop distributions for DynamoDB streams
(GET /_tidepool/metrics?format=json: write -> wake, wake -> invoke, invoke -> function start,
function, write -> function start), cumulative since the server started.
Exit status 0 when every write was handled and the bids arrived in order, else 1.

  drive_bids.py --api-url <stage URL> --log-group /aws/lambda/<handler> [--rate 20]
                [--seconds 5] [--endpoint-url <tidepool>] [--tidepool <tidepool>]
"""

import argparse
import json
import sys
import time
import urllib.request
import uuid

import boto3


def percentiles(values):
    if not values:
        return "no data"
    v = sorted(values)
    pick = lambda q: v[min(len(v) - 1, int(q * len(v)))]  # noqa: E731
    return "p50 %.0f  p90 %.0f  p99 %.0f  max %.0f ms" % (pick(0.5), pick(0.9), pick(0.99), v[-1])


def post(url, body):
    req = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        assert resp.status == 201, resp.status
        return json.loads(resp.read())


def handled_lines(logs, group, since_ms, wanted, wait):
    """{(id, createdAt): log line} of the handler's item-handled lines, polling until every key
    of `wanted` is there or `wait` seconds pass."""
    found = {}
    deadline = time.time() + wait
    while True:
        kwargs = {"logGroupName": group, "startTime": since_ms}
        try:
            while True:
                page = logs.filter_log_events(**kwargs)
                for e in page["events"]:
                    text = e["message"].strip()
                    start = text.find("{")
                    if start < 0:
                        continue
                    try:
                        line = json.loads(text[start:])
                    except ValueError:
                        continue
                    if isinstance(line, dict) and line.get("event") == "item-handled":
                        found[(line["id"], line["createdAt"])] = line
                if not page.get("nextToken"):
                    break
                kwargs["nextToken"] = page["nextToken"]
        except logs.exceptions.ResourceNotFoundException:
            pass  # no invocation has logged yet
        if wanted <= found.keys() or time.time() > deadline:
            return found
        time.sleep(0.5)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--api-url", required=True, help="the stage URL; /event-source-items "
                        "is appended")
    parser.add_argument("--log-group", required=True, help="the stream handler's log group")
    parser.add_argument("--rate", type=float, default=20.0, help="writes per second")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--wait", type=float, default=60.0,
                        help="how long to wait for the handler to log every write")
    parser.add_argument("--endpoint-url", help="the AWS endpoint (tidepool's URL) for Logs")
    parser.add_argument("--tidepool", help="a tidepool endpoint: also print its per-hop figures")
    args = parser.parse_args()
    logs = boto3.client("logs", endpoint_url=args.endpoint_url)
    url = args.api_url.rstrip("/") + "/event-source-items"
    auction = "auction-" + uuid.uuid4().hex[:8]

    since_ms = int(time.time() * 1000) - 1000
    sent = {}  # (id, createdAt) -> client send time (ms)
    bids = []  # (id, createdAt) of the bids, in the order they were written
    n = int(args.rate * args.seconds)
    start = time.perf_counter()
    for i in range(n):
        due = start + i / args.rate
        if due > time.perf_counter():
            time.sleep(due - time.perf_counter())
        client_ms = time.time() * 1000
        item = post(url, {"id": auction, "bid": i} if i % 2 else {})
        key = (item["id"], item["createdAt"])
        sent[key] = client_ms
        if i % 2:
            bids.append(key)

    found = handled_lines(logs, args.log_group, since_ms, set(sent), args.wait)
    handled = [found[k] for k in sent if k in found]
    print("writes %d, handled %d" % (len(sent), len(handled)))
    print("write -> handler (createdAt -> handledAt): " +
          percentiles([line["lagMs"] for line in handled]))
    print("client send -> handler:                    " +
          percentiles([found[k]["handledAt"] - sent[k] for k in sent if k in found]))
    # In order: the handler saw the auction's bids in stream order, and that is write order.
    seen = sorted((found[k] for k in bids if k in found), key=lambda l: int(l["sequenceNumber"]))
    in_order = [line["bid"] for line in seen] == sorted(line["bid"] for line in seen) and \
        all(a["handledAt"] <= b["handledAt"] for a, b in zip(seen, seen[1:]))
    print("bids on %s: %d %s" % (auction, len(seen), "in order" if in_order else "OUT OF ORDER"))

    if args.tidepool:
        with urllib.request.urlopen(args.tidepool.rstrip("/") + "/_tidepool/metrics?format=json",
                                    timeout=10) as resp:
            hops = json.loads(resp.read())["dynamodb"]
        print("tidepool per hop (DynamoDB streams, since the server started):")
        for hop in ("write_to_wake", "wake_to_invoke", "invoke_to_start", "function",
                    "write_to_start"):
            h = hops[hop]
            print("  %-16s n %-5d p50 %8.0f  p90 %8.0f  p99 %8.0f  max %8.0f us" % (
                hop, h["count"], h["p50_us"], h["p90_us"], h["p99_us"], h["max_us"]))
    return 0 if len(handled) == len(sent) and in_order else 1


if __name__ == "__main__":
    sys.exit(main())
