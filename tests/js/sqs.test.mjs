// The AWS SDK for JavaScript v3 SQS client against tidepool at $TIDEPOOL_ENDPOINT
// (tests/integration/test_js_sdk.py starts a server and runs `node --test` with it set).
// The client is built as users build it: it speaks AWS JSON 1.0 and checks MD5OfMessageBody
// (SendMessage, SendMessageBatch, ReceiveMessage) itself; MD5OfMessageAttributes is checked here.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import {
  SQSClient,
  CreateQueueCommand,
  GetQueueUrlCommand,
  GetQueueAttributesCommand,
  SendMessageCommand,
  SendMessageBatchCommand,
  ReceiveMessageCommand,
  DeleteMessageCommand,
  ChangeMessageVisibilityCommand,
  QueueDoesNotExist,
  BatchEntryIdsNotDistinct,
} from "@aws-sdk/client-sqs";

const endpoint = process.env.TIDEPOOL_ENDPOINT;
if (!endpoint) {
  throw new Error("set TIDEPOOL_ENDPOINT to a running tidepool, e.g. http://127.0.0.1:4566");
}

function newClient(region = "us-east-1") {
  return new SQSClient({
    endpoint,
    region,
    credentials: { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "secret" },
    maxAttempts: 1,
  });
}

const md5Hex = (bytes) => createHash("md5").update(bytes).digest("hex");

// AWS's MD5OfMessageAttributes: for each attribute sorted by name, the name, the data type
// (each as a 4-byte big-endian length and UTF-8 bytes), a transport byte (1 String/Number,
// 2 Binary) and the value (length-prefixed).
function md5OfAttributes(attributes) {
  const parts = [];
  const lengthPrefixed = (bytes) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(bytes.length);
    parts.push(len, Buffer.from(bytes));
  };
  for (const name of Object.keys(attributes).sort()) {
    const { DataType, StringValue, BinaryValue } = attributes[name];
    lengthPrefixed(Buffer.from(name, "utf8"));
    lengthPrefixed(Buffer.from(DataType, "utf8"));
    if (DataType.startsWith("Binary")) {
      parts.push(Buffer.from([2]));
      lengthPrefixed(BinaryValue);
    } else {
      parts.push(Buffer.from([1]));
      lengthPrefixed(Buffer.from(StringValue, "utf8"));
    }
  }
  return md5Hex(Buffer.concat(parts));
}

async function createQueue(client, QueueName, Attributes = {}) {
  const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName, Attributes }));
  return QueueUrl;
}

async function attributes(client, QueueUrl) {
  const out = await client.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["All"] }),
  );
  return out.Attributes;
}

test("the client speaks AWS JSON 1.0; queues, GetQueueUrl, GetQueueAttributes", async () => {
  const client = newClient();
  const seen = [];
  client.middlewareStack.add(
    (next) => async (args) => {
      seen.push({
        contentType: args.request.headers["content-type"],
        target: args.request.headers["x-amz-target"],
      });
      return next(args);
    },
    { step: "finalizeRequest", name: "recordWireProtocol" },
  );
  try {
    const url = await createQueue(client, "js-standard", { VisibilityTimeout: "45" });
    assert.match(url, /\/000000000000\/js-standard$/);
    assert.deepEqual(seen[0], {
      contentType: "application/x-amz-json-1.0",
      target: "AmazonSQS.CreateQueue",
    });
    // Same name and attributes again: the same queue, no error.
    assert.equal(await createQueue(client, "js-standard", { VisibilityTimeout: "45" }), url);

    const fifoUrl = await createQueue(client, "js-created.fifo", {
      FifoQueue: "true",
      ContentBasedDeduplication: "true",
    });
    assert.match(fifoUrl, /\/000000000000\/js-created\.fifo$/);

    const byName = await client.send(new GetQueueUrlCommand({ QueueName: "js-standard" }));
    assert.equal(byName.QueueUrl, url);
    const fifoByName = await client.send(new GetQueueUrlCommand({ QueueName: "js-created.fifo" }));
    assert.equal(fifoByName.QueueUrl, fifoUrl);

    const attrs = await attributes(client, url);
    assert.equal(attrs.QueueArn, "arn:aws:sqs:us-east-1:000000000000:js-standard");
    assert.equal(attrs.VisibilityTimeout, "45");
    assert.equal(attrs.ApproximateNumberOfMessages, "0");
    assert.equal(attrs.DelaySeconds, "0");
    assert.match(attrs.CreatedTimestamp, /^\d+$/);
    assert.equal(attrs.FifoQueue, undefined);

    const fifoAttrs = await attributes(client, fifoUrl);
    assert.equal(fifoAttrs.FifoQueue, "true");
    assert.equal(fifoAttrs.ContentBasedDeduplication, "true");

    const some = await client.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["VisibilityTimeout"] }),
    );
    assert.deepEqual(some.Attributes, { VisibilityTimeout: "45" });
  } finally {
    client.destroy();
  }
});

