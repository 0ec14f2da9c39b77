// The AWS SDK for JavaScript v3 IAM and STS clients against tidepool at $TIDEPOOL_ENDPOINT
// (tests/integration/test_js_sdk.py starts a server and runs `node --test` with it set).
// Both speak the query protocol: requests are form-encoded, responses are XML read by the
// SDK's own parser. Unlike botocore, the JS SDK hands policy documents back URL-encoded, as
// AWS sends them.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  IAMClient,
  CreateRoleCommand,
  GetRoleCommand,
  AttachRolePolicyCommand,
  ListAttachedRolePoliciesCommand,
  CreatePolicyCommand,
  GetPolicyVersionCommand,
  CreateUserCommand,
  CreateAccessKeyCommand,
  DeleteRoleCommand,
  paginateListRoles,
  waitUntilRoleExists,
  NoSuchEntityException,
  EntityAlreadyExistsException,
  MalformedPolicyDocumentException,
} from "@aws-sdk/client-iam";
import { STSClient, GetCallerIdentityCommand, AssumeRoleCommand } from "@aws-sdk/client-sts";
import { SQSClient, CreateQueueCommand, ListQueuesCommand } from "@aws-sdk/client-sqs";

const endpoint = process.env.TIDEPOOL_ENDPOINT;
if (!endpoint) {
  throw new Error("set TIDEPOOL_ENDPOINT to a running tidepool, e.g. http://127.0.0.1:4566");
}

const common = {
  endpoint,
  region: "us-east-1",
  credentials: { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "secret" },
  maxAttempts: 1,
};

const trust = {
  Version: "2012-10-17",
  Statement: [
    { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" },
  ],
};
const basic = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole";

test("roles, attachments, paging and errors", async () => {
  const iam = new IAMClient(common);
  const { Role } = await iam.send(
    new CreateRoleCommand({ RoleName: "js-role", AssumeRolePolicyDocument: JSON.stringify(trust) }),
  );
  assert.equal(Role.Arn, "arn:aws:iam::000000000000:role/js-role");
  assert.ok(Role.CreateDate instanceof Date);
  assert.deepEqual(JSON.parse(decodeURIComponent(Role.AssumeRolePolicyDocument)), trust);
  await waitUntilRoleExists({ client: iam, maxWaitTime: 10 }, { RoleName: "js-role" });
  const got = await iam.send(new GetRoleCommand({ RoleName: "js-role" }));
  assert.equal(got.Role.RoleId, Role.RoleId);
  assert.equal(got.Role.MaxSessionDuration, 3600);

  await iam.send(new AttachRolePolicyCommand({ RoleName: "js-role", PolicyArn: basic }));
  const attached = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: "js-role" }));
  assert.deepEqual(attached.AttachedPolicies, [
    { PolicyName: "AWSLambdaBasicExecutionRole", PolicyArn: basic },
  ]);

  for (let i = 0; i < 4; i++) {
    await iam.send(
      new CreateRoleCommand({
        RoleName: `js-page-${i}`,
        AssumeRolePolicyDocument: JSON.stringify(trust),
      }),
    );
  }
  const names = [];
  for await (const page of paginateListRoles({ client: iam, pageSize: 2 }, {})) {
    assert.ok(page.Roles.length <= 2);
    names.push(...page.Roles.map((r) => r.RoleName));
  }
  assert.deepEqual(names, ["js-page-0", "js-page-1", "js-page-2", "js-page-3", "js-role"]);

  await assert.rejects(
    iam.send(
      new CreateRoleCommand({ RoleName: "js-role", AssumeRolePolicyDocument: JSON.stringify(trust) }),
    ),
    (err) => err instanceof EntityAlreadyExistsException && err.$metadata.httpStatusCode === 409,
  );
  await assert.rejects(
    iam.send(new CreateRoleCommand({ RoleName: "js-bad", AssumeRolePolicyDocument: "{" })),
    (err) =>
      err instanceof MalformedPolicyDocumentException && err.message === "Syntax errors in policy.",
  );
  await assert.rejects(iam.send(new DeleteRoleCommand({ RoleName: "js-missing" })), (err) => {
    assert.ok(err instanceof NoSuchEntityException);
    assert.equal(err.message, "The role with name js-missing cannot be found.");
    assert.equal(err.$metadata.httpStatusCode, 404);
    return true;
  });
});

test("a managed policy's document comes back URL-encoded", async () => {
  const iam = new IAMClient(common);
  const doc = {
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Action: "sqs:*", Resource: "*" }],
  };
  const { Policy } = await iam.send(
    new CreatePolicyCommand({ PolicyName: "js-policy", PolicyDocument: JSON.stringify(doc) }),
  );
  const { PolicyVersion } = await iam.send(
    new GetPolicyVersionCommand({ PolicyArn: Policy.Arn, VersionId: "v1" }),
  );
  assert.equal(PolicyVersion.IsDefaultVersion, true);
  assert.deepEqual(JSON.parse(decodeURIComponent(PolicyVersion.Document)), doc);
});

test("STS: caller identity, and credentials from AssumeRole and from a user's key", async () => {
  const sts = new STSClient(common);
  const who = await sts.send(new GetCallerIdentityCommand({}));
  assert.equal(who.Account, "000000000000");
  assert.equal(who.Arn, "arn:aws:iam::000000000000:root");

  const assumed = await sts.send(
    new AssumeRoleCommand({
      RoleArn: "arn:aws:iam::000000000000:role/js-assumed",
      RoleSessionName: "js-session",
      DurationSeconds: 900,
    }),
  );
  const c = assumed.Credentials;
  assert.ok(c.AccessKeyId.startsWith("ASIA"));
  assert.ok(c.Expiration instanceof Date);
  const lifetime = (c.Expiration.getTime() - Date.now()) / 1000;
  assert.ok(lifetime > 880 && lifetime <= 900, `lifetime ${lifetime}`);
  const credentials = {
    accessKeyId: c.AccessKeyId,
    secretAccessKey: c.SecretAccessKey,
    sessionToken: c.SessionToken,
  };
  const asRole = new STSClient({ ...common, credentials });
  const roleWho = await asRole.send(new GetCallerIdentityCommand({}));
  assert.equal(roleWho.Arn, "arn:aws:sts::000000000000:assumed-role/js-assumed/js-session");
  const sqs = new SQSClient({ ...common, credentials });
  await sqs.send(new CreateQueueCommand({ QueueName: "js-from-role" }));
  const { QueueUrls } = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: "js-from-role" }));
  assert.equal(QueueUrls.length, 1);

  const iam = new IAMClient(common);
  const { User } = await iam.send(new CreateUserCommand({ UserName: "js-user" }));
  const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: "js-user" }));
  const asUser = new STSClient({
    ...common,
    credentials: { accessKeyId: AccessKey.AccessKeyId, secretAccessKey: AccessKey.SecretAccessKey },
  });
  const userWho = await asUser.send(new GetCallerIdentityCommand({}));
  assert.equal(userWho.Arn, User.Arn);
  assert.equal(userWho.UserId, User.UserId);
});
