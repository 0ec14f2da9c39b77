"""API Gateway non-proxy integrations with boto3: VTL request and response templates
($input, $context, $stageVariables, $util, #foreach), passthrough behaviours, integration
response selection by a function's errorMessage and by status code, and AWS service
integrations to the local SQS, SNS, DynamoDB, Kinesis and Step Functions."""

import json
import textwrap
import time

import pytest

from apigateway_helpers import ROLE, body_json, invoke_path, lambda_uri, request
from harness import make_client
from lambda_helpers import zip_one

PLAIN_HANDLER = textwrap.dedent("""
    def handler(event, context):
        if event.get("fail"):
            raise ValueError("NotFound: " + str(event.get("fail")))
        return {"got": event, "items": [{"id": 1, "n": "a"}, {"id": 2, "n": "b"}]}
""")

REQUEST_TEMPLATE = textwrap.dedent("""\
    #set($body = $input.path('$'))
    {
      "name": $input.json('$.name'),
      "fail": $input.json('$.fail'),
      "q": "$input.params('q')",
      "id": "$input.params('id')",
      "header": "$input.params('X-Thing')",
      "requestId": "$context.requestId",
      "stage": "$context.stage",
      "env": "$stageVariables.env",
      "escaped": "$util.escapeJavaScript($body.name)"
    }""")

RESPONSE_TEMPLATE = textwrap.dedent("""\
    #set($r = $input.path('$'))
    {"echo": $input.json('$.got'), "ids": [#foreach($i in $r.items)$i.id#if($foreach.hasNext),#end#end]}""")


@pytest.fixture
def clients(endpoint):
    def client(service, **config):
        return make_client(endpoint, service=service, access_key="000000000000", **config)
    return client


def deploy(apigw, api_id, variables=None):
    apigw.create_deployment(restApiId=api_id, stageName="dev", variables=variables or {})


def aws_method(apigw, api_id, resource, uri, request_templates=None, responses=(("200", None),),
               verb="POST", params=None, passthrough=None):
    apigw.put_method(restApiId=api_id, resourceId=resource, httpMethod=verb,
                     authorizationType="NONE")
    extra = {"passthroughBehavior": passthrough} if passthrough else {}
    if params:
        extra["requestParameters"] = params
    apigw.put_integration(restApiId=api_id, resourceId=resource, httpMethod=verb, type="AWS",
                          integrationHttpMethod="POST", uri=uri,
                          requestTemplates=request_templates or {}, **extra)
    for status, pattern in responses:
        apigw.put_method_response(restApiId=api_id, resourceId=resource, httpMethod=verb,
                                  statusCode=status)
        kwargs = {"selectionPattern": pattern} if pattern else {}
        apigw.put_integration_response(restApiId=api_id, resourceId=resource, httpMethod=verb,
                                       statusCode=status, **kwargs)


def test_lambda_with_mapping_templates(clients, endpoint):
    apigw, lam = clients("apigateway"), clients("lambda", read_timeout=60)
    fn = lam.create_function(FunctionName="plain", Runtime="python3.12", Role=ROLE,
                             Handler="app.handler", Timeout=10,
                             Code={"ZipFile": zip_one("app.py", PLAIN_HANDLER)})["FunctionArn"]
    api = apigw.create_rest_api(name="vtl")
    api_id, root = api["id"], api["rootResourceId"]
    things = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="things")["id"]
    thing = apigw.create_resource(restApiId=api_id, parentId=things, pathPart="{id}")["id"]
    aws_method(apigw, api_id, thing, lambda_uri(fn),
               request_templates={"application/json": REQUEST_TEMPLATE},
               responses=(("200", None), ("404", "NotFound:.*")))
    apigw.update_integration_response(
        restApiId=api_id, resourceId=thing, httpMethod="POST", statusCode="200",
        patchOperations=[{"op": "add", "path": "/responseTemplates/application~1json",
                          "value": RESPONSE_TEMPLATE},
                         {"op": "add",
                          "path": "/responseParameters/method.response.header.X-Mapped",
                          "value": "'yes'"}])
    deploy(apigw, api_id, {"env": "staging"})

    path = invoke_path(api_id, "dev", "/things/42?q=find")
    status, headers, body = request(endpoint, "POST", path,
                                    body=json.dumps({"name": "Bob \"q\"", "fail": None}),
                                    headers={"Content-Type": "application/json",
                                             "X-Thing": "t1"})
    assert status == 200, body
    assert headers["x-mapped"] == "yes"
    out = body_json(body)
    assert out["ids"] == [1, 2], body
    echo = out["echo"]
    assert echo["name"] == "Bob \"q\"" and echo["q"] == "find" and echo["id"] == "42"
    assert echo["header"] == "t1" and echo["stage"] == "dev" and echo["env"] == "staging"
    assert echo["requestId"] == headers["x-amzn-requestid"]
    # escapeJavaScript escapes quotes (and single quotes, which JSON refuses, as on AWS).
    assert echo["escaped"] == "Bob \"q\""

    # A function error whose errorMessage matches a selection pattern picks that response.
    status, _, body = request(endpoint, "POST", path, body=json.dumps({"fail": "x"}),
                              headers={"Content-Type": "application/json"})
    assert status == 404
    assert body_json(body)["errorMessage"] == "NotFound: x"

    # No template for text/plain: WHEN_NO_MATCH passes the body through (not JSON: an error).
    apigw.update_integration(restApiId=api_id, resourceId=thing, httpMethod="POST",
                             patchOperations=[{"op": "replace", "path": "/passthroughBehavior",
                                               "value": "NEVER"}])
    deploy(apigw, api_id, {"env": "staging"})
    status, _, body = request(endpoint, "POST", path, body="x",
                              headers={"Content-Type": "text/plain"})
    assert (status, body_json(body)) == (415, {"message": "Unsupported Media Type"})


