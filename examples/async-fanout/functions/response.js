// GET /response/{requestId}: the job table's items for that request id, as a JSON array:
// [] while the worker has not finished, then [{"requestId", "timestamp", "resultant"}].
const { DynamoDBClient } = require("@aws-sdk/client-dynamodb");
const { DynamoDBDocumentClient, QueryCommand } = require("@aws-sdk/lib-dynamodb");

const table = DynamoDBDocumentClient.from(new DynamoDBClient({}));

exports.handler = async (event) => {
  const out = await table.send(new QueryCommand({
    TableName: process.env.TABLE_NAME,
    KeyConditionExpression: "requestId = :r",
    ExpressionAttributeValues: { ":r": event.pathParameters.requestId },
  }));
  return {
    statusCode: 200,
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(out.Items || []),
  };
};
