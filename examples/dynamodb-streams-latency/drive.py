#!/usr/bin/env python3
"""Drives the dynamodb-streams-latency example and prints its lag distribution.

Writes bids through the example's API (POST /event-source-items) at RATE writes/s for SECONDS
seconds, spread over ITEMS auction items (the bids on one item are sent one after another, each
after the previous one's 201), waits until the stream handler has seen every write, and prints
p50/p90/p99/max, in milliseconds, of (after one unmeasured bid per item, which starts the
functions' sandboxes, unless --no-warmup):

  client -> writer start   the driver sent the POST -> the writer function started
                           (the writer's trace: its `lambda.start` stamp)
  write -> handler start   the item's createdAt (the writer's clock, just before PutItem) ->
                           the stream handler started (the handler's trace: `lambda.start`)
  handler start -> record  the handler started -> it took the batch in hand (its own clock)
  client -> handler        the whole path: the driver sent the POST -> the handler had it
  createdAt -> handler     the original's figure (handler time - createdAt)

Traces come from tidepool's tracing (GET /_tidepool/trace?id=<trace id>, in memory, the newest
50,000 stamps): the writer stores its trace id in the item, the handler records it beside its
own, since a DynamoDB stream does not carry a trace from the write to its function. Against AWS
(no trace endpoint, another invoke URL): --endpoint "" --api-url <the stack's ApiUrl> --no-trace.

It checks, and exits 1 otherwise, that every write reached the handler and that each item's bids
reached it in the order they were written.

  python3 drive.py [--endpoint http://localhost:4566] [--stack dynamodb-streams-latency]
                   [--rate 20] [--seconds 10] [--items 4] [--timeout 120] [--no-trace]
                   [--api-url URL] [--no-warmup]
"""

import argparse
import http.client
import json
import os
import sys
import threading
import time
import urllib.parse

import boto3


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--endpoint", default="http://localhost:4566")
    p.add_argument("--stack", default="dynamodb-streams-latency")
    p.add_argument("--region", default="us-east-1")
    p.add_argument("--rate", type=float, default=20.0, help="writes per second, all items")
    p.add_argument("--seconds", type=float, default=10.0)
    p.add_argument("--items", type=int, default=4, help="auction items the bids spread over")
    p.add_argument("--timeout", type=float, default=120.0,
                   help="seconds to wait for the handler to see every write")
    p.add_argument("--no-trace", action="store_true", help="skip the per-hop trace figures")
    p.add_argument("--no-warmup", action="store_true",
                   help="measure from cold: no unmeasured bid per item first")
    p.add_argument("--api-url", help="the API's stage URL (default: tidepool's for the stack)")
    p.add_argument("--json", action="store_true", help="also print the raw results as JSON")
    return p.parse_args(argv)


def client(args, service):
    """A boto3 client: tidepool's endpoint and test keys unless the environment has keys."""
    keys = {} if os.environ.get("AWS_ACCESS_KEY_ID") else {
        "aws_access_key_id": "000000000000", "aws_secret_access_key": "test"}
    return boto3.client(service, endpoint_url=args.endpoint or None, region_name=args.region,
                        **keys)


def stack_outputs(args):
    stack = client(args, "cloudformation").describe_stacks(StackName=args.stack)["Stacks"][0]
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


def connection(endpoint):
    u = urllib.parse.urlsplit(endpoint)
    cls = http.client.HTTPSConnection if u.scheme == "https" else http.client.HTTPConnection
    return cls(u.hostname, u.port or (443 if u.scheme == "https" else 80), timeout=30)


def write_bids(args, api_url, base, count):
    """Returns {item: [bid dicts in written order]} for items <base>-0 .. <base>-<items - 1>,
    `count` bids each; each bid has sent/acked (epoch us) and the writer's reply (createdAt,
    writerTrace)."""
    base_url = urllib.parse.urlsplit(api_url)
    path = base_url.path.rstrip("/") + "/event-source-items"
    per_item_rate = args.rate / args.items
    written = {"%s-%d" % (base, i): [] for i in range(args.items)}
    errors = []

    def run(item):
        conn = connection("%s://%s" % (base_url.scheme, base_url.netloc))
        start = time.monotonic()
        for n in range(count):
            delay = start + n / per_item_rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            sent = time.time() * 1e6
            conn.request("POST", path, body=json.dumps({"id": item, "bid": n}),
                         headers={"Content-Type": "application/json"})
            resp = conn.getresponse()
            body = resp.read()
            acked = time.time() * 1e6
            if resp.status != 201:
                errors.append("POST %s bid %d: %d %s" % (item, n, resp.status, body[:200]))
                return
            written[item].append({"bid": n, "sent": sent, "acked": acked, **json.loads(body)})

    threads = [threading.Thread(target=run, args=(item,)) for item in written]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise SystemExit("\n".join(errors))
    return written


def number(text):
    return float(text) if "." in text else int(text)


