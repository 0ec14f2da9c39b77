// POST /inbound (API Gateway REST API, Lambda proxy integration).
// Body: {"operation": "division" | "multiplication", "number": <number>}.
// Publishes {"requestId", "operation", "number"} to the calculate topic with the message
// attribute `operation` (the queues' filter policies route on it) and answers 202
// {"message": "Request published to SNS", "requestId"}; API Gateway puts the same request id in
// the x-amzn-RequestId header. A number that is not a JSON number gets 400
// {"message": "Invalid number."}; an unknown operation gets 400 {"message": "Invalid operation."}.
const { SNSClient, PublishCommand } = require("@aws-sdk/client-sns");

const sns = new SNSClient({});
const OPERATIONS = ["division", "multiplication"];

const reply = (statusCode, body) => ({
  statusCode,
  headers: { "Content-Type": "application/json" },
  body: JSON.stringify(body),
});

exports.handler = async (event) => {
  let request;
  try {
    request = JSON.parse(event.body || "");
  } catch (e) {
    request = null;
  }
  if (request === null || typeof request !== "object") {
    return reply(400, { message: "Invalid request body." });
  }
  if (typeof request.number !== "number" || !Number.isFinite(request.number)) {
    return reply(400, { message: "Invalid number." });
  }
  if (!OPERATIONS.includes(request.operation)) {
    return reply(400, { message: "Invalid operation." });
  }
  const requestId = event.requestContext.requestId;
  await sns.send(new PublishCommand({
    TopicArn: process.env.TOPIC_ARN,
    Message: JSON.stringify({ requestId, operation: request.operation, number: request.number }),
    MessageAttributes: { operation: { DataType: "String", StringValue: request.operation } },
  }));
  return reply(202, { message: "Request published to SNS", requestId });
};
