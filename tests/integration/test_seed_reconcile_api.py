"""Seed 001 (streamwreck)'s POST /reconcile API end to end, as PIPELINES.md describes ours:
stream WreakStream-Dev (two shards) -> StreamProcessor (mapping: batch 50, LATEST) skips every
record whose sequence number is divisible by 5 and publishes the others to WreakStreamTopic-Dev
-> Notified (subscribed to the topic) writes each to a DynamoDB ledger with a 36 h TTL, keyed by
shard id + sequence number -> Checker (a Node function behind API Gateway, AWS_PROXY) answers
POST /reconcile: a JSON array of sequence numbers in, 200 {"Unprocessed":[...]} in input order
out, 400 with a plain-text reason for a body that is not an array of strings. The endpoint is
found with `aws apigateway get-rest-apis` / `get-stages` as the seed's README does, and a
stream checker reads every shard from TRIM_HORIZON, 20 records per GetRecords, posting each
batch (with its shard, so sequence numbers need not be unique across shards) until the tip."""

import json
import textwrap
import time
import urllib.parse
import urllib.request

import pytest

from apigateway_helpers import host_of, lambda_uri
from cli_helpers import aws_cli_runner
from harness import ACCOUNT, REGION, make_client
from kinesis_helpers import wait_active
from lambda_helpers import zip_one
from mapping_helpers import ROLE
from streamwreck_helpers import wire_streamwreck

LEDGER = "streamwreck-ledger"

PROCESSOR = textwrap.dedent("""
    import json, os
    import boto3
    sns = boto3.client("sns", region_name=os.environ["AWS_REGION"])
    def handler(event, context):
        for r in event["Records"]:
            seq = r["kinesis"]["sequenceNumber"]
            if int(seq) % 5 == 0:
                continue  # the seed's simulated failure: this record is never processed
            sns.publish(TopicArn=os.environ["TOPIC"], Message=json.dumps(
                {"shardId": r["eventID"].split(":")[0], "sequenceNumber": seq}))
""")

NOTIFIED = textwrap.dedent("""
    import json, os, time
    import boto3
    ddb = boto3.client("dynamodb", region_name=os.environ["AWS_REGION"])
    def handler(event, context):
        for r in event["Records"]:
            m = json.loads(r["Sns"]["Message"])
            ddb.put_item(TableName=os.environ["LEDGER"], Item={
                "shardId": {"S": m["shardId"]}, "sequenceNumber": {"S": m["sequenceNumber"]},
                "expiresAt": {"N": str(int(time.time()) + 36 * 3600)}})
""")

# POST /reconcile[?shardId=...]: with a shard, a sequence number is processed when the ledger
# has (shard, number); without one (the original's bare form), when any shard's entry has it.
CHECKER = """
const { DynamoDBClient, BatchGetItemCommand, QueryCommand } = require("@aws-sdk/client-dynamodb");
const ddb = new DynamoDBClient({});
const TABLE = process.env.LEDGER;
const text = (code, reason) =>
  ({ statusCode: code, headers: { "Content-Type": "text/plain" }, body: reason });
exports.handler = async (event) => {
  let seqs;
  try { seqs = JSON.parse(event.body || ""); } catch (e) {
    return text(400, "request body is not JSON: " + e.message);
  }
  if (!Array.isArray(seqs) || !seqs.every((s) => typeof s === "string")) {
    return text(400, "request body must be a JSON array of sequence numbers (strings)");
  }
  const shard = (event.queryStringParameters || {}).shardId;
  const seen = new Set();
  if (shard) {
    const unique = [...new Set(seqs)];
    for (let i = 0; i < unique.length; i += 100) {
      let keys = unique.slice(i, i + 100).map((s) => ({ shardId: { S: shard },
                                                       sequenceNumber: { S: s } }));
      while (keys && keys.length) {
        const out = await ddb.send(new BatchGetItemCommand({ RequestItems: { [TABLE]: { Keys: keys } } }));
        for (const item of out.Responses[TABLE] || []) seen.add(item.sequenceNumber.S);
        keys = ((out.UnprocessedKeys || {})[TABLE] || {}).Keys;
      }
    }
  } else {
    for (const s of new Set(seqs)) {
      const out = await ddb.send(new QueryCommand({ TableName: TABLE, IndexName: "bySequence",
        KeyConditionExpression: "sequenceNumber = :s",
        ExpressionAttributeValues: { ":s": { S: s } }, Limit: 1 }));
      if (out.Count > 0) seen.add(s);
    }
  }
  return { statusCode: 200, headers: { "Content-Type": "application/json" },
           body: JSON.stringify({ Unprocessed: seqs.filter((s) => !seen.has(s)) }) };
};
"""