def wait_handled(args, table, written):
    """{item: arrivals} once the handler has seen as many records as were written per item."""
    want = {item: len(bids) for item, bids in written.items()}
    ddb = client(args, "dynamodb")
    deadline = time.time() + args.timeout
    arrivals = {}
    while True:
        for item in want:
            if len(arrivals.get(item, [])) >= want[item]:
                continue
            got = ddb.get_item(TableName=table, Key={"id": {"S": item}}, ConsistentRead=True)
            got = got.get("Item", {}).get("arrivals", {}).get("L", [])
            arrivals[item] = [{k: (v["S"] if "S" in v else number(v["N"]))
                               for k, v in a["M"].items()} for a in got]
        if all(len(arrivals[i]) >= want[i] for i in want) or time.time() > deadline:
            return arrivals
        time.sleep(0.2)


def check(written, arrivals):
    """The problems found: writes that never reached the handler, or reached it out of order."""
    problems = []
    for item, bids in written.items():
        seen = [a["createdAt"] for a in arrivals.get(item, [])]
        sent = [b["createdAt"] for b in bids]
        if seen != sent:
            missing = sorted(set(sent) - set(seen))
            problems.append("%s: written %d, handler saw %d%s%s" % (
                item, len(sent), len(seen),
                ", missing createdAt %s" % missing[:5] if missing else "",
                ", out of order" if not missing else ""))
    return problems


def trace_stamps(conn, trace_id, cache):
    """{(hop, detail): first micros} of one trace."""
    if trace_id not in cache:
        conn.request("GET", "/_tidepool/trace?id=" + urllib.parse.quote(trace_id))
        resp = conn.getresponse()
        body = resp.read()
        stamps = {}
        if resp.status == 200:
            for h in json.loads(body)["hops"]:
                stamps.setdefault((h["hop"], h["detail"]), h["micros"])
        cache[trace_id] = stamps
    return cache[trace_id]


def quantiles(values):
    values = sorted(values)
    pick = lambda q: values[min(len(values) - 1, int(q * len(values)))]
    return pick(0.5), pick(0.9), pick(0.99), values[-1]


WRITER = "event-source-writer"  # the template's function names
HANDLER = "event-source-stream-handler"


def lag_figures(args, written, arrivals):
    """{figure name: [milliseconds]}, the figures the module doc lists."""
    figures = {"client -> writer start": [], "write -> handler start": [],
               "handler start -> record": [], "client -> handler": [],
               "createdAt -> handler": []}
    conn = None if args.no_trace else connection(args.endpoint)
    cache = {}
    for item, bids in written.items():
        by_created = {a["createdAt"]: a for a in arrivals[item]}
        for bid in bids:
            a = by_created[bid["createdAt"]]
            handled_us = a["handledAt"] * 1000
            figures["client -> handler"].append((handled_us - bid["sent"]) / 1000)
            figures["createdAt -> handler"].append(a["handledAt"] - a["createdAt"])  # ms
            if conn is None:
                continue
            w = trace_stamps(conn, a["writerTrace"], cache).get(("lambda.start", WRITER))
            h = trace_stamps(conn, a["handlerTrace"], cache).get(("lambda.start", HANDLER))
            if w is not None:
                figures["client -> writer start"].append((w - bid["sent"]) / 1000)
            if h is not None:
                figures["write -> handler start"].append((h - a["createdAt"] * 1000) / 1000)
                figures["handler start -> record"].append((handled_us - h) / 1000)
    return figures


def main(argv=None):
    args = parse_args(argv)
    out = stack_outputs(args)
    api_url = args.api_url or "%s/restapis/%s/Prod/_user_request_" % (args.endpoint,
                                                                      out["ApiId"])
    base = "bid-%x" % int(time.time() * 1000)
    if not args.no_warmup:
        # One bid per writer thread, not measured, so the figures are of warm sandboxes.
        warm = write_bids(args, api_url, base + "-warmup", 1)
        wait_handled(args, out["HandledTableName"], warm)
    written = write_bids(args, api_url, base, max(1, int(args.rate * args.seconds / args.items)))
    total = sum(len(b) for b in written.values())
    sent = [b["sent"] for bids in written.values() for b in bids]
    took = (max(sent) - min(sent)) / 1e6 if total > 1 else 0.0
    print("wrote %d bids on %d items at %.0f/s (asked %.0f/s)" % (
        total, len(written), (total - 1) / took if took else 0.0, args.rate))
    arrivals = wait_handled(args, out["HandledTableName"], written)
    problems = check(written, arrivals)
    if args.json:
        print(json.dumps({"written": written, "arrivals": arrivals}))
    if problems:
        print("FAILED:\n  " + "\n  ".join(problems))
        return 1
    print("every bid reached the handler, each item's bids in order")
    for name, values in lag_figures(args, written, arrivals).items():
        if not values:
            print("  %-24s (no trace stamps)" % name)
            continue
        p50, p90, p99, top = quantiles(values)
        print("  %-24s p50 %7.1f ms  p90 %7.1f ms  p99 %7.1f ms  max %7.1f ms  (%d)" % (
            name, p50, p90, p99, top, len(values)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
