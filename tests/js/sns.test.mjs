// The AWS SDK for JavaScript v3 SNS client against tidepool at $TIDEPOOL_ENDPOINT
// (tests/integration/test_js_sdk.py starts a server and runs `node --test` with it set).
// SNS speaks the query protocol: requests are form-encoded, responses are XML read by the SDK's
// own parser, so a wrong element name or nesting shows up here as a missing field.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  SNSClient,
  CreateTopicCommand,
  GetTopicAttributesCommand,
  SubscribeCommand,
  GetSubscriptionAttributesCommand,
  ListSubscriptionsByTopicCommand,
  PublishCommand,
  PublishBatchCommand,
  SetTopicAttributesCommand,
  ListTagsForResourceCommand,
  paginateListSubscriptionsByTopic,
  NotFoundException,
  InvalidParameterException,
} from "@aws-sdk/client-sns";
import {
  SQSClient,
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  DeleteMessageCommand,
} from "@aws-sdk/client-sqs";

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

async function queueWithArn(sqs, QueueName) {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName }));
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }),
  );
  return { QueueUrl, QueueArn: Attributes.QueueArn };
}

// Long-polls until `count` messages arrived (deleting each) or `rounds` empty polls passed.
async function drain(sqs, QueueUrl, count, rounds = 5) {
  const messages = [];
  for (let empty = 0; messages.length < count && empty < rounds; ) {
    const got = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 2,
        MessageAttributeNames: ["All"],
      }),
    );
    if (!got.Messages?.length) empty++;
    for (const m of got.Messages ?? []) {
      messages.push(m);
      await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle }));
    }
  }
  return messages;
}

async function assertEmpty(sqs, QueueUrl) {
  const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1 }));
  assert.deepEqual((got.Messages ?? []).map((m) => m.Body), []);
}

