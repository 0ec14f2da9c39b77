"""Seed 004 (async-fanout) end to end: POST /inbound (API key required) -> a Node dispatcher
function -> SNS topic with a message attribute -> two SQS queues (raw delivery, filter
policies on `operation`, redrive to a dead-letter queue after 3 receives) -> two worker
functions behind SQS event source mappings (batch size 1) -> DynamoDB table dev-JOB_STATUS;
GET /response/{requestId} -> a function reading it. The outcomes of PIPELINES.md: 202 then
[] then the result; 400 for a bad number or operation; 403 without the key; a failing
worker's message in the DLQ."""

import json
import pathlib
import time

from apigateway_helpers import body_json, invoke_path, lambda_uri, request
from harness import ACCOUNT, REGION, make_client
from lambda_helpers import zip_one

SAMPLES = pathlib.Path(__file__).resolve().parents[3] / "shared" / "seeds" / "data" / "async_fanout"
ROLE = "arn:aws:iam::%s:role/fanout" % ACCOUNT
P = "async-invocation-dev"

DISPATCHER = """
const { SNSClient, PublishCommand } = require("@aws-sdk/client-sns");
const sns = new SNSClient({});
exports.handler = async (event) => {
  let body;
  try { body = JSON.parse(event.body); } catch (e) { body = {}; }
  const reply = (code, obj) => ({ statusCode: code, body: JSON.stringify(obj) });
  if (typeof body.number !== "number") return reply(400, { message: "Invalid number." });
  if (!["division", "multiplication"].includes(body.operation)) {
    return reply(400, { message: "Invalid operation." });
  }
  const requestId = event.requestContext.requestId;
  await sns.send(new PublishCommand({
    TopicArn: process.env.TOPIC,
    Message: JSON.stringify({ requestId, number: body.number }),
    MessageAttributes: { operation: { DataType: "String", StringValue: body.operation } },
  }));
  return reply(202, { message: "Request published to SNS", requestId });
};
"""

WORKER = """
const { DynamoDBClient } = require("@aws-sdk/client-dynamodb");
const { DynamoDBDocumentClient, PutCommand } = require("@aws-sdk/lib-dynamodb");
const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));
exports.handler = async (event) => {
  for (const r of event.Records) {
    const m = JSON.parse(r.body);
    if (m.number === 13) throw new Error("unlucky number");
    const resultant = String(process.env.OP === "division" ? m.number / 2 : m.number * 2.5);
    await doc.send(new PutCommand({ TableName: "dev-JOB_STATUS",
      Item: { requestId: m.requestId, timestamp: Date.now(), resultant } }));
  }
};
"""

RESPONSE = """
const { DynamoDBClient } = require("@aws-sdk/client-dynamodb");
const { DynamoDBDocumentClient, QueryCommand } = require("@aws-sdk/lib-dynamodb");
const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));
exports.handler = async (event) => {
  const out = await doc.send(new QueryCommand({ TableName: "dev-JOB_STATUS",
    KeyConditionExpression: "requestId = :r",
    ExpressionAttributeValues: { ":r": event.pathParameters.requestId } }));
  return { statusCode: 200, body: JSON.stringify(out.Items) };
};
"""


def function(lam, name, source, env=None):
    arn = lam.create_function(FunctionName=name, Runtime="nodejs20.x", Role=ROLE,
                              Handler="index.handler", Timeout=30,
                              Environment={"Variables": env or {}},
                              Code={"ZipFile": zip_one("index.js", source)})["FunctionArn"]
    lam.get_waiter("function_active_v2").wait(FunctionName=name,
                                              WaiterConfig={"Delay": 0.1, "MaxAttempts": 50})
    return arn


