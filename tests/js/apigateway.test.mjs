// The AWS SDK for JavaScript v3 API Gateway client against tidepool at $TIDEPOOL_ENDPOINT
// (tests/integration/test_js_sdk.py starts a server and runs `node --test` with it set):
// a REST API built with the SDK (resources, a MOCK method with templates, a deployment, patch
// operations, an API key and usage plan), then called with Node's fetch through both invoke
// URL forms; a validated method with a model, a customized gateway response, and GetExport.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  APIGatewayClient,
  CreateRestApiCommand,
  GetResourcesCommand,
  CreateResourceCommand,
  PutMethodCommand,
  PutIntegrationCommand,
  PutMethodResponseCommand,
  PutIntegrationResponseCommand,
  CreateDeploymentCommand,
  GetRestApisCommand,
  GetStagesCommand,
  UpdateStageCommand,
  CreateApiKeyCommand,
  CreateUsagePlanCommand,
  CreateUsagePlanKeyCommand,
  GetRestApiCommand,
  CreateModelCommand,
  CreateRequestValidatorCommand,
  PutGatewayResponseCommand,
  GetExportCommand,
  NotFoundException,
} from "@aws-sdk/client-api-gateway";

const endpoint = process.env.TIDEPOOL_ENDPOINT;
if (!endpoint) {
  throw new Error("set TIDEPOOL_ENDPOINT to a running tidepool, e.g. http://127.0.0.1:4566");
}

const client = new APIGatewayClient({
  endpoint,
  region: "us-east-1",
  credentials: { accessKeyId: "000000000000", secretAccessKey: "secret" },
  maxAttempts: 1,
});

test("a MOCK API built with the SDK answers fetch on both URL forms", async () => {
  const api = await client.send(new CreateRestApiCommand({ name: "js-api" }));
  const resources = await client.send(new GetResourcesCommand({ restApiId: api.id }));
  assert.equal(resources.items.length, 1);
  assert.equal(resources.items[0].path, "/");
  const greet = await client.send(
    new CreateResourceCommand({ restApiId: api.id, parentId: api.rootResourceId, pathPart: "greet" }),
  );
  const base = { restApiId: api.id, resourceId: greet.id, httpMethod: "GET" };
  await client.send(
    new PutMethodCommand({ ...base, authorizationType: "NONE", apiKeyRequired: true }),
  );
  await client.send(
    new PutIntegrationCommand({
      ...base,
      type: "MOCK",
      requestTemplates: { "application/json": '{"statusCode": 200}' },
    }),
  );
  await client.send(new PutMethodResponseCommand({ ...base, statusCode: "200" }));
  await client.send(
    new PutIntegrationResponseCommand({
      ...base,
      statusCode: "200",
      responseTemplates: {
        "application/json": '{"hello": "$input.params(\'name\')", "stage": "$context.stage"}',
      },
    }),
  );
  await client.send(new CreateDeploymentCommand({ restApiId: api.id, stageName: "js" }));
  const apis = await client.send(new GetRestApisCommand({}));
  assert.deepEqual(apis.items.map((a) => a.name), ["js-api"]);
  const stage = await client.send(
    new UpdateStageCommand({
      restApiId: api.id,
      stageName: "js",
      patchOperations: [{ op: "replace", path: "/variables/mode", value: "fetch" }],
    }),
  );
  assert.deepEqual(stage.variables, { mode: "fetch" });
  const stages = await client.send(new GetStagesCommand({ restApiId: api.id }));
  assert.deepEqual(stages.item.map((s) => s.stageName), ["js"]);

  const url = `${endpoint}/restapis/${api.id}/js/_user_request_/greet?name=node`;
  let res = await fetch(url);
  assert.equal(res.status, 403);
  assert.deepEqual(await res.json(), { message: "Forbidden" });

  const key = await client.send(new CreateApiKeyCommand({ name: "js-key", enabled: true }));
  const plan = await client.send(
    new CreateUsagePlanCommand({ name: "js-plan", apiStages: [{ apiId: api.id, stage: "js" }] }),
  );
  await client.send(
    new CreateUsagePlanKeyCommand({ usagePlanId: plan.id, keyId: key.id, keyType: "API_KEY" }),
  );
  res = await fetch(url, { headers: { "x-api-key": key.value } });
  assert.equal(res.status, 200);
  assert.match(res.headers.get("x-amzn-requestid"), /^[0-9a-f-]{36}$/);
  assert.deepEqual(await res.json(), { hello: "node", stage: "js" });

  // The host form, by Host header (fetch does not let a caller set Host; use node:http).
  const { request } = await import("node:http");
  const { port, hostname } = new URL(endpoint);
  const body = await new Promise((resolve, reject) => {
    const req = request(
      {
        host: hostname,
        port,
        path: "/js/greet?name=host",
        headers: { Host: `${api.id}.execute-api.localhost:${port}`, "x-api-key": key.value },
      },
      (r) => {
        let data = "";
        r.on("data", (c) => (data += c));
        r.on("end", () => resolve(data));
      },
    );
    req.on("error", reject);
    req.end();
  });
  assert.deepEqual(JSON.parse(body), { hello: "host", stage: "js" });
});