test("topic to SQS: raw delivery with a filter policy, enveloped delivery, batches", async () => {
  const sns = new SNSClient(common);
  const sqs = new SQSClient(common);
  try {
    const { TopicArn } = await sns.send(
      new CreateTopicCommand({ Name: "js-orders", Tags: [{ Key: "team", Value: "js" }] }),
    );
    assert.equal(TopicArn, "arn:aws:sns:us-east-1:000000000000:js-orders");
    // CreateTopic is idempotent for the same name and attributes.
    const again = await sns.send(new CreateTopicCommand({ Name: "js-orders" }));
    assert.equal(again.TopicArn, TopicArn);
    const topicAttrs = await sns.send(new GetTopicAttributesCommand({ TopicArn }));
    assert.equal(topicAttrs.Attributes.TopicArn, TopicArn);
    assert.equal(topicAttrs.Attributes.Owner, "000000000000");

    const raw = await queueWithArn(sqs, "js-orders-raw");
    const enveloped = await queueWithArn(sqs, "js-orders-all");

    const FilterPolicy = JSON.stringify({ kind: ["order"], amount: [{ numeric: [">", 10] }] });
    const rawSub = await sns.send(
      new SubscribeCommand({
        TopicArn,
        Protocol: "sqs",
        Endpoint: raw.QueueArn,
        Attributes: { RawMessageDelivery: "true", FilterPolicy },
        ReturnSubscriptionArn: true,
      }),
    );
    assert.ok(rawSub.SubscriptionArn.startsWith(`${TopicArn}:`), rawSub.SubscriptionArn);
    const allSub = await sns.send(
      new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: enveloped.QueueArn }),
    );
    assert.ok(allSub.SubscriptionArn.startsWith(`${TopicArn}:`), allSub.SubscriptionArn);
    assert.notEqual(allSub.SubscriptionArn, rawSub.SubscriptionArn);

    const subAttrs = await sns.send(
      new GetSubscriptionAttributesCommand({ SubscriptionArn: rawSub.SubscriptionArn }),
    );
    assert.equal(subAttrs.Attributes.RawMessageDelivery, "true");
    assert.deepEqual(JSON.parse(subAttrs.Attributes.FilterPolicy), JSON.parse(FilterPolicy));
    assert.equal(subAttrs.Attributes.Protocol, "sqs");
    assert.equal(subAttrs.Attributes.Endpoint, raw.QueueArn);
    assert.equal(subAttrs.Attributes.TopicArn, TopicArn);

    const listed = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn }));
    assert.deepEqual(
      listed.Subscriptions.map((s) => s.SubscriptionArn).sort(),
      [rawSub.SubscriptionArn, allSub.SubscriptionArn].sort(),
    );
    for (const s of listed.Subscriptions) {
      assert.equal(s.TopicArn, TopicArn);
      assert.equal(s.Protocol, "sqs");
      assert.equal(s.Owner, "000000000000");
    }
    assert.deepEqual(
      listed.Subscriptions.map((s) => s.Endpoint).sort(),
      [raw.QueueArn, enveloped.QueueArn].sort(),
    );

    // Matches the filter: both queues get it. Does not match: only the enveloped queue.
    const matching = await sns.send(
      new PublishCommand({
        TopicArn,
        Message: "order 1 \u2603",
        Subject: "new order",
        MessageAttributes: {
          kind: { DataType: "String", StringValue: "order" },
          amount: { DataType: "Number", StringValue: "25" },
          blob: { DataType: "Binary", BinaryValue: new Uint8Array([7, 0, 255]) },
        },
      }),
    );
    assert.ok(matching.MessageId);
    const other = await sns.send(
      new PublishCommand({
        TopicArn,
        Message: "order 2",
        MessageAttributes: {
          kind: { DataType: "String", StringValue: "order" },
          amount: { DataType: "Number", StringValue: "3" },
        },
      }),
    );
    assert.ok(other.MessageId);
    assert.notEqual(other.MessageId, matching.MessageId);

    const rawGot = await drain(sqs, raw.QueueUrl, 1);
    assert.deepEqual(rawGot.map((m) => m.Body), ["order 1 \u2603"]);
    // Raw delivery carries the SNS message attributes as SQS message attributes.
    const attrs = rawGot[0].MessageAttributes;
    assert.deepEqual(attrs.kind, { DataType: "String", StringValue: "order" });
    assert.deepEqual(attrs.amount, { DataType: "Number", StringValue: "25" });
    assert.equal(attrs.blob.DataType, "Binary");
    assert.deepEqual([...attrs.blob.BinaryValue], [7, 0, 255]);
    await assertEmpty(sqs, raw.QueueUrl);

    const envGot = await drain(sqs, enveloped.QueueUrl, 2);
    const envelopes = envGot.map((m) => JSON.parse(m.Body));
    envelopes.sort((a, b) => a.Message.localeCompare(b.Message));
    assert.deepEqual(
      envelopes.map((e) => e.Message),
      ["order 1 \u2603", "order 2"],
    );
    const [first] = envelopes;
    assert.equal(first.Type, "Notification");
    assert.equal(first.MessageId, matching.MessageId);
    assert.equal(first.TopicArn, TopicArn);
    assert.equal(first.Subject, "new order");
    assert.deepEqual(first.MessageAttributes.kind, { Type: "String", Value: "order" });
    assert.deepEqual(first.MessageAttributes.amount, { Type: "Number", Value: "25" });
    assert.deepEqual(first.MessageAttributes.blob, {
      Type: "Binary",
      Value: Buffer.from([7, 0, 255]).toString("base64"),
    });
    assert.match(first.Timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);

    // PublishBatch: per-entry ids; the filter still applies to each entry.
    const batch = await sns.send(
      new PublishBatchCommand({
        TopicArn,
        PublishBatchRequestEntries: [11, 5, 99].map((amount) => ({
          Id: `n${amount}`,
          Message: `batch ${amount}`,
          MessageAttributes: {
            kind: { DataType: "String", StringValue: "order" },
            amount: { DataType: "Number", StringValue: String(amount) },
          },
        })),
      }),
    );
    assert.deepEqual((batch.Failed ?? []).length, 0);
    assert.deepEqual(batch.Successful.map((s) => s.Id).sort(), ["n11", "n5", "n99"]);
    for (const s of batch.Successful) assert.ok(s.MessageId, `MessageId for ${s.Id}`);
    const batchRaw = await drain(sqs, raw.QueueUrl, 2);
    assert.deepEqual(batchRaw.map((m) => m.Body).sort(), ["batch 11", "batch 99"]);
    await assertEmpty(sqs, raw.QueueUrl);
    const batchAll = await drain(sqs, enveloped.QueueUrl, 3);
    assert.deepEqual(
      batchAll.map((m) => JSON.parse(m.Body).Message).sort(),
      ["batch 11", "batch 5", "batch 99"],
    );
  } finally {
    sns.destroy();
    sqs.destroy();
  }
});

