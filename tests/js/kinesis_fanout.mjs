// Enhanced fan-out through the AWS SDK for JavaScript v3: SubscribeToShardCommand's event stream
// against tidepool at $TIDEPOOL_ENDPOINT, which tests/integration/test_kinesis_fanout.py starts
// with --time-scale 0.01 (a subscription then lasts 3 s instead of 5 minutes).
// Run with `node --test kinesis_fanout.mjs`.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  KinesisClient,
  CreateStreamCommand,
  DescribeStreamConsumerCommand,
  GetShardIteratorCommand,
  GetRecordsCommand,
  MergeShardsCommand,
  PutRecordCommand,
  RegisterStreamConsumerCommand,
  SubscribeToShardCommand,
  waitUntilStreamExists,
} from "@aws-sdk/client-kinesis";
import { NodeHttpHandler } from "@smithy/node-http-handler";

const endpoint = process.env.TIDEPOOL_ENDPOINT;
if (!endpoint) throw new Error("set TIDEPOOL_ENDPOINT to a running tidepool");

const common = {
  endpoint,
  region: "us-east-1",
  credentials: { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "secret" },
  maxAttempts: 1,
};
const enc = new TextEncoder();
const dec = new TextDecoder();

async function streamWithConsumer(client, stream, shards) {
  await client.send(new CreateStreamCommand({ StreamName: stream, ShardCount: shards }));
  await waitUntilStreamExists(
    { client, minDelay: 1, maxDelay: 1, maxWaitTime: 20 },
    { StreamName: stream },
  );
  const { Consumer } = await client.send(
    new RegisterStreamConsumerCommand({
      StreamARN: `arn:aws:kinesis:us-east-1:000000000000:stream/${stream}`,
      ConsumerName: "fan",
    }),
  );
  for (let i = 0; i < 200; i++) {
    const d = await client.send(
      new DescribeStreamConsumerCommand({ ConsumerARN: Consumer.ConsumerARN }),
    );
    if (d.ConsumerDescription.ConsumerStatus === "ACTIVE") break;
    await new Promise((r) => setTimeout(r, 20));
  }
  return Consumer.ConsumerARN;
}

const put = (client, stream, data) =>
  client.send(new PutRecordCommand({ StreamName: stream, Data: enc.encode(data), PartitionKey: "k" }));

function subscribe(client, ConsumerARN, ShardId, StartingPosition) {
  return client.send(new SubscribeToShardCommand({ ConsumerARN, ShardId, StartingPosition }));
}