test("SendMessage with attributes, receive, ChangeMessageVisibility, DeleteMessage", async () => {
  const client = newClient();
  try {
    const QueueUrl = await createQueue(client, "js-messages", { VisibilityTimeout: "30" });
    const MessageAttributes = {
      colour: { DataType: "String", StringValue: "blue \u00e9\u6c34" },
      count: { DataType: "Number", StringValue: "42" },
      blob: { DataType: "Binary", BinaryValue: new Uint8Array([0, 1, 2, 255]) },
      kind: { DataType: "String.custom", StringValue: "x" },
    };
    const body = "hello from js \u2603";
    // The SDK rejects the response itself if MD5OfMessageBody is wrong.
    const sent = await client.send(
      new SendMessageCommand({ QueueUrl, MessageBody: body, MessageAttributes }),
    );
    assert.equal(sent.MD5OfMessageBody, md5Hex(Buffer.from(body, "utf8")));
    assert.equal(sent.MD5OfMessageAttributes, md5OfAttributes(MessageAttributes));
    assert.ok(sent.MessageId);

    const attrs = await attributes(client, QueueUrl);
    assert.equal(attrs.ApproximateNumberOfMessages, "1");

    const first = await client.send(
      new ReceiveMessageCommand({
        QueueUrl,
        MaxNumberOfMessages: 10,
        MessageAttributeNames: ["All"],
        MessageSystemAttributeNames: ["All"],
      }),
    );
    assert.equal(first.Messages.length, 1);
    const [msg] = first.Messages;
    assert.equal(msg.MessageId, sent.MessageId);
    assert.equal(msg.Body, body);
    assert.equal(msg.MD5OfBody, sent.MD5OfMessageBody);
    assert.equal(msg.MD5OfMessageAttributes, sent.MD5OfMessageAttributes);
    assert.deepEqual(Object.keys(msg.MessageAttributes).sort(), ["blob", "colour", "count", "kind"]);
    assert.equal(msg.MessageAttributes.colour.StringValue, "blue \u00e9\u6c34");
    assert.equal(msg.MessageAttributes.count.DataType, "Number");
    assert.equal(msg.MessageAttributes.kind.DataType, "String.custom");
    assert.deepEqual([...msg.MessageAttributes.blob.BinaryValue], [0, 1, 2, 255]);
    assert.equal(msg.Attributes.ApproximateReceiveCount, "1");
    assert.match(msg.Attributes.SentTimestamp, /^\d+$/);
    assert.ok(msg.ReceiptHandle);

    // In flight: invisible until its visibility changes.
    const hidden = await client.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 0 }));
    assert.equal((hidden.Messages ?? []).length, 0);
    const inFlight = await attributes(client, QueueUrl);
    assert.equal(inFlight.ApproximateNumberOfMessagesNotVisible, "1");

    await client.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl,
        ReceiptHandle: msg.ReceiptHandle,
        VisibilityTimeout: 0,
      }),
    );
    const again = await client.send(
      new ReceiveMessageCommand({ QueueUrl, MessageSystemAttributeNames: ["ApproximateReceiveCount"] }),
    );
    assert.equal(again.Messages.length, 1);
    assert.equal(again.Messages[0].MessageId, sent.MessageId);
    assert.equal(again.Messages[0].Attributes.ApproximateReceiveCount, "2");

    await client.send(
      new DeleteMessageCommand({ QueueUrl, ReceiptHandle: again.Messages[0].ReceiptHandle }),
    );
    const after = await attributes(client, QueueUrl);
    assert.equal(after.ApproximateNumberOfMessages, "0");
    assert.equal(after.ApproximateNumberOfMessagesNotVisible, "0");
  } finally {
    client.destroy();
  }
});

