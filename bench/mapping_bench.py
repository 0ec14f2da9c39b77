#!/usr/bin/env python3
"""Event source mapping benchmark: the latency a mapping adds and its throughput.

Starts `tidepool serve` (BUILD_DIR/tidepool, default build/release) for each durability in
DURABILITIES (default "memory sync"), deploys the C++ no-op example function (lambda_noop_function
beside the binary) as a provided.al2023 function, and measures:

  latency     PutRecord ack -> function start (Kinesis mapping, batch size 100, LATEST),
              SendMessage ack -> function start (SQS mapping, batch size 10) and PutItem ack ->
              function start (DynamoDB stream mapping, NEW_AND_OLD_IMAGES, batch size 100,
              LATEST), each at a steady
              RATE events/s (default 1000) for SECONDS seconds (default 5). The figures are the
              server's own per-hop histograms (GET /_tidepool/metrics?format=json, hop
              write_to_start; log buckets about 9% wide), so the driver's own speed is not in
              them.
              Publish ack -> function start (SNS topic with a lambda subscription, which AWS
              invokes asynchronously) at the same rate: each Publish carries its own
              X-Amzn-Trace-Id; the driver notes the wall-clock time each Publish's reply arrived
              (the ack) and reads the trace's timeline (GET /_tidepool/trace?id=...) for the
              server's `sns.publish` stamp (the request, before its commit) and `lambda.start`
              stamp (the function's runtime received the event). Both figures are printed:
              publish -> start (server clock only) and ack -> start (may be below the first by the
              time the reply takes to reach the driver).
  throughput  COUNT records (default 200000) written with PutRecords (500 per request) to a
              4-shard stream before a TRIM_HORIZON mapping (batch size 100) is created; records/s
              from the mapping's creation until the function has had them all. The same for
              SQS: COUNT/10 messages sent in batches of 10, then a mapping (batch size 10,
              MaximumConcurrency 16) deletes them; messages/s.

It prints figures; it asserts nothing. Run: python3 bench/mapping_bench.py
"""

import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
import io
import stat
import urllib.parse

import boto3
import botocore.config

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("BUILD_DIR", os.path.join(REPO, "build", "release"))
RATE = int(os.environ.get("RATE", "1000"))
SECONDS = float(os.environ.get("SECONDS", "5"))
COUNT = int(os.environ.get("COUNT", "200000"))
ACCOUNT = "000000000000"
REGION = "us-east-1"


class Server:
    def __init__(self, durability):
        self.dir = tempfile.mkdtemp(prefix="tidepool-mapping-bench-")
        args = [os.path.join(BUILD, "tidepool"), "serve", "--port", "0", "--data-dir",
                os.path.join(self.dir, "data"), "--durability", durability, "--log-level", "warn"]
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        line = self.proc.stdout.readline().decode()
        m = re.search(r"http://[\d.]+:(\d+)", line)
        if not m:
            raise SystemExit("tidepool did not start: %r" % line)
        self.port = int(m.group(1))
        self.endpoint = "http://127.0.0.1:%d" % self.port

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=30)
        shutil.rmtree(self.dir, ignore_errors=True)

    def client(self, service):
        return boto3.client(service, endpoint_url=self.endpoint, region_name=REGION,
                            aws_access_key_id="bench", aws_secret_access_key="bench",
                            config=botocore.config.Config(retries={"max_attempts": 0},
                                                          read_timeout=120))

    def metrics(self):
        c = http.client.HTTPConnection("127.0.0.1", self.port)
        c.request("GET", "/_tidepool/metrics?format=json")
        return json.loads(c.getresponse().read())


def deploy_function(server, name):
    with open(os.path.join(BUILD, "lambda_noop_function"), "rb") as f:
        exe = f.read()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        info = zipfile.ZipInfo("bootstrap")
        info.external_attr = (stat.S_IFREG | 0o755) << 16
        z.writestr(info, exe)
    lam = server.client("lambda")
    lam.create_function(FunctionName=name, Runtime="provided.al2023", Handler="bootstrap",
                        Role="arn:aws:iam::%s:role/bench" % ACCOUNT,
                        Code={"ZipFile": buf.getvalue()})
    return lam


