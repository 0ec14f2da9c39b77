// The AWS SDK for JavaScript v3 Lambda client against tidepool at $TIDEPOOL_ENDPOINT
// (tests/integration/test_js_sdk.py starts a server and runs `node --test` with it set).
// Lambda speaks rest-json: the function name is in the path, the invocation type and log type
// are headers, the payload is the raw body and the function error a response header.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import {
  LambdaClient,
  CreateFunctionCommand,
  GetFunctionCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  InvokeCommand,
  PublishVersionCommand,
  CreateAliasCommand,
  DeleteFunctionCommand,
  ListFunctionsCommand,
  ResourceNotFoundException,
  ResourceConflictException,
  waitUntilFunctionActiveV2,
  waitUntilFunctionUpdatedV2,
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
const role = "arn:aws:iam::000000000000:role/js-role";
const waiter = { client: lambda, maxWaitTime: 30, minDelay: 1 };

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

const text = (payload) => new TextDecoder().decode(payload);

test("create, invoke, update and delete a Node and a Python function", async () => {
  await lambda.send(
    new CreateFunctionCommand({
      FunctionName: "js-node",
      Runtime: "nodejs20.x",
      Role: role,
      Handler: "index.handler",
      Code: {
        ZipFile: zipOne(
          "index.js",
          "exports.handler = async (e) => { if (e.fail) throw new Error('js boom'); " +
            "return { got: e.n, v: process.env.VAL || null }; };",
        ),
      },
    }),
  );
  await waitUntilFunctionActiveV2(waiter, { FunctionName: "js-node" });
  await lambda.send(
    new CreateFunctionCommand({
      FunctionName: "js-python",
      Runtime: "python3.12",
      Role: role,
      Handler: "app.handler",
      Code: { ZipFile: zipOne("app.py", "def handler(e, c):\n    return {'py': e['n']}\n") },
    }),
  );
  await waitUntilFunctionActiveV2(waiter, { FunctionName: "js-python" });

  let out = await lambda.send(
    new InvokeCommand({ FunctionName: "js-node", Payload: JSON.stringify({ n: 1 }) }),
  );
  assert.equal(out.StatusCode, 200);
  assert.equal(out.ExecutedVersion, "$LATEST");
  assert.deepEqual(JSON.parse(text(out.Payload)), { got: 1, v: null });

  out = await lambda.send(
    new InvokeCommand({ FunctionName: "js-python", Payload: JSON.stringify({ n: 2 }), LogType: "Tail" }),
  );
  assert.deepEqual(JSON.parse(text(out.Payload)), { py: 2 });
  assert.match(Buffer.from(out.LogResult, "base64").toString(), /REPORT RequestId/);

  out = await lambda.send(
    new InvokeCommand({ FunctionName: "js-node", Payload: JSON.stringify({ fail: true }) }),
  );
  assert.equal(out.FunctionError, "Unhandled");
  assert.equal(JSON.parse(text(out.Payload)).errorMessage, "js boom");

  out = await lambda.send(
    new InvokeCommand({ FunctionName: "js-node", InvocationType: "Event", Payload: "{}" }),
  );
  assert.equal(out.StatusCode, 202);

  await lambda.send(
    new UpdateFunctionConfigurationCommand({
      FunctionName: "js-node",
      Environment: { Variables: { VAL: "set" } },
    }),
  );
  await waitUntilFunctionUpdatedV2(waiter, { FunctionName: "js-node" });
  out = await lambda.send(new InvokeCommand({ FunctionName: "js-node", Payload: '{"n":3}' }));
  assert.deepEqual(JSON.parse(text(out.Payload)), { got: 3, v: "set" });

  await lambda.send(
    new UpdateFunctionCodeCommand({
      FunctionName: "js-node",
      ZipFile: zipOne("index.js", "exports.handler = async () => 'v2';"),
    }),
  );
  await waitUntilFunctionUpdatedV2(waiter, { FunctionName: "js-node" });
  const v = await lambda.send(new PublishVersionCommand({ FunctionName: "js-node" }));
  assert.equal(v.Version, "1");
  await lambda.send(
    new CreateAliasCommand({ FunctionName: "js-node", Name: "live", FunctionVersion: "1" }),
  );
  out = await lambda.send(new InvokeCommand({ FunctionName: "js-node", Qualifier: "live" }));
  assert.equal(JSON.parse(text(out.Payload)), "v2");
  assert.equal(out.ExecutedVersion, "1");

  const listed = await lambda.send(new ListFunctionsCommand({}));
  const names = listed.Functions.map((f) => f.FunctionName);
  assert.ok(names.includes("js-node") && names.includes("js-python"));

  await assert.rejects(
    lambda.send(
      new CreateFunctionCommand({
        FunctionName: "js-python",
        Runtime: "python3.12",
        Role: role,
        Handler: "app.handler",
        Code: { ZipFile: zipOne("app.py", "") },
      }),
    ),
    ResourceConflictException,
  );
  for (const name of ["js-node", "js-python"]) {
    await lambda.send(new DeleteFunctionCommand({ FunctionName: name }));
  }
  await assert.rejects(
    lambda.send(new GetFunctionCommand({ FunctionName: "js-node" })),
    ResourceNotFoundException,
  );
});