test("XML escaping of attribute and tag values; ListSubscriptionsByTopic pages", async () => {
  const sns = new SNSClient(common);
  try {
    const awkward = "a<b>&c \"q\" 'a' \u00e9\u6c34\u{1F600} ]]> \t end";
    const { TopicArn } = await sns.send(
      new CreateTopicCommand({ Name: "js-xml", Tags: [{ Key: "note", Value: awkward }] }),
    );
    await sns.send(
      new SetTopicAttributesCommand({ TopicArn, AttributeName: "DisplayName", AttributeValue: awkward }),
    );
    const { Attributes } = await sns.send(new GetTopicAttributesCommand({ TopicArn }));
    assert.equal(Attributes.DisplayName, awkward);
    const { Tags } = await sns.send(new ListTagsForResourceCommand({ ResourceArn: TopicArn }));
    assert.deepEqual(Tags, [{ Key: "note", Value: awkward }]);

    // AWS pages ListSubscriptionsByTopic by 100; the paginator follows NextToken.
    const endpoints = [];
    for (let i = 0; i < 105; i++) {
      endpoints.push(`arn:aws:sqs:us-east-1:000000000000:js-page-${i}`);
      await sns.send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: endpoints[i] }));
    }
    const seen = [];
    let pages = 0;
    for await (const page of paginateListSubscriptionsByTopic({ client: sns }, { TopicArn })) {
      pages++;
      seen.push(...page.Subscriptions.map((s) => s.Endpoint));
    }
    assert.ok(pages >= 2, `${pages} page(s)`);
    assert.deepEqual(seen.sort(), endpoints.sort());
  } finally {
    sns.destroy();
  }
});

test("a missing topic is NotFound (404), mapped to the SDK's NotFoundException", async () => {
  const sns = new SNSClient(common);
  try {
    const TopicArn = "arn:aws:sns:us-east-1:000000000000:js-no-such-topic";
    const check = (err) => {
      assert.ok(err instanceof NotFoundException, `got ${err.name}: ${err.message}`);
      assert.equal(err.name, "NotFoundException");
      assert.equal(err.$fault, "client");
      assert.equal(err.$metadata.httpStatusCode, 404);
      assert.ok(err.$metadata.requestId, "RequestId present");
      assert.equal(err.Error?.Code, "NotFound");
      assert.ok(err.message.length > 0);
      return true;
    };
    await assert.rejects(sns.send(new PublishCommand({ TopicArn, Message: "x" })), check);
    await assert.rejects(sns.send(new GetTopicAttributesCommand({ TopicArn })), check);
    await assert.rejects(sns.send(new ListSubscriptionsByTopicCommand({ TopicArn })), check);

    // A malformed filter policy is the client's fault, with its own error class.
    const { TopicArn: real } = await sns.send(new CreateTopicCommand({ Name: "js-errors" }));
    await assert.rejects(
      sns.send(
        new SubscribeCommand({
          TopicArn: real,
          Protocol: "sqs",
          Endpoint: "arn:aws:sqs:us-east-1:000000000000:js-errors-q",
          Attributes: { FilterPolicy: "{not json" },
        }),
      ),
      (err) => {
        assert.ok(err instanceof InvalidParameterException, `got ${err.name}: ${err.message}`);
        assert.equal(err.$metadata.httpStatusCode, 400);
        return true;
      },
    );
  } finally {
    sns.destroy();
  }
});