class RawClient:
    """Unsigned JSON-protocol requests over one keep-alive connection (cheap for the driver)."""

    def __init__(self, port, target, content_type):
        self.conn = http.client.HTTPConnection("127.0.0.1", port)
        self.headers = {"X-Amz-Target": target, "Content-Type": content_type}

    def call(self, body):
        self.conn.request("POST", "/", body=body, headers=self.headers)
        r = self.conn.getresponse()
        data = r.read()
        if r.status != 200:
            raise RuntimeError("%d %s" % (r.status, data[:200]))
        return data


def paced(rate, seconds, send):
    interval = 1.0 / rate
    start = time.perf_counter()
    n = int(rate * seconds)
    for i in range(n):
        due = start + i * interval
        delay = due - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        send(i)
    return n


def wait_delivered(server, source, want, timeout=300):
    deadline = time.time() + timeout
    while time.time() < deadline:
        got = server.metrics()[source]["records"]["delivered"]
        if got >= want:
            return got
        time.sleep(0.05)
    raise SystemExit("%s: only %d of %d delivered" % (source, got, want))


def latency(server):
    kinesis = server.client("kinesis")
    sqs = server.client("sqs")
    lam = deploy_function(server, "noop")
    kinesis.create_stream(StreamName="lat", ShardCount=1)
    kinesis.get_waiter("stream_exists").wait(StreamName="lat", WaiterConfig={"Delay": 0.05})
    lam.create_event_source_mapping(FunctionName="noop", BatchSize=100, StartingPosition="LATEST",
                                    EventSourceArn="arn:aws:kinesis:%s:%s:stream/lat" % (
                                        REGION, ACCOUNT))
    url = sqs.create_queue(QueueName="lat")["QueueUrl"]
    lam.create_event_source_mapping(FunctionName="noop", BatchSize=10,
                                    EventSourceArn="arn:aws:sqs:%s:%s:lat" % (REGION, ACCOUNT))
    time.sleep(0.5)
    k = RawClient(server.port, "Kinesis_20131202.PutRecord", "application/x-amz-json-1.1")
    body = '{"StreamName":"lat","PartitionKey":"p","Data":"%s"}' % ("QUFB" * 25)
    n = paced(RATE, SECONDS, lambda i: k.call(body))
    wait_delivered(server, "kinesis", n)
    q = RawClient(server.port, "AmazonSQS.SendMessage", "application/x-amz-json-1.0")
    qbody = json.dumps({"QueueUrl": url, "MessageBody": "x" * 100})
    m = paced(RATE, SECONDS, lambda i: q.call(qbody))
    wait_delivered(server, "sqs", m)
    ddb = server.client("dynamodb")
    ddb.create_table(TableName="lat", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     BillingMode="PAY_PER_REQUEST",
                     StreamSpecification={"StreamEnabled": True,
                                          "StreamViewType": "NEW_AND_OLD_IMAGES"})
    stream_arn = ddb.describe_table(TableName="lat")["Table"]["LatestStreamArn"]
    lam.create_event_source_mapping(FunctionName="noop", BatchSize=100, StartingPosition="LATEST",
                                    EventSourceArn=stream_arn)
    time.sleep(0.5)
    d = RawClient(server.port, "DynamoDB_20120810.PutItem", "application/x-amz-json-1.0")
    dn = paced(RATE, SECONDS, lambda i: d.call(
        '{"TableName":"lat","Item":{"pk":{"S":"k%d"},"v":{"S":"%s"}}}' % (i, "x" * 100)))
    wait_delivered(server, "dynamodb", dn)
    metrics = server.metrics()
    for source in ("kinesis", "sqs", "dynamodb"):
        h = metrics[source]["write_to_start"]
        print("  %-8s ack -> function start at %d/s: p50 %.0f us, p90 %.0f us, p99 %.0f us, "
              "max %.0f us (%d batches)" % (source, RATE, h["p50_us"], h["p90_us"], h["p99_us"],
                                            h["max_us"], h["count"]))
        for hop in ("write_to_wake", "wake_to_invoke", "invoke_to_start", "function"):
            x = metrics[source][hop]
            if x["count"]:
                print("            %-16s p50 %.0f us, p99 %.0f us" % (hop, x["p50_us"],
                                                                      x["p99_us"]))


def quantiles(values):
    values = sorted(values)
    pick = lambda q: values[min(len(values) - 1, int(q * len(values)))]
    return pick(0.5), pick(0.9), pick(0.99), values[-1]


