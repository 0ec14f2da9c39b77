// The AWS SDK for JavaScript v3 CloudWatch Logs client against tidepool at $TIDEPOOL_ENDPOINT
// (tests/integration/test_js_sdk.py starts a server and runs `node --test` with it set).
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DescribeLogGroupsCommand,
  PutLogEventsCommand,
  GetLogEventsCommand,
  PutRetentionPolicyCommand,
  paginateFilterLogEvents,
  ResourceNotFoundException,
  ResourceAlreadyExistsException,
} from "@aws-sdk/client-cloudwatch-logs";

const endpoint = process.env.TIDEPOOL_ENDPOINT;
if (!endpoint) {
  throw new Error("set TIDEPOOL_ENDPOINT to a running tidepool, e.g. http://127.0.0.1:4566");
}

const logs = new CloudWatchLogsClient({
  endpoint,
  region: "us-east-1",
  credentials: { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "secret" },
  maxAttempts: 1,
});

test("groups, events, filters and paging", async () => {
  await logs.send(new CreateLogGroupCommand({ logGroupName: "/js/app", tags: { t: "1" } }));
  await assert.rejects(
    logs.send(new CreateLogGroupCommand({ logGroupName: "/js/app" })),
    ResourceAlreadyExistsException,
  );
  await logs.send(new PutRetentionPolicyCommand({ logGroupName: "/js/app", retentionInDays: 7 }));
  const groups = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: "/js/" }));
  assert.equal(groups.logGroups.length, 1);
  assert.equal(groups.logGroups[0].retentionInDays, 7);

  await logs.send(new CreateLogStreamCommand({ logGroupName: "/js/app", logStreamName: "s" }));
  const t = Date.now() - 10_000;
  const logEvents = [];
  for (let i = 0; i < 120; i++) {
    const level = i % 3 === 0 ? "ERROR" : "INFO";
    logEvents.push({ timestamp: t + i, message: JSON.stringify({ level, i }) });
  }
  await logs.send(new PutLogEventsCommand({ logGroupName: "/js/app", logStreamName: "s", logEvents }));

  const head = await logs.send(new GetLogEventsCommand({
    logGroupName: "/js/app", logStreamName: "s", startFromHead: true, limit: 5,
  }));
  assert.deepEqual(head.events.map((e) => JSON.parse(e.message).i), [0, 1, 2, 3, 4]);
  assert.match(head.nextForwardToken, /^f\/\d{56}\/s$/);

  const errors = [];
  for await (const page of paginateFilterLogEvents(
    { client: logs, pageSize: 7 },
    { logGroupName: "/js/app", filterPattern: '{ $.level = "ERROR" }' },
  )) {
    errors.push(...page.events.map((e) => JSON.parse(e.message).i));
  }
  assert.equal(errors.length, 40);
  assert.deepEqual(errors.slice(0, 3), [0, 3, 6]);

  await assert.rejects(
    logs.send(new GetLogEventsCommand({ logGroupName: "/js/none", logStreamName: "s" })),
    ResourceNotFoundException,
  );
});
