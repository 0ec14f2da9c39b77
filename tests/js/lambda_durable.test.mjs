// The AWS SDK for JavaScript v3 Lambda client's durable-execution commands against tidepool at
// $TIDEPOOL_ENDPOINT, with a Node durable function written with @aws/durable-execution-sdk-js
// (tests/integration/test_js_sdk.py starts a server and runs `node --test` with it set).
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  LambdaClient,
  CreateFunctionCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  GetDurableExecutionCommand,
  GetDurableExecutionHistoryCommand,
  ListDurableExecutionsByFunctionCommand,
  SendDurableExecutionCallbackSuccessCommand,
  StopDurableExecutionCommand,
  DurableExecutionAlreadyStartedException,
  waitUntilFunctionActiveV2,
} from "@aws-sdk/client-lambda";

const endpoint = process.env.TIDEPOOL_ENDPOINT;
if (!endpoint) {
  throw new Error("set TIDEPOOL_ENDPOINT to a running tidepool, e.g. http://127.0.0.1:4566");
}

const lambda = new LambdaClient({
  endpoint,
  region: "us-east-1",
  credentials: { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "secret" },
  maxAttempts: 1,
});

// A .zip with one file, built by the machine's python3 (Node has no zip writer built in).
function zipOne(name, source) {
  const script =
    "import io,sys,zipfile,base64\n" +
    "b=io.BytesIO()\n" +
    "z=zipfile.ZipFile(b,'w')\n" +
    "z.writestr(sys.argv[1], sys.stdin.read())\n" +
    "z.close()\n" +
    "sys.stdout.write(base64.b64encode(b.getvalue()).decode())\n";
  const b64 = execFileSync("python3", ["-c", script, name], { input: source }).toString();
  return Buffer.from(b64, "base64");
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
async function until(predicate, what) {
  for (let i = 0; i < 300; i++) {
    const value = await predicate();
    if (value) return value;
    await sleep(100);
  }
  throw new Error("timed out waiting for " + what);
}

const WORKFLOW = `
const fs = require("fs");
const { withDurableExecution } = require("@aws/durable-execution-sdk-js");
exports.handler = withDurableExecution(async (event, context) => {
  const order = await context.step("load", async () => ({ id: event.id, total: 12 }));
  const approval = await context.waitForCallback("approve", async (callbackId) => {
    fs.writeFileSync(event.path, callbackId);
  });
  return { order, approval };
});
`;

test("a durable execution waits for a callback sent with the JS SDK", async () => {
  await lambda.send(
    new CreateFunctionCommand({
      FunctionName: "js-durable",
      Runtime: "nodejs20.x",
      Role: "arn:aws:iam::000000000000:role/js-role",
      Handler: "index.handler",
      Timeout: 30,
      DurableConfig: { ExecutionTimeout: 3600, RetentionPeriodInDays: 7 },
      Code: { ZipFile: zipOne("index.js", WORKFLOW) },
    }),
  );
  await waitUntilFunctionActiveV2(
    { client: lambda, maxWaitTime: 30, minDelay: 1 },
    { FunctionName: "js-durable" },
  );
  const config = await lambda.send(
    new GetFunctionConfigurationCommand({ FunctionName: "js-durable" }),
  );
  assert.deepEqual(config.DurableConfig, { ExecutionTimeout: 3600, RetentionPeriodInDays: 7 });

  const path = join(mkdtempSync(join(tmpdir(), "durable-")), "callback-id");
  const payload = JSON.stringify({ id: "o-1", path });
  const started = await lambda.send(
    new InvokeCommand({
      FunctionName: "js-durable",
      InvocationType: "Event",
      DurableExecutionName: "order-o-1",
      Payload: payload,
    }),
  );
  assert.equal(started.StatusCode, 202);
  const arn = started.DurableExecutionArn;
  assert.match(arn, /:function:js-durable:\$LATEST\/durable-execution\/order-o-1\//);
  // The same name and payload is the same execution; another payload is refused.
  const again = await lambda.send(
    new InvokeCommand({
      FunctionName: "js-durable",
      InvocationType: "Event",
      DurableExecutionName: "order-o-1",
      Payload: payload,
    }),
  );
  assert.equal(again.DurableExecutionArn, arn);
  await assert.rejects(
    lambda.send(
      new InvokeCommand({
        FunctionName: "js-durable",
        InvocationType: "Event",
        DurableExecutionName: "order-o-1",
        Payload: JSON.stringify({ id: "other", path }),
      }),
    ),
    DurableExecutionAlreadyStartedException,
  );

  const callbackId = await until(
    () => existsSync(path) && readFileSync(path, "utf8"),
    "the callback id",
  );
  await lambda.send(
    new SendDurableExecutionCallbackSuccessCommand({
      CallbackId: callbackId,
      Result: new TextEncoder().encode("yes"),
    }),
  );
  const done = await until(async () => {
    const got = await lambda.send(new GetDurableExecutionCommand({ DurableExecutionArn: arn }));
    return got.Status === "SUCCEEDED" && got;
  }, "the execution to succeed");
  assert.deepEqual(JSON.parse(done.Result), { order: { id: "o-1", total: 12 }, approval: "yes" });
  assert.ok(done.StartTimestamp instanceof Date && done.EndTimestamp instanceof Date);

  const history = await lambda.send(
    new GetDurableExecutionHistoryCommand({ DurableExecutionArn: arn, IncludeExecutionData: true }),
  );
  const types = history.Events.map((e) => e.EventType);
  for (const t of ["ExecutionStarted", "StepSucceeded", "CallbackStarted", "CallbackSucceeded"]) {
    assert.ok(types.includes(t), types.join(","));
  }
  assert.equal(types.at(-1), "ExecutionSucceeded");

  // A second execution, stopped.
  const second = await lambda.send(
    new InvokeCommand({
      FunctionName: "js-durable",
      InvocationType: "Event",
      Payload: JSON.stringify({ id: "o-2", path: path + "-2" }),
    }),
  );
  await until(() => existsSync(path + "-2"), "the second callback id");
  const stopped = await lambda.send(
    new StopDurableExecutionCommand({ DurableExecutionArn: second.DurableExecutionArn }),
  );
  assert.ok(stopped.StopTimestamp instanceof Date);
  const listed = await lambda.send(
    new ListDurableExecutionsByFunctionCommand({
      FunctionName: "js-durable",
      Statuses: ["STOPPED", "SUCCEEDED"],
    }),
  );
  assert.deepEqual(
    listed.DurableExecutions.map((x) => [x.DurableExecutionArn, x.Status]).sort(),
    [
      [arn, "SUCCEEDED"],
      [second.DurableExecutionArn, "STOPPED"],
    ].sort(),
  );
});