test("SendMessageBatch: per-entry ids and MD5s; duplicate ids are refused", async () => {
  const client = newClient();
  try {
    const QueueUrl = await createQueue(client, "js-batch");
    const Entries = [0, 1, 2].map((i) => ({
      Id: `e${i}`,
      MessageBody: `batch body ${i}`,
      MessageAttributes: { n: { DataType: "Number", StringValue: String(i) } },
    }));
    const out = await client.send(new SendMessageBatchCommand({ QueueUrl, Entries }));
    assert.equal((out.Failed ?? []).length, 0);
    assert.deepEqual(out.Successful.map((s) => s.Id).sort(), ["e0", "e1", "e2"]);
    for (const s of out.Successful) {
      const entry = Entries.find((e) => e.Id === s.Id);
      assert.equal(s.MD5OfMessageBody, md5Hex(Buffer.from(entry.MessageBody)));
      assert.equal(s.MD5OfMessageAttributes, md5OfAttributes(entry.MessageAttributes));
      assert.ok(s.MessageId);
    }

    const bodies = [];
    for (let i = 0; i < 5 && bodies.length < 3; i++) {
      const got = await client.send(
        new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
      );
      for (const m of got.Messages ?? []) bodies.push(m.Body);
    }
    assert.deepEqual(bodies.sort(), ["batch body 0", "batch body 1", "batch body 2"]);

    await assert.rejects(
      client.send(
        new SendMessageBatchCommand({
          QueueUrl,
          Entries: [
            { Id: "same", MessageBody: "a" },
            { Id: "same", MessageBody: "b" },
          ],
        }),
      ),
      (err) => {
        assert.ok(err instanceof BatchEntryIdsNotDistinct, `got ${err.name}: ${err.message}`);
        assert.equal(err.$metadata.httpStatusCode, 400);
        return true;
      },
    );
  } finally {
    client.destroy();
  }
});

test("ReceiveMessage with WaitTimeSeconds is woken by a send", async () => {
  const client = newClient();
  const sender = newClient();
  try {
    const QueueUrl = await createQueue(client, "js-long-poll");
    const started = Date.now();
    const poll = client.send(
      new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 10, MaxNumberOfMessages: 1 }),
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    await sender.send(new SendMessageCommand({ QueueUrl, MessageBody: "wake up" }));
    const got = await poll;
    const elapsed = Date.now() - started;
    assert.equal(got.Messages?.length, 1);
    assert.equal(got.Messages[0].Body, "wake up");
    assert.ok(elapsed >= 400, `the poll waited for the send (${elapsed} ms)`);
    assert.ok(elapsed < 5000, `the send woke the poll well before 10 s (${elapsed} ms)`);

    // Nothing to deliver: the poll lasts its WaitTimeSeconds and returns no messages.
    const emptyStart = Date.now();
    const empty = await client.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1 }));
    const emptyElapsed = Date.now() - emptyStart;
    assert.equal((empty.Messages ?? []).length, 0);
    assert.ok(emptyElapsed >= 900, `an empty long poll lasted ${emptyElapsed} ms`);
  } finally {
    client.destroy();
    sender.destroy();
  }
});

