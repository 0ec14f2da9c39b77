// POST /event-source-items (API Gateway REST API, Lambda proxy): writes one item to the table,
// {id, createdAt: now in ms since the epoch}, and answers 201 with the item.
// An empty body makes a new item with a random UUID; {"id": "<item>", "bid": <number>} is a bid
// on an existing auction item: a new row under that id (the table's range key is createdAt).
// Two writes to one id in the same millisecond get consecutive createdAt values, never one
// overwriting the other. A body that is not such JSON gets 400 {"message": ...}.
const { randomUUID } = require("node:crypto");
const { DynamoDBClient, ConditionalCheckFailedException } = require("@aws-sdk/client-dynamodb");
const { DynamoDBDocumentClient, PutCommand } = require("@aws-sdk/lib-dynamodb");

const table = DynamoDBDocumentClient.from(new DynamoDBClient({}));

const reply = (statusCode, body) => ({
  statusCode, headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
});

exports.handler = async (event) => {
  let request = {};
  if (event.body) {
    try {
      request = JSON.parse(event.body);
    } catch (e) {
      return reply(400, { message: "body is not JSON" });
    }
  }
  if (request === null || typeof request !== "object" || Array.isArray(request) ||
      (request.id !== undefined && (typeof request.id !== "string" || request.id === "")) ||
      (request.bid !== undefined && typeof request.bid !== "number")) {
    return reply(400, { message: 'body must be {} or {"id": string, "bid": number}' });
  }
  const item = { id: request.id || randomUUID(), createdAt: Date.now() };
  if (request.bid !== undefined) item.bid = request.bid;
  for (;;) {
    try {
      await table.send(new PutCommand({
        TableName: process.env.TABLE_NAME, Item: item,
        ConditionExpression: "attribute_not_exists(createdAt)",
      }));
      return reply(201, item);
    } catch (e) {
      if (!(e instanceof ConditionalCheckFailedException)) throw e;
      item.createdAt += 1;  // this id already has a row at this millisecond
    }
  }
};
