"""CloudFormation stacks of serverless types with boto3: an inline Python function invoked after
the deploy, an SQS queue feeding a function through an event source mapping, a state machine
started after the deploy, a REST API whose Lambda proxy method is called over HTTP, an HTTP API
made by quick create, a stack update that changes a function in place, and a SAM template
(AWS::Serverless::Function with Api and SQS events).

Each test skips while the server does not serve CloudFormation (the deployment engine lands
separately): only the InvalidAction answer to DescribeStacks counts as "not served"."""

import json
import textwrap
import time

import pytest
from botocore.exceptions import ClientError

from apigateway_helpers import host_of, invoke_path, request
from harness import make_client
from kinesis_helpers import wait_for
from sfn_helpers import wait_done

ROLE = "arn:aws:iam::000000000000:role/lambda-role"


@pytest.fixture
def clients(endpoint):
    def client(service, **config):
        return make_client(endpoint, service=service, access_key="000000000000", **config)
    return client


@pytest.fixture
def cfn(clients):
    client = clients("cloudformation")
    try:
        client.describe_stacks()
    except ClientError as e:
        error = e.response["Error"]
        if error.get("Code") == "InvalidAction" and "DescribeStacks" in error.get("Message", ""):
            pytest.skip("CloudFormation not served")
        raise
    return client


def deploy(cfn, name, template, capabilities=()):
    """Creates stack `name` from `template` (a dict) and waits for CREATE_COMPLETE; returns
    {logical id: physical id}."""
    cfn.create_stack(StackName=name, TemplateBody=json.dumps(template),
                     Capabilities=list(capabilities))
    deadline = time.time() + 120
    while True:
        stack = cfn.describe_stacks(StackName=name)["Stacks"][0]
        status = stack["StackStatus"]
        if status == "CREATE_COMPLETE":
            break
        if not status.endswith("IN_PROGRESS") or time.time() > deadline:
            events = cfn.describe_stack_events(StackName=name)["StackEvents"]
            reasons = [(e["LogicalResourceId"], e["ResourceStatus"],
                        e.get("ResourceStatusReason")) for e in events]
            pytest.fail("stack %s ended %s: %r" % (name, status, reasons))
        time.sleep(0.5)
    resources = cfn.describe_stack_resources(StackName=name)["StackResources"]
    return {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in resources}


def outputs(cfn, name):
    stack = cfn.describe_stacks(StackName=name)["Stacks"][0]
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


INLINE = textwrap.dedent("""\
    import os
    def handler(event, context):
        return {"greeting": os.environ["GREETING"], "got": event}
""")


def test_inline_python_function_is_invoked_after_the_deploy(cfn, clients):
    template = {
        "Resources": {
            "Fn": {"Type": "AWS::Lambda::Function", "Properties": {
                "Runtime": "python3.12", "Handler": "index.handler", "Role": ROLE,
                "Timeout": 10, "Code": {"ZipFile": INLINE},
                "Environment": {"Variables": {"GREETING": "hello"}}}},
        },
        "Outputs": {"Arn": {"Value": {"Fn::GetAtt": ["Fn", "Arn"]}}},
    }
    ids = deploy(cfn, "inline", template)
    name = ids["Fn"]
    assert name.startswith("inline-Fn-")
    lam = clients("lambda", read_timeout=60)
    config = lam.get_function_configuration(FunctionName=name)
    assert config["State"] == "Active"
    assert outputs(cfn, "inline")["Arn"] == config["FunctionArn"]
    answer = lam.invoke(FunctionName=name, Payload=json.dumps({"n": 1}))
    assert json.loads(answer["Payload"].read()) == {"greeting": "hello", "got": {"n": 1}}

    cfn.delete_stack(StackName="inline")
    wait_for(lambda: not any(f["FunctionName"] == name
                             for f in lam.list_functions()["Functions"]),
             timeout=30, what="the function to go with its stack")


