// The AWS SDK for JavaScript v3 Step Functions client against tidepool at $TIDEPOOL_ENDPOINT
// (tests/integration/test_js_sdk.py starts a server and runs `node --test` with it set).
// StartSyncExecution's "sync-" host prefix is turned off (disableHostPrefix), as against any
// endpoint given by IP address.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  SFNClient,
  CreateStateMachineCommand,
  DescribeStateMachineCommand,
  ListStateMachinesCommand,
  ValidateStateMachineDefinitionCommand,
  StartExecutionCommand,
  StartSyncExecutionCommand,
  DescribeExecutionCommand,
  ListExecutionsCommand,
  GetExecutionHistoryCommand,
  StopExecutionCommand,
  CreateActivityCommand,
  GetActivityTaskCommand,
  SendTaskSuccessCommand,
  TagResourceCommand,
  ListTagsForResourceCommand,
  DeleteStateMachineCommand,
  StateMachineDoesNotExist,
  InvalidDefinition,
} from "@aws-sdk/client-sfn";

const endpoint = process.env.TIDEPOOL_ENDPOINT;
if (!endpoint) {
  throw new Error("set TIDEPOOL_ENDPOINT to a running tidepool, e.g. http://127.0.0.1:4566");
}
const ROLE = "arn:aws:iam::000000000000:role/sfn";

const sfn = new SFNClient({
  endpoint,
  region: "us-east-1",
  credentials: { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "secret" },
  maxAttempts: 1,
  disableHostPrefix: true,
});

async function machine(name, definition, type = "STANDARD") {
  const r = await sfn.send(new CreateStateMachineCommand({
    name, definition: JSON.stringify(definition), roleArn: ROLE, type,
  }));
  return r.stateMachineArn;
}

async function waitDone(executionArn) {
  for (let i = 0; i < 1500; i++) {
    const d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (d.status !== "RUNNING") return d;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${executionArn} still running`);
}

test("state machines: create, describe, list, validate, tags, delete, errors", async () => {
  const def = { StartAt: "A", States: { A: { Type: "Pass", End: true } } };
  const arn = await machine("js-m", def);
  const d = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: arn }));
  assert.equal(d.name, "js-m");
  assert.equal(d.type, "STANDARD");
  assert.ok(d.creationDate instanceof Date);
  assert.deepEqual(JSON.parse(d.definition), def);
  const list = await sfn.send(new ListStateMachinesCommand({}));
  assert.ok(list.stateMachines.some((m) => m.stateMachineArn === arn));
  const v = await sfn.send(new ValidateStateMachineDefinitionCommand({
    definition: JSON.stringify({ StartAt: "X", States: {} }),
  }));
  assert.equal(v.result, "FAIL");
  assert.equal(v.diagnostics[0].severity, "ERROR");
  await sfn.send(new TagResourceCommand({ resourceArn: arn, tags: [{ key: "k", value: "v" }] }));
  const tags = await sfn.send(new ListTagsForResourceCommand({ resourceArn: arn }));
  assert.deepEqual(tags.tags, [{ key: "k", value: "v" }]);
  await assert.rejects(
    sfn.send(new CreateStateMachineCommand({ name: "bad", definition: "{}", roleArn: ROLE })),
    (e) => e instanceof InvalidDefinition,
  );
  await sfn.send(new DeleteStateMachineCommand({ stateMachineArn: arn }));
  await assert.rejects(
    sfn.send(new DescribeStateMachineCommand({ stateMachineArn: arn })),
    (e) => e instanceof StateMachineDoesNotExist && e.$metadata.httpStatusCode === 400,
  );
});

test("executions: JSONPath and JSONata, history, list, sync EXPRESS, stop", async () => {
  const arn = await machine("js-run", {
    StartAt: "P",
    States: {
      P: { Type: "Pass", Parameters: { "sum.$": "States.MathAdd($.a, $.b)" }, Next: "J" },
      J: { Type: "Pass", QueryLanguage: "JSONata", Output: "{% $states.input.sum * 2 %}", End: true },
    },
  });
  const { executionArn, startDate } = await sfn.send(new StartExecutionCommand({
    stateMachineArn: arn, name: "first", input: JSON.stringify({ a: 2, b: 3 }),
  }));
  assert.ok(startDate instanceof Date);
  const done = await waitDone(executionArn);
  assert.equal(done.status, "SUCCEEDED");
  assert.equal(JSON.parse(done.output), 10);
  const h = await sfn.send(new GetExecutionHistoryCommand({ executionArn }));
  assert.deepEqual(h.events.map((e) => e.type), [
    "ExecutionStarted", "PassStateEntered", "PassStateExited", "PassStateEntered",
    "PassStateExited", "ExecutionSucceeded",
  ]);
  assert.ok(h.events[0].timestamp instanceof Date);
  const listed = await sfn.send(new ListExecutionsCommand({ stateMachineArn: arn, statusFilter: "SUCCEEDED" }));
  assert.deepEqual(listed.executions.map((e) => e.name), ["first"]);

  const express = await machine("js-express", {
    QueryLanguage: "JSONata", StartAt: "A",
    States: { A: { Type: "Pass", Output: { n: "{% $count($states.input) %}" }, End: true } },
  }, "EXPRESS");
  const sync = await sfn.send(new StartSyncExecutionCommand({ stateMachineArn: express, input: "[1,2,3]" }));
  assert.equal(sync.status, "SUCCEEDED");
  assert.deepEqual(JSON.parse(sync.output), { n: 3 });

  const waiting = await machine("js-wait", {
    StartAt: "W", States: { W: { Type: "Wait", Seconds: 300, End: true } },
  });
  const w = await sfn.send(new StartExecutionCommand({ stateMachineArn: waiting }));
  await sfn.send(new StopExecutionCommand({ executionArn: w.executionArn, error: "Js.Stop", cause: "test" }));
  const stopped = await waitDone(w.executionArn);
  assert.equal(stopped.status, "ABORTED");
});

test("activities and task tokens", async () => {
  const { activityArn } = await sfn.send(new CreateActivityCommand({ name: "js-activity" }));
  const arn = await machine("js-activity-machine", {
    StartAt: "Work", States: { Work: { Type: "Task", Resource: activityArn, End: true } },
  });
  const { executionArn } = await sfn.send(new StartExecutionCommand({
    stateMachineArn: arn, input: JSON.stringify({ job: 7 }),
  }));
  const task = await sfn.send(new GetActivityTaskCommand({ activityArn, workerName: "js" }));
  assert.deepEqual(JSON.parse(task.input), { job: 7 });
  await sfn.send(new SendTaskSuccessCommand({ taskToken: task.taskToken, output: '{"ok":true}' }));
  const done = await waitDone(executionArn);
  assert.equal(done.status, "SUCCEEDED");
  assert.deepEqual(JSON.parse(done.output), { ok: true });
});