test("a missing queue is QueueDoesNotExist, status 400, mapped to the SDK's class", async () => {
  const client = newClient();
  try {
    const check = (err) => {
      assert.ok(err instanceof QueueDoesNotExist, `got ${err.name}: ${err.message}`);
      assert.equal(err.name, "QueueDoesNotExist");
      assert.equal(err.$fault, "client");
      assert.equal(err.$metadata.httpStatusCode, 400);
      assert.ok(err.$metadata.requestId, "x-amzn-RequestId header present");
      // The SDK reads the x-amzn-query-error header into Code for query-era callers.
      assert.equal(err.Code, "AWS.SimpleQueueService.NonExistentQueue");
      assert.ok(err.message.length > 0);
      return true;
    };
    await assert.rejects(client.send(new GetQueueUrlCommand({ QueueName: "js-no-such" })), check);
    const missingUrl = endpoint.replace(/\/$/, "") + "/000000000000/js-no-such";
    await assert.rejects(
      client.send(new SendMessageCommand({ QueueUrl: missingUrl, MessageBody: "x" })),
      check,
    );
    await assert.rejects(
      client.send(new GetQueueAttributesCommand({ QueueUrl: missingUrl, AttributeNames: ["All"] })),
      check,
    );
  } finally {
    client.destroy();
  }
});

test("FIFO: order within a group, groups interleave, SequenceNumber grows", async () => {
  const client = newClient();
  try {
    const QueueUrl = await createQueue(client, "js-order.fifo", {
      FifoQueue: "true",
      ContentBasedDeduplication: "true",
    });
    const plan = ["a0", "b0", "a1", "a2", "b1", "a3", "b2", "a4"];
    const sequence = [];
    for (const body of plan) {
      const out = await client.send(
        new SendMessageCommand({ QueueUrl, MessageBody: body, MessageGroupId: body[0] }),
      );
      assert.match(out.SequenceNumber, /^\d+$/);
      sequence.push(BigInt(out.SequenceNumber));
    }
    for (let i = 1; i < sequence.length; i++) assert.ok(sequence[i] > sequence[i - 1]);

    // Content-based dedup: the same body in the same group within 5 minutes is accepted but
    // not enqueued again.
    await client.send(new SendMessageCommand({ QueueUrl, MessageBody: "a0", MessageGroupId: "a" }));

    const received = [];
    for (let i = 0; i < 10 && received.length < plan.length; i++) {
      const got = await client.send(
        new ReceiveMessageCommand({
          QueueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 1,
          MessageSystemAttributeNames: ["MessageGroupId", "SequenceNumber"],
        }),
      );
      for (const m of got.Messages ?? []) {
        received.push(m);
        assert.equal(m.Attributes.MessageGroupId, m.Body[0]);
        await client.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle }));
      }
    }
    const inGroup = (g) => received.filter((m) => m.Body[0] === g).map((m) => m.Body);
    assert.deepEqual(inGroup("a"), ["a0", "a1", "a2", "a3", "a4"]);
    assert.deepEqual(inGroup("b"), ["b0", "b1", "b2"]);
    assert.equal(received.length, plan.length, "the duplicate a0 was not delivered");

    const left = await client.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1 }));
    assert.equal((left.Messages ?? []).length, 0);
  } finally {
    client.destroy();
  }
});