def test_sqs_queue_feeds_a_function_through_a_mapping(cfn, clients):
    template = {
        "Resources": {
            "Queue": {"Type": "AWS::SQS::Queue"},
            "Fn": {"Type": "AWS::Lambda::Function", "Properties": {
                "Runtime": "python3.12", "Handler": "index.handler", "Role": ROLE,
                "Code": {"ZipFile": "def handler(event, context):\n    return len(event['Records'])\n"}}},
            "Mapping": {"Type": "AWS::Lambda::EventSourceMapping", "Properties": {
                "FunctionName": {"Ref": "Fn"}, "BatchSize": 5,
                "EventSourceArn": {"Fn::GetAtt": ["Queue", "Arn"]}}},
        },
    }
    ids = deploy(cfn, "mapped", template)
    lam, sqs = clients("lambda"), clients("sqs")
    mapping = lam.get_event_source_mapping(UUID=ids["Mapping"])
    assert mapping["BatchSize"] == 5
    assert mapping["State"] == "Enabled"
    queue_url = ids["Queue"]
    for i in range(3):
        sqs.send_message(QueueUrl=queue_url, MessageBody=json.dumps({"i": i}))

    def drained():
        attrs = sqs.get_queue_attributes(
            QueueUrl=queue_url,
            AttributeNames=["ApproximateNumberOfMessages",
                            "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
        return attrs["ApproximateNumberOfMessages"] == "0" and \
            attrs["ApproximateNumberOfMessagesNotVisible"] == "0"
    wait_for(drained, timeout=30, what="the mapping to consume the queue")


def test_state_machine_runs_after_the_deploy(cfn, clients):
    template = {
        "Resources": {
            "Machine": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {
                "RoleArn": "arn:aws:iam::000000000000:role/sfn",
                "Definition": {"StartAt": "Say", "States": {"Say": {
                    "Type": "Pass", "Result": {"word": "${Word}"}, "End": True}}},
                "DefinitionSubstitutions": {"Word": "substituted"}}},
        },
        "Outputs": {"Name": {"Value": {"Fn::GetAtt": ["Machine", "Name"]}}},
    }
    ids = deploy(cfn, "machine", template)
    arn = ids["Machine"]
    assert arn.startswith("arn:aws:states:")
    assert outputs(cfn, "machine")["Name"].startswith("machine-Machine-")
    sfn = clients("stepfunctions")
    execution = sfn.start_execution(stateMachineArn=arn, input="{}")["executionArn"]
    done = wait_done(sfn, execution)
    assert done["status"] == "SUCCEEDED"
    assert json.loads(done["output"]) == {"word": "substituted"}


PROXY = textwrap.dedent("""\
    import json
    def handler(event, context):
        return {"statusCode": 200, "headers": {"Content-Type": "application/json"},
                "body": json.dumps({"path": event["path"], "method": event["httpMethod"]})}
""")


def test_rest_api_with_a_lambda_proxy_method_answers_over_http(cfn, clients, endpoint):
    uri = {"Fn::Sub": "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/"
                      "${Fn.Arn}/invocations"}
    template = {
        "Resources": {
            "Fn": {"Type": "AWS::Lambda::Function", "Properties": {
                "Runtime": "python3.12", "Handler": "index.handler", "Role": ROLE,
                "Code": {"ZipFile": PROXY}}},
            "Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Name": "cfn-rest"}},
            "Hello": {"Type": "AWS::ApiGateway::Resource", "Properties": {
                "RestApiId": {"Ref": "Api"}, "PathPart": "hello",
                "ParentId": {"Fn::GetAtt": ["Api", "RootResourceId"]}}},
            "Get": {"Type": "AWS::ApiGateway::Method", "Properties": {
                "RestApiId": {"Ref": "Api"}, "ResourceId": {"Ref": "Hello"},
                "HttpMethod": "GET", "AuthorizationType": "NONE",
                "Integration": {"Type": "AWS_PROXY", "IntegrationHttpMethod": "POST",
                                "Uri": uri}}},
            "Invoke": {"Type": "AWS::Lambda::Permission", "Properties": {
                "FunctionName": {"Ref": "Fn"}, "Action": "lambda:InvokeFunction",
                "Principal": "apigateway.amazonaws.com"}},
            "Deployment": {"Type": "AWS::ApiGateway::Deployment", "DependsOn": ["Get"],
                           "Properties": {"RestApiId": {"Ref": "Api"}}},
            "Stage": {"Type": "AWS::ApiGateway::Stage", "Properties": {
                "RestApiId": {"Ref": "Api"}, "StageName": "live",
                "DeploymentId": {"Ref": "Deployment"}}},
        },
    }
    ids = deploy(cfn, "rest", template)
    status, _, body = request(endpoint, "GET", invoke_path(ids["Api"], "live", "/hello"))
    assert status == 200, body
    assert json.loads(body) == {"path": "/hello", "method": "GET"}
    assert ids["Stage"] == "live"


