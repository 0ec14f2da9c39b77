// The AWS SDK for JavaScript v3 Kinesis client against tidepool at $TIDEPOOL_ENDPOINT
// (tests/integration/test_js_sdk.py starts a server and runs `node --test` with it set).
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  KinesisClient,
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  PutRecordCommand,
  PutRecordsCommand,
  GetShardIteratorCommand,
  GetRecordsCommand,
  ListShardsCommand,
  waitUntilStreamExists,
} from "@aws-sdk/client-kinesis";
import { NodeHttpHandler } from "@smithy/node-http-handler";

const endpoint = process.env.TIDEPOOL_ENDPOINT;
if (!endpoint) {
  throw new Error("set TIDEPOOL_ENDPOINT to a running tidepool, e.g. http://127.0.0.1:4566");
}

const common = {
  endpoint,
  region: "us-east-1",
  credentials: { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "secret" },
  maxAttempts: 1,
};

async function readShard(client, params) {
  const { ShardIterator } = await client.send(
    new GetShardIteratorCommand({ ...params, ShardIteratorType: "TRIM_HORIZON" }),
  );
  const out = await client.send(new GetRecordsCommand({ ShardIterator, Limit: 1000 }));
  return out.Records;
}

async function roundTrip(client, stream) {
  await client.send(new CreateStreamCommand({ StreamName: stream, ShardCount: 2 }));
  await waitUntilStreamExists(
    { client, minDelay: 1, maxDelay: 1, maxWaitTime: 20 },
    { StreamName: stream },
  );
  const summary = await client.send(new DescribeStreamSummaryCommand({ StreamName: stream }));
  assert.equal(summary.StreamDescriptionSummary.StreamStatus, "ACTIVE");
  assert.equal(summary.StreamDescriptionSummary.OpenShardCount, 2);

  const enc = new TextEncoder();
  const one = await client.send(
    new PutRecordCommand({ StreamName: stream, Data: enc.encode("hello"), PartitionKey: "k" }),
  );
  assert.match(one.SequenceNumber, /^\d+$/);
  const batch = await client.send(
    new PutRecordsCommand({
      StreamName: stream,
      Records: [0, 1, 2].map((i) => ({ Data: enc.encode(`b${i}`), PartitionKey: "k" })),
    }),
  );
  assert.equal(batch.FailedRecordCount, 0);
  assert.equal(batch.Records.length, 3);
  for (const r of batch.Records) assert.equal(r.ShardId, one.ShardId);

  const records = await readShard(client, { StreamName: stream, ShardId: one.ShardId });
  const dec = new TextDecoder();
  assert.deepEqual(
    records.map((r) => dec.decode(r.Data)),
    ["hello", "b0", "b1", "b2"],
  );
  assert.deepEqual(
    records.map((r) => r.SequenceNumber),
    [one.SequenceNumber, ...batch.Records.map((r) => r.SequenceNumber)],
  );
  assert.ok(records[0].ApproximateArrivalTimestamp instanceof Date);

  const shards = await client.send(new ListShardsCommand({ StreamName: stream }));
  assert.deepEqual(
    shards.Shards.map((s) => s.ShardId),
    ["shardId-000000000000", "shardId-000000000001"],
  );

  await assert.rejects(
    client.send(new DescribeStreamSummaryCommand({ StreamName: "does-not-exist" })),
    (err) => {
      assert.equal(err.name, "ResourceNotFoundException");
      assert.equal(err.$metadata.httpStatusCode, 400);
      assert.ok(err.$metadata.requestId, "x-amzn-RequestId header present");
      assert.equal(err.message, "Stream does-not-exist under account 000000000000 not found.");
      return true;
    },
  );
  await assert.rejects(
    client.send(new CreateStreamCommand({ StreamName: stream, ShardCount: 1 })),
    (err) => err.name === "ResourceInUseException",
  );
}

test("HTTP/1.1 handler: create, put, read back, errors", async () => {
  const client = new KinesisClient({ ...common, requestHandler: new NodeHttpHandler() });
  try {
    await roundTrip(client, "js-http1");
  } finally {
    client.destroy();
  }
});

// @aws-sdk/client-kinesis defaults to NodeHttp2Handler, which speaks h2c (HTTP/2 with prior
// knowledge) to an http:// endpoint; tidepool's server accepts h2c (src/protocol/http/h2_session.h).
test("default client as users write it (the SDK picks its HTTP/2 handler)", async () => {
  const client = new KinesisClient({ ...common, requestHandler: { requestTimeout: 10000 } });
  try {
    await roundTrip(client, "js-default");
  } finally {
    client.destroy();
  }
});

// The SDK sends a Date as epoch seconds with milliseconds; AWS honours them, and so must we.
test("AT_TIMESTAMP honours the milliseconds of the timestamp", async () => {
  const client = new KinesisClient({ ...common, requestHandler: new NodeHttpHandler() });
  try {
    const stream = "js-at-timestamp";
    await client.send(new CreateStreamCommand({ StreamName: stream, ShardCount: 1 }));
    await waitUntilStreamExists(
      { client, minDelay: 1, maxDelay: 1, maxWaitTime: 20 },
      { StreamName: stream },
    );
    const enc = new TextEncoder();
    const put = (data) =>
      client.send(new PutRecordCommand({ StreamName: stream, Data: enc.encode(data), PartitionKey: "k" }));
    for (const d of ["a", "b", "c"]) await put(d);
    await new Promise((r) => setTimeout(r, 20));
    const at = new Date();
    await new Promise((r) => setTimeout(r, 50));
    const last = await put("d");
    const { ShardIterator } = await client.send(
      new GetShardIteratorCommand({
        StreamName: stream,
        ShardId: last.ShardId,
        ShardIteratorType: "AT_TIMESTAMP",
        Timestamp: at,
      }),
    );
    const out = await client.send(new GetRecordsCommand({ ShardIterator }));
    assert.deepEqual(
      out.Records.map((r) => new TextDecoder().decode(r.Data)),
      ["d"],
    );
  } finally {
    client.destroy();
  }
});