// On AWS one queue name in two regions has two URLs (the region is in the host). tidepool
// keeps its one host, so that the URL resolves without DNS, and puts other regions in the
// path: http://<host>/queue/<region>/<account>/<name>. The JS SDK sends each request to the
// queue URL's host (useQueueUrlAsEndpoint), which is tidepool's own.
test("one queue name in two regions: two URLs, each reaching its own queue", async () => {
  const home = newClient();
  const away = newClient("eu-west-1");
  const seenHosts = [];
  away.middlewareStack.add(
    (next) => async (args) => {
      seenHosts.push(`${args.request.hostname}:${args.request.port}`);
      return next(args);
    },
    { step: "finalizeRequest", name: "recordHost" },
  );
  const homeUrl = await createQueue(home, "js-twin");
  const awayUrl = await createQueue(away, "js-twin");
  assert.notEqual(homeUrl, awayUrl);
  assert.equal(homeUrl, `${endpoint}/000000000000/js-twin`);
  assert.equal(awayUrl, `${endpoint}/queue/eu-west-1/000000000000/js-twin`);
  assert.equal((await attributes(away, awayUrl)).QueueArn,
    "arn:aws:sqs:eu-west-1:000000000000:js-twin");
  await home.send(new SendMessageCommand({ QueueUrl: homeUrl, MessageBody: "home" }));
  await away.send(new SendMessageCommand({ QueueUrl: awayUrl, MessageBody: "away" }));
  const got = await away.send(new ReceiveMessageCommand({ QueueUrl: awayUrl }));
  assert.deepEqual(got.Messages.map((m) => m.Body), ["away"]);
  const gotHome = await home.send(new ReceiveMessageCommand({ QueueUrl: homeUrl }));
  assert.deepEqual(gotHome.Messages.map((m) => m.Body), ["home"]);
  const { host } = new URL(endpoint);
  assert.ok(seenHosts.every((h) => h === host), seenHosts.join(","));
});

// Over AWS JSON 1.0, SQS answers a generic error with the common error's shape name in __type
// and the query protocol's code in x-amzn-query-error ("InvalidParameterValue;Sender"). The SDK
// (the model is awsQueryCompatible) names the error after that code and keeps Code and Type; a
// FIFO receipt handle whose visibility timeout expired is such an error ("The receipt handle
// has expired.", AWS knowledge center, sqs-receipt-handle-error).
test("generic errors: named by their query code; an expired FIFO receipt handle", async () => {
  const client = newClient();
  const check = (name, message) => (err) => {
    assert.equal(err.name, name, `got ${err.name}: ${err.message}`);
    assert.equal(err.Code, name);
    assert.equal(err.Type, "Sender");
    assert.equal(err.$fault, "client");
    assert.equal(err.$metadata.httpStatusCode, 400);
    if (message) assert.equal(err.message, message);
    return true;
  };
  try {
    const QueueUrl = await createQueue(client, "js-errors.fifo", {
      FifoQueue: "true",
      ContentBasedDeduplication: "true",
    });
    await assert.rejects(
      client.send(new SendMessageCommand({ QueueUrl, MessageBody: "x" })),
      check("MissingParameter", "The request must contain the parameter MessageGroupId."),
    );
    await assert.rejects(
      client.send(new SendMessageCommand({
        QueueUrl, MessageBody: "x", MessageGroupId: "g", DelaySeconds: 5,
      })),
      check("InvalidParameterValue"),
    );
    await client.send(new SendMessageCommand({ QueueUrl, MessageBody: "m", MessageGroupId: "g" }));
    const got = await client.send(new ReceiveMessageCommand({ QueueUrl, VisibilityTimeout: 1 }));
    const handle = got.Messages[0].ReceiptHandle;
    await new Promise((resolve) => setTimeout(resolve, 1300));
    await assert.rejects(
      client.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: handle })),
      check("InvalidParameterValue",
        `Value ${handle} for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired.`),
    );
    const again = await client.send(new ReceiveMessageCommand({ QueueUrl }));
    assert.deepEqual(again.Messages.map((m) => m.Body), ["m"]);
    await client.send(
      new DeleteMessageCommand({ QueueUrl, ReceiptHandle: again.Messages[0].ReceiptHandle }),
    );
  } finally {
    client.destroy();
  }
});