def test_http_api_quick_create_calls_the_function(cfn, endpoint):
    template = {
        "Resources": {
            "Fn": {"Type": "AWS::Lambda::Function", "Properties": {
                "Runtime": "python3.12", "Handler": "index.handler", "Role": ROLE,
                "Code": {"ZipFile": "def handler(event, context):\n"
                                    "    return {'path': event['rawPath']}\n"}}},
            "Http": {"Type": "AWS::ApiGatewayV2::Api", "Properties": {
                "Name": "quick", "ProtocolType": "HTTP",
                "Target": {"Fn::GetAtt": ["Fn", "Arn"]}}},
            "Invoke": {"Type": "AWS::Lambda::Permission", "Properties": {
                "FunctionName": {"Ref": "Fn"}, "Action": "lambda:InvokeFunction",
                "Principal": "apigateway.amazonaws.com"}},
        },
        "Outputs": {"Endpoint": {"Value": {"Fn::GetAtt": ["Http", "ApiEndpoint"]}}},
    }
    ids = deploy(cfn, "http", template)
    assert outputs(cfn, "http")["Endpoint"].startswith("http://" + ids["Http"])
    status, _, body = request(endpoint, "GET", "/any/where", host=host_of(ids["Http"], endpoint))
    assert status == 200, body
    assert json.loads(body) == {"path": "/any/where"}


def test_stack_update_changes_the_function_in_place(cfn, clients):
    def template(greeting):
        return {"Resources": {"Fn": {"Type": "AWS::Lambda::Function", "Properties": {
            "FunctionName": "updated-in-place", "Runtime": "python3.12",
            "Handler": "index.handler", "Role": ROLE, "Code": {"ZipFile": INLINE},
            "Environment": {"Variables": {"GREETING": greeting}}}}}}
    deploy(cfn, "updating", template("before"))
    lam = clients("lambda", read_timeout=60)
    arn = lam.get_function_configuration(FunctionName="updated-in-place")["FunctionArn"]
    cfn.update_stack(StackName="updating", TemplateBody=json.dumps(template("after")))
    wait_for(lambda: cfn.describe_stacks(StackName="updating")["Stacks"][0]["StackStatus"]
             == "UPDATE_COMPLETE", timeout=60, what="the stack update")
    config = lam.get_function_configuration(FunctionName="updated-in-place")
    assert config["FunctionArn"] == arn
    assert config["Environment"]["Variables"] == {"GREETING": "after"}
    answer = lam.invoke(FunctionName="updated-in-place", Payload=b"{}")
    assert json.loads(answer["Payload"].read())["greeting"] == "after"


def test_sam_function_with_api_and_sqs_events(cfn, clients, endpoint):
    template = {
        "Transform": "AWS::Serverless-2016-10-31",
        "Resources": {
            "Queue": {"Type": "AWS::SQS::Queue"},
            "Fn": {"Type": "AWS::Serverless::Function", "Properties": {
                "Runtime": "python3.12", "Handler": "index.handler", "InlineCode": PROXY,
                "Events": {
                    "Get": {"Type": "Api", "Properties": {"Path": "/sam", "Method": "get"}},
                    "Jobs": {"Type": "SQS", "Properties": {
                        "Queue": {"Fn::GetAtt": ["Queue", "Arn"]}, "BatchSize": 2}},
                }}},
        },
    }
    ids = deploy(cfn, "sam", template, capabilities=["CAPABILITY_IAM"])
    assert ids["ServerlessRestApiProdStage"] == "Prod"
    status, _, body = request(endpoint, "GET",
                              invoke_path(ids["ServerlessRestApi"], "Prod", "/sam"))
    assert status == 200, body
    assert json.loads(body) == {"path": "/sam", "method": "GET"}
    mapping = clients("lambda", read_timeout=60).get_event_source_mapping(UUID=ids["FnJobs"])
    assert mapping["BatchSize"] == 2