def function(lam, name, runtime, handler, filename, source, env):
    arn = lam.create_function(FunctionName=name, Runtime=runtime, Role=ROLE, Handler=handler,
                              Timeout=30, Environment={"Variables": env},
                              Code={"ZipFile": zip_one(filename, source)})["FunctionArn"]
    lam.get_waiter("function_active_v2").wait(FunctionName=name,
                                              WaiterConfig={"Delay": 0.1, "MaxAttempts": 50})
    return arn


def post(url, body, host):
    """(status, content type, body text) of POST `url` with the Host header `host`."""
    data = body if isinstance(body, bytes) else body.encode()
    req = urllib.request.Request(url, data=data, method="POST", headers={"Host": host})
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.status, resp.headers.get("Content-Type"), resp.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type"), e.read().decode()


def stream_checker(kinesis, stream, reconcile):
    """The seed's stream checker: every shard from TRIM_HORIZON, 20 records per GetRecords,
    each batch's sequence numbers posted to `reconcile(shard, seqs)`; ends at every shard's
    tip. Returns {shard: [unprocessed...]} and the number of records read."""
    unprocessed, read = {}, 0
    for shard in kinesis.list_shards(StreamName=stream)["Shards"]:
        sid = shard["ShardId"]
        it = kinesis.get_shard_iterator(StreamName=stream, ShardId=sid,
                                        ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        while it:
            page = kinesis.get_records(ShardIterator=it, Limit=20)
            seqs = [r["SequenceNumber"] for r in page["Records"]]
            read += len(seqs)
            if seqs:
                unprocessed.setdefault(sid, []).extend(reconcile(sid, seqs))
            if not seqs and page.get("MillisBehindLatest", 0) == 0:
                break
            it = page.get("NextShardIterator")
    return unprocessed, read


def test_reconcile_api(endpoint, tmp_path):
    kinesis = make_client(endpoint, "kinesis")
    lam = make_client(endpoint, "lambda", read_timeout=60)
    sns = make_client(endpoint, "sns")
    ddb = make_client(endpoint, "dynamodb")
    apigw = make_client(endpoint, "apigateway")
    aws = aws_cli_runner(endpoint, tmp_path)

    kinesis.create_stream(StreamName="WreakStream-Dev", ShardCount=2)
    wait_active(kinesis, "WreakStream-Dev")
    ddb.create_table(
        TableName=LEDGER, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "shardId", "AttributeType": "S"},
                              {"AttributeName": "sequenceNumber", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "shardId", "KeyType": "HASH"},
                   {"AttributeName": "sequenceNumber", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[{
            "IndexName": "bySequence",
            "KeySchema": [{"AttributeName": "sequenceNumber", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "KEYS_ONLY"}}])
    ddb.update_time_to_live(TableName=LEDGER, TimeToLiveSpecification={
        "Enabled": True, "AttributeName": "expiresAt"})
    topic = sns.create_topic(Name="WreakStreamTopic-Dev")["TopicArn"]
    function(lam, "StreamProcessor", "python3.12", "app.handler", "app.py", PROCESSOR,
             {"TOPIC": topic})
    function(lam, "Notified", "python3.12", "app.handler", "app.py", NOTIFIED,
             {"LEDGER": LEDGER})
    checker = function(lam, "Checker", "nodejs20.x", "index.handler", "index.js", CHECKER,
                       {"LEDGER": LEDGER})
    wire_streamwreck(lam, sns, topic)

    # The API as SAM's implicit API for the Checker's POST /reconcile event makes it.
    api = apigw.create_rest_api(name="streamwreck", version="1.0")
    reconcile = apigw.create_resource(restApiId=api["id"], parentId=api["rootResourceId"],
                                      pathPart="reconcile")["id"]
    apigw.put_method(restApiId=api["id"], resourceId=reconcile, httpMethod="POST",
                     authorizationType="NONE")
    apigw.put_integration(restApiId=api["id"], resourceId=reconcile, httpMethod="POST",
                          type="AWS_PROXY", integrationHttpMethod="POST",
                          uri=lambda_uri(checker))
    apigw.create_deployment(restApiId=api["id"], stageName="Stage")

    # The README's way to the endpoint: get-rest-apis, get-stages.
    found = [a for a in aws("apigateway", "get-rest-apis")["items"] if a["name"] == "streamwreck"]
    assert [a["id"] for a in found] == [api["id"]]
    assert found[0]["apiKeySource"] == "HEADER" and found[0]["version"] == "1.0"
    stages = aws("apigateway", "get-stages", "--rest-api-id", api["id"])["item"]
    assert [s["stageName"] for s in stages] == ["Stage"]
    host = host_of(api["id"], endpoint)
    url = endpoint + "/Stage/reconcile"

    def call(seqs, shard=None):
        target = url + ("?" + urllib.parse.urlencode({"shardId": shard}) if shard else "")
        status, ctype, body = post(target, json.dumps(seqs), host)
        assert (status, ctype) == (200, "application/json"), body
        return json.loads(body)["Unprocessed"]

    assert call([]) == []

    put = {}
    for i in range(150):
        r = kinesis.put_record(StreamName="WreakStream-Dev", PartitionKey="pk-%d" % i,
                               Data=("Data%dFoobar" % i).encode())
        put[r["SequenceNumber"]] = r["ShardId"]
    skipped = {seq for seq in put if int(seq) % 5 == 0}
    assert 0 < len(skipped) < len(put)
    assert len(set(put.values())) == 2

    # Wait for the ledger to hold every processed record.
    deadline = time.time() + 90
    while time.time() < deadline:
        if ddb.describe_table(TableName=LEDGER)["Table"]["ItemCount"] >= len(put) - len(skipped):
            break
        count = sum(p["Count"] for p in ddb.get_paginator("scan").paginate(
            TableName=LEDGER, Select="COUNT"))
        if count >= len(put) - len(skipped):
            break
        time.sleep(0.5)
    item = ddb.get_item(TableName=LEDGER, Key={
        "shardId": {"S": put[next(s for s in put if s not in skipped)]},
        "sequenceNumber": {"S": next(s for s in put if s not in skipped)}})["Item"]
    assert abs(int(item["expiresAt"]["N"]) - (time.time() + 36 * 3600)) < 600

    # The stream checker, batch by batch through the API.
    unprocessed, read = stream_checker(kinesis, "WreakStream-Dev", lambda shard, seqs: (
        call(seqs, shard)))
    assert read == len(put)
    for shard, seqs in unprocessed.items():
        assert all(put[s] == shard for s in seqs)
    assert {s for seqs in unprocessed.values() for s in seqs} == skipped

    # The README's curl: bare sequence numbers, answered in input order, duplicates kept.
    sample = sorted(put)[:6]
    sample = sample + [sample[0], "49591585917767627211020937568791696204996217827017883650"]
    want = [s for s in sample if s in skipped or s not in put]
    assert call(sample) == want

    # A body that is not an array of strings: 400 with a plain-text reason.
    for bad in ("not json", '{"a": 1}', "[1, 2]", '["1", null]', ""):
        status, ctype, body = post(url, bad, host)
        assert status == 400 and ctype == "text/plain", (bad, status, ctype, body)
        assert body and not body.startswith("{")

    # Only POST is served: another method is API Gateway's Missing Authentication Token.
    req = urllib.request.Request(url, method="GET", headers={"Host": host})
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(req, timeout=30)
    assert err.value.code == 403
    assert json.loads(err.value.read()) == {"message": "Missing Authentication Token"}
