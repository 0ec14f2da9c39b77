// A worker behind one SQS queue (event source mapping, batch size 1). Each message is the
// dispatcher's JSON {"requestId", "operation", "number"} (raw delivery: the body is the SNS
// message itself). OPERATION says which operation this worker computes: division = n / 2,
// multiplication = n * 2.5. The result goes into the job table as
// {requestId, timestamp (ms since the epoch), resultant (the number as a string)}.
// A message that is not such JSON throws: SQS makes it visible again, and after 3 receives the
// queue's redrive policy moves it to the dead-letter queue.
const { DynamoDBClient } = require("@aws-sdk/client-dynamodb");
const { DynamoDBDocumentClient, PutCommand } = require("@aws-sdk/lib-dynamodb");

const table = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const COMPUTE = {
  division: (n) => n / 2,
  multiplication: (n) => n * 2.5,
};

exports.handler = async (event) => {
  const operation = process.env.OPERATION;
  for (const record of event.Records) {
    const job = JSON.parse(record.body);  // throws on a body that is not JSON
    if (typeof job.requestId !== "string" || typeof job.number !== "number") {
      throw new Error(`message ${record.messageId} is not a job: ${record.body}`);
    }
    if (job.operation !== operation) {
      throw new Error(`message ${record.messageId} is for ${job.operation}, not ${operation}`);
    }
    await table.send(new PutCommand({
      TableName: process.env.TABLE_NAME,
      Item: {
        requestId: job.requestId,
        timestamp: Date.now(),
        resultant: String(COMPUTE[operation](job.number)),
      },
    }));
  }
};