def test_invalid_template_is_refused(clients):
    apigw = clients("apigateway")
    api = apigw.create_rest_api(name="bad")
    apigw.put_method(restApiId=api["id"], resourceId=api["rootResourceId"], httpMethod="GET",
                     authorizationType="NONE")
    with pytest.raises(Exception) as e:
        apigw.put_integration(restApiId=api["id"], resourceId=api["rootResourceId"],
                              httpMethod="GET", type="MOCK",
                              requestTemplates={"application/json": "#if($x) never closed"})
    assert "BadRequestException" in str(e.value)


def test_aws_service_integrations(clients, endpoint):
    apigw = clients("apigateway")
    sqs, sns, ddb = clients("sqs"), clients("sns"), clients("dynamodb")
    kinesis, sfn = clients("kinesis"), clients("stepfunctions")
    queue = sqs.create_queue(QueueName="inbound")["QueueUrl"]
    topic = sns.create_topic(Name="events")["TopicArn"]
    sub_queue = sqs.create_queue(QueueName="from-topic")["QueueUrl"]
    sub_arn = sqs.get_queue_attributes(QueueUrl=sub_queue,
                                       AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=sub_arn,
                  Attributes={"RawMessageDelivery": "true"})
    ddb.create_table(TableName="requests", BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])
    kinesis.create_stream(StreamName="clicks", ShardCount=1)
    machine = sfn.create_state_machine(
        name="m", roleArn=ROLE,
        definition=json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
    )["stateMachineArn"]
    time.sleep(0.2)

    api = apigw.create_rest_api(name="services")
    api_id, root = api["id"], api["rootResourceId"]

    def resource(part):
        return apigw.create_resource(restApiId=api_id, parentId=root, pathPart=part)["id"]

    uri = "arn:aws:apigateway:us-east-1:%s:action/%s"
    form = {"integration.request.header.Content-Type": "'application/x-www-form-urlencoded'"}
    aws_method(apigw, api_id, resource("sqs"), uri % ("sqs", "SendMessage"), params=form,
               request_templates={"application/json":
                                  "QueueUrl=$util.urlEncode('%s')&MessageBody="
                                  "$util.urlEncode($input.body)" % queue})
    aws_method(apigw, api_id, resource("sns"), uri % ("sns", "Publish"), params=form,
               request_templates={"application/json":
                                  "TopicArn=$util.urlEncode('%s')&Message="
                                  "$util.urlEncode($input.body)" % topic})
    aws_method(apigw, api_id, resource("ddb"), uri % ("dynamodb", "PutItem"),
               request_templates={"application/json": json.dumps({
                   "TableName": "requests",
                   "Item": {"id": {"S": "$context.requestId"},
                            "name": {"S": "$input.path('$.name')"}}})})
    aws_method(apigw, api_id, resource("kinesis"), uri % ("kinesis", "PutRecord"),
               request_templates={"application/json": json.dumps({
                   "StreamName": "clicks", "PartitionKey": "$context.requestId",
                   "Data": "$util.base64Encode($input.body)"})})
    aws_method(apigw, api_id, resource("sfn"), uri % ("states", "StartExecution"),
               request_templates={"application/json": json.dumps({
                   "stateMachineArn": machine,
                   "input": "$util.escapeJavaScript($input.body)"})})
    deploy(apigw, api_id)

    def post(part, doc):
        return request(endpoint, "POST", invoke_path(api_id, "dev", "/" + part),
                       body=json.dumps(doc), headers={"Content-Type": "application/json"})

    status, _, body = post("sqs", {"to": "sqs"})
    assert status == 200, body
    msgs = sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=2)["Messages"]
    assert json.loads(msgs[0]["Body"]) == {"to": "sqs"}

    status, _, body = post("sns", {"to": "sns"})
    assert status == 200, body
    msgs = sqs.receive_message(QueueUrl=sub_queue, WaitTimeSeconds=5)["Messages"]
    assert json.loads(msgs[0]["Body"]) == {"to": "sns"}

    status, headers, body = post("ddb", {"name": "ddb"})
    assert status == 200, body
    item = ddb.get_item(TableName="requests", Key={"id": {"S": headers["x-amzn-requestid"]}})
    assert item["Item"]["name"] == {"S": "ddb"}

    status, _, body = post("kinesis", {"to": "kinesis"})
    assert status == 200, body
    assert "SequenceNumber" in body_json(body)
    shard = kinesis.list_shards(StreamName="clicks")["Shards"][0]["ShardId"]
    it = kinesis.get_shard_iterator(StreamName="clicks", ShardId=shard,
                                    ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    records = kinesis.get_records(ShardIterator=it)["Records"]
    assert json.loads(records[0]["Data"]) == {"to": "kinesis"}

    status, _, body = post("sfn", {"to": "sfn"})
    assert status == 200, body
    execution = body_json(body)["executionArn"]
    for _ in range(50):
        desc = sfn.describe_execution(executionArn=execution)
        if desc["status"] != "RUNNING":
            break
        time.sleep(0.1)
    assert json.loads(desc["output"]) == {"to": "sfn"}
