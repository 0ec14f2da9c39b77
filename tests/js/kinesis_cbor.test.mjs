// Kinesis over CBOR (application/x-amz-cbor-1.1), the wire the AWS SDK for Java and the KCL use
// by default, spoken by the JS SDK v3's Kinesis client with the CBOR codec of @smithy/core (an
// encoder and decoder written apart from tidepool's and from tests/integration's hand-encoded
// CBOR) in place of its JSON codec: the same X-Amz-Target envelope, model-driven shapes, blobs as
// byte strings, errors as a map with __type. Against tidepool at $TIDEPOOL_ENDPOINT
// (tests/integration/test_js_sdk.py starts a server and runs `node --test` with it set).
//
// @aws-sdk/core and @smithy/core come with @aws-sdk/client-kinesis (package-lock.json pins them).
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  KinesisClient,
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListStreamsCommand,
  PutRecordCommand,
  PutRecordsCommand,
  ResourceNotFoundException,
} from "@aws-sdk/client-kinesis";
import { AwsJson1_1Protocol } from "@aws-sdk/core/protocols";
import { CborCodec } from "@smithy/core/cbor";

const endpoint = process.env.TIDEPOOL_ENDPOINT;
if (!endpoint) {
  throw new Error("set TIDEPOOL_ENDPOINT to a running tidepool, e.g. http://127.0.0.1:4566");
}

const CBOR = "application/x-amz-cbor-1.1";

// The JSON protocol reads error members with its deserializer's readObject, which the CBOR
// deserializer names readValue.
class ErrorReadingCborCodec extends CborCodec {
  createDeserializer() {
    const deserializer = super.createDeserializer();
    deserializer.readObject = (schema, value) => deserializer.readValue(schema, value);
    return deserializer;
  }
}

// AWS JSON 1.1's envelope with CBOR bodies: what the Java SDK sends to Kinesis.
class AwsCbor11Protocol extends AwsJson1_1Protocol {
  constructor(settings) {
    super({ ...settings, jsonCodec: new ErrorReadingCborCodec() });
  }
  getDefaultContentType() {
    return CBOR;
  }
  async serializeRequest(operationSchema, input, context) {
    const request = await super.serializeRequest(operationSchema, input, context);
    request.headers["content-type"] = CBOR;
    return request;
  }
}

function cborClient() {
  const client = new KinesisClient({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "secret" },
    maxAttempts: 1,
    protocol: AwsCbor11Protocol,
  });
  const contentTypes = [];
  client.middlewareStack.add(
    (next) => async (args) => {
      const out = await next(args);
      contentTypes.push(out.response.headers["content-type"]);
      return out;
    },
    { step: "deserialize", name: "recordContentType", priority: "low" },
  );
  return { client, contentTypes };
}

async function waitActive(client, StreamName) {
  for (let i = 0; i < 100; i++) {
    const out = await client.send(new DescribeStreamSummaryCommand({ StreamName }));
    if (out.StreamDescriptionSummary.StreamStatus === "ACTIVE") return out;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${StreamName} did not become ACTIVE`);
}

test("put, list, read back binary records over CBOR", async () => {
  const { client, contentTypes } = cborClient();
  try {
    await client.send(new CreateStreamCommand({ StreamName: "cbor-js", ShardCount: 1 }));
    const summary = await waitActive(client, "cbor-js");
    assert.equal(summary.StreamDescriptionSummary.OpenShardCount, 1);
    const listed = await client.send(new ListStreamsCommand({}));
    assert.deepEqual(listed.StreamNames, ["cbor-js"]);

    const every = Uint8Array.from({ length: 256 }, (_, i) => i);
    const one = await client.send(
      new PutRecordCommand({ StreamName: "cbor-js", Data: every, PartitionKey: "k" }),
    );
    assert.match(one.SequenceNumber, /^\d+$/);
    const batch = await client.send(new PutRecordsCommand({
      StreamName: "cbor-js",
      Records: [new Uint8Array(0), new TextEncoder().encode("é日本")].map((Data) => ({
        Data, PartitionKey: "k",
      })),
    }));
    assert.equal(batch.FailedRecordCount, 0);

    const { ShardIterator } = await client.send(new GetShardIteratorCommand({
      StreamName: "cbor-js", ShardId: one.ShardId, ShardIteratorType: "TRIM_HORIZON",
    }));
    const out = await client.send(new GetRecordsCommand({ ShardIterator }));
    assert.equal(out.Records.length, 3);
    assert.deepEqual([...out.Records[0].Data], [...every]);
    assert.equal(out.Records[1].Data.length, 0);
    assert.equal(new TextDecoder().decode(out.Records[2].Data), "é日本");
    assert.deepEqual(out.Records.map((r) => r.SequenceNumber),
      [one.SequenceNumber, ...batch.Records.map((r) => r.SequenceNumber)]);
    // Timestamps are tag 1 with epoch milliseconds, as the Java SDK writes and reads them;
    // smithy's codec reads tag 1 as seconds, so its Date is 1000 times too far from 1970.
    const arrival = out.Records[0].ApproximateArrivalTimestamp;
    assert.ok(arrival instanceof Date);
    assert.ok(Math.abs(arrival.getTime() / 1000 - Date.now()) < 60_000, String(arrival));
    assert.ok(contentTypes.length > 0);
    assert.ok(contentTypes.every((t) => t === CBOR), contentTypes.join(","));
  } finally {
    client.destroy();
  }
});

test("errors over CBOR: __type names the SDK's exception class", async () => {
  const { client, contentTypes } = cborClient();
  try {
    await assert.rejects(
      client.send(new DescribeStreamSummaryCommand({ StreamName: "cbor-missing" })),
      (err) => {
        assert.ok(err instanceof ResourceNotFoundException, `got ${err.name}: ${err.message}`);
        assert.equal(err.$metadata.httpStatusCode, 400);
        assert.equal(err.message, "Stream cbor-missing under account 000000000000 not found.");
        return true;
      },
    );
    await assert.rejects(
      client.send(new CreateStreamCommand({ StreamName: "cbor-bad", ShardCount: 0 })),
      (err) => {
        assert.equal(err.name, "ValidationException");
        assert.match(err.message, /Value '0' at 'shardCount' failed to satisfy constraint/);
        return true;
      },
    );
    assert.deepEqual(contentTypes, [CBOR, CBOR]);
  } finally {
    client.destroy();
  }
});