test("errors are the SDK's modeled exceptions", async () => {
  await assert.rejects(
    client.send(new GetRestApiCommand({ restApiId: "nope" })),
    (e) => e instanceof NotFoundException && e.$metadata.httpStatusCode === 404,
  );
});

test("a model, a validator and a gateway response shape what fetch gets; GetExport", async () => {
  const api = await client.send(new CreateRestApiCommand({ name: "js-validated" }));
  const res = await client.send(
    new CreateResourceCommand({ restApiId: api.id, parentId: api.rootResourceId, pathPart: "orders" }),
  );
  await client.send(
    new CreateModelCommand({
      restApiId: api.id,
      name: "Order",
      contentType: "application/json",
      schema: JSON.stringify({ type: "object", required: ["qty"], properties: { qty: { type: "integer", minimum: 1 } } }),
    }),
  );
  const validator = await client.send(
    new CreateRequestValidatorCommand({ restApiId: api.id, name: "body", validateRequestBody: true }),
  );
  const base = { restApiId: api.id, resourceId: res.id, httpMethod: "POST" };
  await client.send(
    new PutMethodCommand({
      ...base,
      authorizationType: "NONE",
      requestValidatorId: validator.id,
      requestModels: { "application/json": "Order" },
    }),
  );
  await client.send(
    new PutIntegrationCommand({ ...base, type: "MOCK", requestTemplates: { "application/json": '{"statusCode": 200}' } }),
  );
  await client.send(new PutMethodResponseCommand({ ...base, statusCode: "200" }));
  await client.send(
    new PutIntegrationResponseCommand({ ...base, statusCode: "200", responseTemplates: { "application/json": '{"ok":true}' } }),
  );
  await client.send(
    new PutGatewayResponseCommand({
      restApiId: api.id,
      responseType: "BAD_REQUEST_BODY",
      statusCode: "422",
      responseTemplates: { "application/json": '{"problem":$context.error.messageString}' },
    }),
  );
  await client.send(new CreateDeploymentCommand({ restApiId: api.id, stageName: "v1" }));
  const url = `${endpoint}/restapis/${api.id}/v1/_user_request_/orders`;
  const post = (body) =>
    fetch(url, { method: "POST", headers: { "Content-Type": "application/json" }, body });
  let r = await post('{"qty": 2}');
  assert.equal(r.status, 200);
  assert.deepEqual(await r.json(), { ok: true });
  r = await post('{"qty": 0}');
  assert.equal(r.status, 422);
  assert.deepEqual(await r.json(), { problem: "Invalid request body" });

  const exported = await client.send(
    new GetExportCommand({ restApiId: api.id, stageName: "v1", exportType: "oas30", accepts: "application/json" }),
  );
  const doc = JSON.parse(new TextDecoder().decode(exported.body));
  assert.equal(doc.openapi, "3.0.1");
  assert.deepEqual(Object.keys(doc.paths), ["/orders"]);
  assert.equal(doc.components.schemas.Order.required[0], "qty");
});
