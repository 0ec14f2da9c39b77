// The AWS SDK for JavaScript v3 DynamoDB client and lib-dynamodb's document client against
// tidepool at $TIDEPOOL_ENDPOINT (tests/integration/test_js_sdk.py starts a server and runs
// `node --test` with it set): tables and waiters, items with conditions, queries with paging,
// transactions and their CancellationReasons, and PartiQL.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  DynamoDBClient,
  CreateTableCommand,
  DescribeTableCommand,
  ConditionalCheckFailedException,
  TransactionCanceledException,
  ResourceNotFoundException,
  waitUntilTableExists,
} from "@aws-sdk/client-dynamodb";
import {
  DynamoDBDocumentClient,
  PutCommand,
  GetCommand,
  UpdateCommand,
  DeleteCommand,
  QueryCommand,
  TransactWriteCommand,
  ExecuteStatementCommand,
  paginateQuery,
} from "@aws-sdk/lib-dynamodb";

const endpoint = process.env.TIDEPOOL_ENDPOINT;
if (!endpoint) {
  throw new Error("set TIDEPOOL_ENDPOINT to a running tidepool, e.g. http://127.0.0.1:4566");
}
const config = {
  endpoint,
  region: "us-east-1",
  credentials: { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "secret" },
  maxAttempts: 1,
};
const client = new DynamoDBClient(config);
const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });

async function createTable(name) {
  await client.send(
    new CreateTableCommand({
      TableName: name,
      KeySchema: [
        { AttributeName: "pk", KeyType: "HASH" },
        { AttributeName: "sk", KeyType: "RANGE" },
      ],
      AttributeDefinitions: [
        { AttributeName: "pk", AttributeType: "S" },
        { AttributeName: "sk", AttributeType: "N" },
      ],
      BillingMode: "PAY_PER_REQUEST",
    }),
  );
  await waitUntilTableExists({ client, minDelay: 1, maxWaitTime: 20 }, { TableName: name });
}

test("document client: put, get, update, conditions, delete", async () => {
  await createTable("docs");
  await doc.send(
    new PutCommand({
      TableName: "docs",
      Item: { pk: "a", sk: 1, n: 12345678901234567890n, tags: new Set(["x", "y"]), m: { l: [1, "two"] } },
    }),
  );
  const got = await doc.send(new GetCommand({ TableName: "docs", Key: { pk: "a", sk: 1 } }));
  assert.deepEqual(got.Item.m, { l: [1, "two"] });
  assert.deepEqual([...got.Item.tags].sort(), ["x", "y"]);
  const updated = await doc.send(
    new UpdateCommand({
      TableName: "docs",
      Key: { pk: "a", sk: 1 },
      UpdateExpression: "SET c = if_not_exists(c, :zero) + :one REMOVE m",
      ExpressionAttributeValues: { ":zero": 0, ":one": 1 },
      ReturnValues: "ALL_NEW",
    }),
  );
  assert.equal(updated.Attributes.c, 1);
  assert.equal(updated.Attributes.m, undefined);
  await assert.rejects(
    doc.send(
      new PutCommand({
        TableName: "docs",
        Item: { pk: "a", sk: 1 },
        ConditionExpression: "attribute_not_exists(pk)",
        ReturnValuesOnConditionCheckFailure: "ALL_OLD",
      }),
    ),
    (e) => e instanceof ConditionalCheckFailedException && e.Item?.c?.N === "1",
  );
  await doc.send(new DeleteCommand({ TableName: "docs", Key: { pk: "a", sk: 1 } }));
  assert.equal((await doc.send(new GetCommand({ TableName: "docs", Key: { pk: "a", sk: 1 } }))).Item, undefined);
  await assert.rejects(
    client.send(new DescribeTableCommand({ TableName: "nosuch" })),
    ResourceNotFoundException,
  );
});

test("query paging and numbers sorted as numbers", async () => {
  await createTable("q");
  for (const sk of [10, 9, 100, -1, 2.5]) {
    await doc.send(new PutCommand({ TableName: "q", Item: { pk: "p", sk } }));
  }
  const seen = [];
  for await (const page of paginateQuery(
    { client: doc, pageSize: 2 },
    { TableName: "q", KeyConditionExpression: "pk = :p", ExpressionAttributeValues: { ":p": "p" } },
  )) {
    seen.push(...page.Items.map((i) => i.sk));
  }
  assert.deepEqual(seen, [-1, 2.5, 9, 10, 100]);
  const back = await doc.send(
    new QueryCommand({
      TableName: "q",
      KeyConditionExpression: "pk = :p AND sk BETWEEN :a AND :b",
      ExpressionAttributeValues: { ":p": "p", ":a": 0, ":b": 10 },
      ScanIndexForward: false,
    }),
  );
  assert.deepEqual(back.Items.map((i) => i.sk), [10, 9, 2.5]);
});

test("transactions report CancellationReasons; PartiQL", async () => {
  await createTable("tx");
  await doc.send(new PutCommand({ TableName: "tx", Item: { pk: "a", sk: 0, bal: 5 } }));
  await assert.rejects(
    doc.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: "tx", Item: { pk: "b", sk: 0 } } },
          {
            Update: {
              TableName: "tx",
              Key: { pk: "a", sk: 0 },
              UpdateExpression: "SET bal = bal - :x",
              ConditionExpression: "bal >= :x",
              ExpressionAttributeValues: { ":x": 10 },
            },
          },
        ],
      }),
    ),
    (e) =>
      e instanceof TransactionCanceledException &&
      e.CancellationReasons.map((r) => r.Code).join() === "None,ConditionalCheckFailed",
  );
  await doc.send(
    new ExecuteStatementCommand({ Statement: "INSERT INTO tx VALUE {'pk': ?, 'sk': ?, 'v': ?}", Parameters: ["c", 1, "hi"] }),
  );
  const out = await doc.send(
    new ExecuteStatementCommand({ Statement: 'SELECT v FROM "tx" WHERE pk = ? AND sk = ?', Parameters: ["c", 1] }),
  );
  assert.deepEqual(out.Items, [{ v: "hi" }]);
});