test("SubscribeToShard pushes records at once, one subscription per shard, ends in time", async () => {
  const client = new KinesisClient({ ...common, requestHandler: { requestTimeout: 20000 } });
  try {
    const stream = "fanout";
    const consumer = await streamWithConsumer(client, stream, 1);
    const first = await put(client, stream, "before");

    const started = Date.now();
    const out = await subscribe(client, consumer, "shardId-000000000000", { Type: "TRIM_HORIZON" });
    assert.equal(out.$metadata.httpStatusCode, 200);

    // A second subscription of this consumer to this shard is refused while the first lives
    // (after AWS's one call per second, which --time-scale 0.01 makes 10 ms; the pause leaves
    // a loaded machine room, well within the first subscription's 3 s).
    await new Promise((r) => setTimeout(r, 200));
    await assert.rejects(
      subscribe(client, consumer, "shardId-000000000000", { Type: "LATEST" }),
      (err) => {
        assert.equal(err.name, "ResourceInUseException");
        assert.match(err.message, /Another active subscription exists for this consumer/);
        return true;
      },
    );

    const seen = [];
    let continuation;
    let putAt;
    let latency;
    let sawAfter = false;
    for await (const event of out.EventStream) {
      const e = event.SubscribeToShardEvent;
      assert.ok(e, `unexpected event ${JSON.stringify(event)}`);
      assert.equal(typeof e.MillisBehindLatest, "number");
      assert.match(e.ContinuationSequenceNumber, /^\d+$/);
      continuation = e.ContinuationSequenceNumber;
      for (const r of e.Records) {
        seen.push(dec.decode(r.Data));
        assert.ok(r.ApproximateArrivalTimestamp instanceof Date);
        assert.equal(r.PartitionKey, "k");
        if (dec.decode(r.Data) === "after") {
          latency = Date.now() - putAt;
          sawAfter = true;
        }
      }
      if (seen.length === 1 && !putAt) {
        assert.equal(e.Records[0].SequenceNumber, first.SequenceNumber);
        putAt = Date.now();
        await put(client, stream, "after");
      }
    }
    const lasted = Date.now() - started;
    assert.deepEqual(seen, ["before", "after"]);
    assert.ok(sawAfter);
    assert.ok(latency < 1000, `record pushed after ${latency} ms`);
    // 5 minutes times 0.01.
    assert.ok(lasted >= 2500 && lasted < 10000, `subscription lasted ${lasted} ms`);

    // Once ended, the consumer may subscribe again and resume after the continuation.
    await put(client, stream, "later");
    const abort = new AbortController();
    const again = await client.send(
      new SubscribeToShardCommand({
        ConsumerARN: consumer,
        ShardId: "shardId-000000000000",
        StartingPosition: { Type: "AFTER_SEQUENCE_NUMBER", SequenceNumber: continuation },
      }),
      { abortSignal: abort.signal },
    );
    for await (const event of again.EventStream) {
      const records = event.SubscribeToShardEvent.Records;
      if (records.length > 0) {
        assert.deepEqual(records.map((r) => dec.decode(r.Data)), ["later"]);
        break;
      }
    }
    // Aborting resets the HTTP/2 stream; the server forgets the subscription at once, long
    // before its 3 s would end it.
    abort.abort();
    let resubscribed;
    for (let i = 0; i < 25 && !resubscribed; i++) {
      try {
        resubscribed = await subscribe(client, consumer, "shardId-000000000000", { Type: "LATEST" });
      } catch (err) {
        // The cancelled subscription not yet forgotten, or AWS's one call per second (10 ms).
        assert.ok(["ResourceInUseException", "LimitExceededException"].includes(err.name), err.name);
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    assert.ok(resubscribed, "could not subscribe again after cancelling");
  } finally {
    client.destroy();
  }
});

// AWS: a second call for the same consumer and shard within 5 s of a successful one is refused;
// a later one takes over and the earlier stream fails with ResourceInUseException. With
// --time-scale 0.01 (3 s subscriptions) tidepool takes over after half the lifetime, 1.5 s.
test("a later subscription takes over the earlier one", async () => {
  const client = new KinesisClient({ ...common, requestHandler: { requestTimeout: 20000 } });
  try {
    const stream = "fanout-takeover";
    const consumer = await streamWithConsumer(client, stream, 1);
    const first = await subscribe(client, consumer, "shardId-000000000000", { Type: "LATEST" });
    await new Promise((r) => setTimeout(r, 1700));
    const second = await subscribe(client, consumer, "shardId-000000000000", { Type: "LATEST" });
    await assert.rejects(
      (async () => {
        for await (const event of first.EventStream) assert.ok(event.SubscribeToShardEvent);
      })(),
      (err) => {
        assert.equal(err.name, "ResourceInUseException");
        return true;
      },
    );
    await put(client, stream, "to the second");
    for await (const event of second.EventStream) {
      const records = event.SubscribeToShardEvent.Records;
      if (records.length > 0) {
        assert.deepEqual(records.map((r) => dec.decode(r.Data)), ["to the second"]);
        break;
      }
    }
  } finally {
    client.destroy();
  }
});

test("a closed shard ends its subscription with the child shards", async () => {
  const client = new KinesisClient({ ...common, requestHandler: { requestTimeout: 20000 } });
  try {
    const stream = "fanout-merge";
    const consumer = await streamWithConsumer(client, stream, 2);
    await put(client, stream, "x");
    await client.send(
      new MergeShardsCommand({
        StreamName: stream,
        ShardToMerge: "shardId-000000000000",
        AdjacentShardToMerge: "shardId-000000000001",
      }),
    );
    const out = await subscribe(client, consumer, "shardId-000000000000", { Type: "TRIM_HORIZON" });
    const events = [];
    for await (const event of out.EventStream) events.push(event.SubscribeToShardEvent);
    const last = events.at(-1);
    assert.deepEqual(
      last.ChildShards.map((c) => [c.ShardId, c.ParentShards]),
      [["shardId-000000000002", ["shardId-000000000000", "shardId-000000000001"]]],
    );
    // It did not wait for the end of the subscription's lifetime.
    assert.ok(events.length <= 3, JSON.stringify(events));
  } finally {
    client.destroy();
  }
});

test("errors: unknown consumer, unknown shard, bad starting sequence number", async () => {
  const client = new KinesisClient({ ...common, requestHandler: { requestTimeout: 20000 } });
  try {
    const stream = "fanout-errors";
    const consumer = await streamWithConsumer(client, stream, 1);
    await assert.rejects(
      subscribe(client, consumer.replace("/consumer/fan:", "/consumer/nobody:"),
        "shardId-000000000000", { Type: "LATEST" }),
      (err) => err.name === "ResourceNotFoundException",
    );
    await assert.rejects(
      subscribe(client, consumer, "shardId-000000000009", { Type: "LATEST" }),
      (err) => err.name === "ResourceNotFoundException",
    );
    await assert.rejects(
      subscribe(client, consumer, "shardId-000000000000", {
        Type: "AT_SEQUENCE_NUMBER",
        SequenceNumber: "12345",
      }),
      (err) => err.name === "InvalidArgumentException",
    );
  } finally {
    client.destroy();
  }
});

test("over HTTP/1.1 the event stream arrives too (the body ends with the connection)", async () => {
  const client = new KinesisClient({ ...common, requestHandler: new NodeHttpHandler() });
  try {
    const stream = "fanout-http1";
    const consumer = await streamWithConsumer(client, stream, 1);
    await put(client, stream, "one");
    const out = await subscribe(client, consumer, "shardId-000000000000", { Type: "TRIM_HORIZON" });
    const seen = [];
    for await (const event of out.EventStream) {
      for (const r of event.SubscribeToShardEvent.Records) seen.push(dec.decode(r.Data));
    }
    assert.deepEqual(seen, ["one"]);
  } finally {
    client.destroy();
  }
});

// GetRecords still works beside a subscription (a sanity check that nothing else broke).
test("GetRecords beside fan-out", async () => {
  const client = new KinesisClient({ ...common, requestHandler: new NodeHttpHandler() });
  try {
    const stream = "fanout-polling";
    await streamWithConsumer(client, stream, 1);
    await put(client, stream, "p");
    const { ShardIterator } = await client.send(
      new GetShardIteratorCommand({
        StreamName: stream,
        ShardId: "shardId-000000000000",
        ShardIteratorType: "TRIM_HORIZON",
      }),
    );
    const got = await client.send(new GetRecordsCommand({ ShardIterator }));
    assert.deepEqual(got.Records.map((r) => dec.decode(r.Data)), ["p"]);
  } finally {
    client.destroy();
  }
});