def test_async_fanout_flow(endpoint):
    lam = make_client(endpoint, "lambda", read_timeout=60)
    sns = make_client(endpoint, "sns")
    sqs = make_client(endpoint, "sqs")
    ddb = make_client(endpoint, "dynamodb")
    apigw = make_client(endpoint, service="apigateway", access_key=ACCOUNT)
    ddb.create_table(TableName="dev-JOB_STATUS", BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "requestId", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "requestId", "KeyType": "HASH"}])
    topic = sns.create_topic(Name=P + "-calculate-sns-topic")["TopicArn"]
    dlq = sqs.create_queue(QueueName=P + "-process-dead-letter-queue")["QueueUrl"]
    dlq_arn = "arn:aws:sqs:%s:%s:%s-process-dead-letter-queue" % (REGION, ACCOUNT, P)
    for op, queue in (("division", "divide"), ("multiplication", "multiply")):
        name = "%s-%s-sqs-queue" % (P, queue)
        sqs.create_queue(QueueName=name, Attributes={
            "VisibilityTimeout": "1",
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 3})})
        qarn = "arn:aws:sqs:%s:%s:%s" % (REGION, ACCOUNT, name)
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=qarn,
                      Attributes={"RawMessageDelivery": "true",
                                  "FilterPolicy": json.dumps({"operation": [op]})})
        function(lam, "%s-worker" % queue, WORKER, {"OP": op})
        lam.create_event_source_mapping(EventSourceArn=qarn, FunctionName="%s-worker" % queue,
                                        BatchSize=1)
    dispatcher = function(lam, "dispatcher", DISPATCHER, {"TOPIC": topic})
    reader = function(lam, "response", RESPONSE)

    api = apigw.create_rest_api(name="async-fanout")["id"]
    root = [r for r in apigw.get_resources(restApiId=api)["items"] if r["path"] == "/"][0]["id"]
    inbound = apigw.create_resource(restApiId=api, parentId=root, pathPart="inbound")["id"]
    response = apigw.create_resource(restApiId=api, parentId=root, pathPart="response")["id"]
    by_id = apigw.create_resource(restApiId=api, parentId=response, pathPart="{requestId}")["id"]
    for resource, method, fn, keyed in ((inbound, "POST", dispatcher, True),
                                        (by_id, "GET", reader, False)):
        apigw.put_method(restApiId=api, resourceId=resource, httpMethod=method,
                         authorizationType="NONE", apiKeyRequired=keyed)
        apigw.put_integration(restApiId=api, resourceId=resource, httpMethod=method,
                              type="AWS_PROXY", integrationHttpMethod="POST", uri=lambda_uri(fn))
    apigw.create_deployment(restApiId=api, stageName="dev")
    key = apigw.create_api_key(name="fanout", enabled=True)
    plan = apigw.create_usage_plan(name="fanout", apiStages=[{"apiId": api, "stage": "dev"}])
    apigw.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"], keyType="API_KEY")
    headers = {"x-api-key": key["value"], "Content-Type": "application/json"}

    def post(body, with_key=True):
        status, hdrs, data = request(endpoint, "POST", invoke_path(api, "dev", "/inbound"),
                                     body=body, headers=headers if with_key else {})
        return status, hdrs, body_json(data)

    def result(request_id, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            status, _, data = request(endpoint, "GET",
                                      invoke_path(api, "dev", "/response/" + request_id))
            assert status == 200
            items = body_json(data)
            if items:
                return items
            time.sleep(0.1)
        return []

    assert post((SAMPLES / "divideTest.json").read_bytes(), with_key=False)[0] == 403
    status, _, body = post(b'{"operation": "division", "number": "x"}')
    assert (status, body) == (400, {"message": "Invalid number."})
    assert post(b'{"operation": "power", "number": 2}')[0] == 400

    outcomes = {}
    for sample, want in (("divideTest.json", "500"), ("multiplyTest.json", "2500")):
        status, hdrs, body = post((SAMPLES / sample).read_bytes())
        assert status == 202 and body["message"] == "Request published to SNS"
        request_id = body["requestId"]
        assert {k.lower(): v for k, v in hdrs.items()}["x-amzn-requestid"] == request_id
        outcomes[request_id] = want
    for request_id, want in outcomes.items():
        items = result(request_id)
        assert [i["resultant"] for i in items] == [want], items
        assert items[0]["requestId"] == request_id and isinstance(items[0]["timestamp"], int)

    # A worker that fails three times leaves the message in the dead-letter queue.
    status, _, body = post(b'{"operation": "division", "number": 13}')
    assert status == 202
    r = sqs.receive_message(QueueUrl=dlq, WaitTimeSeconds=20)
    assert json.loads(r["Messages"][0]["Body"]) == {"requestId": body["requestId"], "number": 13}
    assert result(body["requestId"], timeout=1) == []
