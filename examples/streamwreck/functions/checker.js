// Checker: POST /reconcile[?shardId=<shard id>] (API Gateway REST API, Lambda proxy).
// Body: a JSON array of sequence numbers (strings). Answers 200 {"Unprocessed": [...]}: the
// numbers the ledger does not hold, in input order (duplicates kept), [] when all are there.
// With shardId, a number is looked up as (shardId, number); without (the original's form), a
// number counts as processed when any shard's entry has it (index bySequence).
// A body that is not a JSON array of strings gets 400 with a plain-text reason.
const {
  DynamoDBClient, BatchGetItemCommand, QueryCommand,
} = require("@aws-sdk/client-dynamodb");

const ddb = new DynamoDBClient({});
const TABLE = process.env.LEDGER_TABLE;

const plain = (statusCode, reason) => ({
  statusCode, headers: { "Content-Type": "text/plain" }, body: reason,
});

async function processedInShard(shard, seqs) {
  const seen = new Set();
  const unique = [...new Set(seqs)];
  for (let i = 0; i < unique.length; i += 100) {
    let keys = unique.slice(i, i + 100).map((s) => ({
      shardId: { S: shard }, sequenceNumber: { S: s },
    }));
    while (keys && keys.length > 0) {
      const out = await ddb.send(new BatchGetItemCommand({
        RequestItems: { [TABLE]: { Keys: keys, ProjectionExpression: "sequenceNumber" } },
      }));
      for (const item of out.Responses[TABLE] || []) seen.add(item.sequenceNumber.S);
      keys = ((out.UnprocessedKeys || {})[TABLE] || {}).Keys;
    }
  }
  return seen;
}

async function processedInAnyShard(seqs) {
  const seen = new Set();
  for (const s of new Set(seqs)) {
    const out = await ddb.send(new QueryCommand({
      TableName: TABLE, IndexName: "bySequence", Limit: 1,
      KeyConditionExpression: "sequenceNumber = :s",
      ExpressionAttributeValues: { ":s": { S: s } },
    }));
    if (out.Count > 0) seen.add(s);
  }
  return seen;
}

exports.handler = async (event) => {
  let seqs;
  try {
    seqs = JSON.parse(event.body || "");
  } catch (e) {
    return plain(400, `request body is not JSON: ${e.message}`);
  }
  if (!Array.isArray(seqs) || !seqs.every((s) => typeof s === "string" && s.length > 0)) {
    return plain(400, "request body must be a JSON array of sequence numbers (strings)");
  }
  const shard = (event.queryStringParameters || {}).shardId;
  const seen = shard ? await processedInShard(shard, seqs) : await processedInAnyShard(seqs);
  return {
    statusCode: 200,
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ Unprocessed: seqs.filter((s) => !seen.has(s)) }),
  };
};