def sns_latency(server):
    sns = server.client("sns")
    lam = deploy_function(server, "noop")
    topic = sns.create_topic(Name="lat")["TopicArn"]
    fn_arn = lam.get_function(FunctionName="noop")["Configuration"]["FunctionArn"]
    sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=fn_arn)
    conn = http.client.HTTPConnection("127.0.0.1", server.port)
    body = urllib.parse.urlencode({"Action": "Publish", "Version": "2010-03-31",
                                   "TopicArn": topic, "Message": "x" * 100})
    base = "%08x" % int(time.time())
    acks = {}

    def publish(i):
        root = "1-%s-%024x" % (base, i)
        conn.request("POST", "/", body=body, headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Amzn-Trace-Id": "Root=%s;Sampled=1" % root})
        r = conn.getresponse()
        r.read()
        acks[root] = time.time() * 1e6
        if r.status != 200:
            raise RuntimeError("Publish: %d" % r.status)

    # A warm-up publish starts the sandbox, so the figures are of warm deliveries.
    publish(-1 & 0xffffff)
    time.sleep(0.5)
    acks.clear()
    n = paced(RATE, SECONDS, publish)
    publish_to_start, ack_to_start = [], []
    deadline = time.time() + 120
    for root, ack in acks.items():
        while True:
            conn.request("GET", "/_tidepool/trace?id=" + root)
            hops = {h["hop"]: h["micros"] for h in json.loads(conn.getresponse().read())["hops"]}
            if "lambda.start" in hops:
                break
            if time.time() > deadline:
                raise SystemExit("sns: trace %s never reached the function" % root)
            time.sleep(0.05)
        publish_to_start.append(hops["lambda.start"] - hops["sns.publish"])
        ack_to_start.append(hops["lambda.start"] - ack)
    for label, values in (("publish", publish_to_start), ("ack", ack_to_start)):
        p50, p90, p99, top = quantiles(values)
        print("  sns      %-7s -> function start at %d/s: p50 %.0f us, p90 %.0f us, p99 %.0f us, "
              "max %.0f us (%d messages)" % (label, RATE, p50, p90, p99, top, n))


def throughput(server):
    kinesis = server.client("kinesis")
    sqs = server.client("sqs")
    lam = deploy_function(server, "noop")
    kinesis.create_stream(StreamName="tp", ShardCount=4)
    kinesis.get_waiter("stream_exists").wait(StreamName="tp", WaiterConfig={"Delay": 0.05})
    k = RawClient(server.port, "Kinesis_20131202.PutRecords", "application/x-amz-json-1.1")
    records = [{"PartitionKey": "p%d" % i, "Data": "QUFB" * 25} for i in range(500)]
    body = json.dumps({"StreamName": "tp", "Records": records})
    for _ in range(COUNT // 500):
        k.call(body)
    start = time.perf_counter()
    lam.create_event_source_mapping(FunctionName="noop", BatchSize=100,
                                    StartingPosition="TRIM_HORIZON",
                                    EventSourceArn="arn:aws:kinesis:%s:%s:stream/tp" % (
                                        REGION, ACCOUNT))
    wait_delivered(server, "kinesis", COUNT // 500 * 500)
    elapsed = time.perf_counter() - start
    print("  kinesis -> no-op C++ function, batch 100, 4 shards: %.0f records/s (%d in %.2f s)" % (
        COUNT // 500 * 500 / elapsed, COUNT // 500 * 500, elapsed))
    url = sqs.create_queue(QueueName="tp")["QueueUrl"]
    q = RawClient(server.port, "AmazonSQS.SendMessageBatch", "application/x-amz-json-1.0")
    messages = COUNT // 10
    entries = [{"Id": str(i), "MessageBody": "x" * 100} for i in range(10)]
    qbody = json.dumps({"QueueUrl": url, "Entries": entries})
    for _ in range(messages // 10):
        q.call(qbody)
    start = time.perf_counter()
    lam.create_event_source_mapping(FunctionName="noop", BatchSize=10,
                                    ScalingConfig={"MaximumConcurrency": 16},
                                    EventSourceArn="arn:aws:sqs:%s:%s:tp" % (REGION, ACCOUNT))
    wait_delivered(server, "sqs", messages)
    elapsed = time.perf_counter() - start
    print("  sqs -> no-op C++ function with delete, batch 10: %.0f messages/s (%d in %.2f s)" % (
        messages / elapsed, messages, elapsed))


def main():
    for durability in os.environ.get("DURABILITIES", "memory sync").split():
        print("durability %s (%s)" % (durability, BUILD))
        for scenario in (latency, sns_latency, throughput):
            server = Server(durability)
            try:
                scenario(server)
            finally:
                server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
