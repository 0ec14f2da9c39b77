"""Step Functions Tasks against this server's DynamoDB, S3 and Lambda API: the optimized
arn:aws:states:::dynamodb:<getItem|putItem|updateItem|deleteItem> and the AWS SDK
integrations arn:aws:states:::aws-sdk:<dynamodb|s3|lambda>:<action>, with AWS's error names
(DynamoDB.* for the optimized integration, DynamoDb.* for the SDK one, S3.NoSuchKeyException,
Lambda.ResourceNotFoundException)."""

import json
import textwrap

from harness import ACCOUNT, make_client
from lambda_helpers import zip_one
from sfn_helpers import wait_done

ROLE = "arn:aws:iam::%s:role/sfn" % ACCOUNT


def run(sfn, name, states, start, execution_input=None):
    """Creates machine `name` from `states`, runs it once, returns (description, output)."""
    arn = sfn.create_state_machine(name=name, roleArn=ROLE, definition=json.dumps(
        {"StartAt": start, "States": states}))["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=arn,
                                    input=json.dumps(execution_input or {}))["executionArn"]
    d = wait_done(sfn, execution)
    assert d["status"] == "SUCCEEDED", (d.get("error"), d.get("cause"))
    return d, json.loads(d["output"]) if "output" in d else None


def task(resource, parameters, **fields):
    return dict({"Type": "Task", "Resource": resource, "Parameters": parameters}, **fields)


def catch_all(next_state):
    return [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": next_state}]


def test_dynamodb_optimized_crud_with_a_caught_condition(endpoint):
    ddb = make_client(endpoint, "dynamodb")
    sfn = make_client(endpoint, "stepfunctions")
    ddb.create_table(TableName="orders", BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])
    key = {"id": {"S.$": "$.id"}}
    states = {
        "Put": task("arn:aws:states:::dynamodb:putItem",
                    {"TableName": "orders",
                     "Item": {"id": {"S.$": "$.id"}, "qty": {"N": "3"}, "state": {"S": "new"}}},
                    ResultPath="$.put", Next="Get"),
        "Get": task("arn:aws:states:::dynamodb:getItem", {"TableName": "orders", "Key": key},
                    ResultPath="$.got", Next="Ship"),
        # The condition fails (state is "new"): caught by the optimized integration's name.
        "Ship": task("arn:aws:states:::dynamodb:updateItem",
                     {"TableName": "orders", "Key": key,
                      "UpdateExpression": "SET #s = :shipped",
                      "ConditionExpression": "#s = :paid",
                      "ExpressionAttributeNames": {"#s": "state"},
                      "ExpressionAttributeValues": {":shipped": {"S": "shipped"},
                                                    ":paid": {"S": "paid"}}},
                     ResultPath="$.ship", Next="Delete",
                     Catch=[{"ErrorEquals": ["DynamoDB.ConditionalCheckFailedException"],
                             "ResultPath": "$.refused", "Next": "Bump"}]),
        "Bump": task("arn:aws:states:::dynamodb:updateItem",
                     {"TableName": "orders", "Key": key, "UpdateExpression": "ADD qty :one",
                      "ExpressionAttributeValues": {":one": {"N": "1"}},
                      "ReturnValues": "UPDATED_NEW"},
                     ResultPath="$.bumped", Next="Delete"),
        "Delete": task("arn:aws:states:::dynamodb:deleteItem",
                       {"TableName": "orders", "Key": key, "ReturnValues": "ALL_OLD"},
                       ResultPath="$.deleted", Next="GetAgain"),
        "GetAgain": task("arn:aws:states:::dynamodb:getItem",
                         {"TableName": "orders", "Key": key}, ResultPath="$.gone", End=True),
    }
    d, out = run(sfn, "ddb-crud", states, "Put", {"id": "o-1"})
    assert d["status"] == "SUCCEEDED", d
    assert out["put"] == {}
    assert out["got"] == {"Item": {"id": {"S": "o-1"}, "qty": {"N": "3"}, "state": {"S": "new"}}}
    assert out["refused"]["Error"] == "DynamoDB.ConditionalCheckFailedException"
    assert out["refused"]["Cause"]
    assert "ship" not in out
    assert out["bumped"] == {"Attributes": {"qty": {"N": "4"}}}
    assert out["deleted"]["Attributes"]["qty"] == {"N": "4"}
    assert out["gone"] == {}
    assert "Item" not in ddb.get_item(TableName="orders", Key={"id": {"S": "o-1"}})


def test_dynamodb_error_names_and_the_sdk_integration(endpoint):
    ddb = make_client(endpoint, "dynamodb")
    sfn = make_client(endpoint, "stepfunctions")
    ddb.create_table(TableName="t", BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}])
    ddb.put_item(TableName="t", Item={"k": {"S": "a"}, "v": {"N": "1"}})
    states = {
        "Missing": task("arn:aws:states:::dynamodb:getItem",
                        {"TableName": "nope", "Key": {"k": {"S": "a"}}},
                        Catch=catch_all("Invalid"), Next="Invalid"),
        # A key of the wrong type: ValidationException, not in GetItem's modelled errors.
        "Invalid": task("arn:aws:states:::dynamodb:getItem",
                        {"TableName": "t", "Key": {"k": {"N": "1"}}},
                        ResultPath="$.invalid", Catch=[{"ErrorEquals": ["States.ALL"],
                                                        "ResultPath": "$.invalid",
                                                        "Next": "Query"}], Next="Query"),
        "Query": task("arn:aws:states:::aws-sdk:dynamodb:query",
                      {"TableName": "t", "KeyConditionExpression": "k = :k",
                       "ExpressionAttributeValues": {":k": {"S": "a"}}},
                      ResultSelector={"count.$": "$.Count", "items.$": "$.Items"},
                      ResultPath="$.query", Next="SdkMissing"),
        "SdkMissing": task("arn:aws:states:::aws-sdk:dynamodb:describeTable",
                           {"TableName": "nope"},
                           Catch=[{"ErrorEquals": ["States.ALL"], "ResultPath": "$.sdk",
                                   "Next": "Done"}], Next="Done"),
        "Done": {"Type": "Pass", "End": True},
    }
    d, out = run(sfn, "ddb-errors", states, "Missing")
    assert out["error"]["Error"] == "DynamoDB.ResourceNotFoundException"
    assert out["invalid"]["Error"] == "DynamoDB.AmazonDynamoDBException"
    assert out["query"] == {"count": 1, "items": [{"k": {"S": "a"}, "v": {"N": "1"}}]}
    assert out["sdk"]["Error"] == "DynamoDb.ResourceNotFoundException"

    # Only four actions are optimized (States.Runtime, which no Catch matches).
    arn = sfn.create_state_machine(name="ddb-refused", roleArn=ROLE, definition=json.dumps(
        {"StartAt": "Describe", "States": {"Describe": task(
            "arn:aws:states:::dynamodb:describeTable", {"TableName": "t"}, End=True)}}))[
        "stateMachineArn"]
    d = wait_done(sfn, sfn.start_execution(stateMachineArn=arn)["executionArn"])
    assert d["status"] == "FAILED" and d["error"] == "States.Runtime"
    assert "aws-sdk:dynamodb:<action>" in d["cause"]


def test_s3_through_the_sdk_integration(endpoint):
    s3 = make_client(endpoint, "s3")
    sfn = make_client(endpoint, "stepfunctions")
    s3.create_bucket(Bucket="docs")
    sdk = "arn:aws:states:::aws-sdk:s3:"
    states = {
        "PutText": task(sdk + "putObject", {"Bucket": "docs", "Key": "a.txt", "Body": "hello",
                                            "ContentType": "text/plain"},
                        ResultPath="$.put", Next="PutJson"),
        "PutJson": task(sdk + "putObject", {"Bucket": "docs", "Key": "b.json",
                                            "Body": {"n": 1, "tags.$": "$.tags"}},
                        ResultPath=None, Next="Get"),
        "Get": task(sdk + "getObject", {"Bucket": "docs", "Key": "a.txt"},
                    ResultPath="$.get", Next="GetJson"),
        "GetJson": task(sdk + "getObject", {"Bucket": "docs", "Key": "b.json"},
                        ResultSelector={"doc.$": "States.StringToJson($.Body)"},
                        ResultPath="$.json", Next="Head"),
        "Head": task(sdk + "headObject", {"Bucket": "docs", "Key": "a.txt"},
                     ResultPath="$.head", Next="Copy"),
        "Copy": task(sdk + "copyObject", {"Bucket": "docs", "Key": "c.txt",
                                          "CopySource": "docs/a.txt"},
                     ResultPath="$.copy", Next="List"),
        "List": task(sdk + "listObjectsV2", {"Bucket": "docs"},
                     ResultSelector={"keys.$": "$.Contents[*].Key", "count.$": "$.KeyCount"},
                     ResultPath="$.list", Next="Delete"),
        "Delete": task(sdk + "deleteObject", {"Bucket": "docs", "Key": "a.txt"},
                       ResultPath="$.delete", Next="GetDeleted"),
        "GetDeleted": task(sdk + "getObject", {"Bucket": "docs", "Key": "a.txt"},
                           Catch=[{"ErrorEquals": ["S3.NoSuchKeyException"],
                                   "ResultPath": "$.missing", "Next": "Done"}], Next="Done"),
        "Done": {"Type": "Pass", "End": True},
    }
    d, out = run(sfn, "s3-sdk", states, "PutText", {"tags": ["x", "y"]})
    assert d["status"] == "SUCCEEDED", d
    assert out["put"]["ETag"] == s3.head_object(Bucket="docs", Key="c.txt")["ETag"]
    assert out["get"]["Body"] == "hello"
    assert out["get"]["ContentType"] == "text/plain"
    assert out["get"]["ContentLength"] == 5
    assert out["json"] == {"doc": {"n": 1, "tags": ["x", "y"]}}
    assert out["head"]["ContentLength"] == 5 and "Body" not in out["head"]
    assert out["copy"]["CopyObjectResult"]["ETag"] == out["put"]["ETag"]
    assert out["list"] == {"keys": ["a.txt", "b.json", "c.txt"], "count": 3}
    assert out["missing"]["Error"] == "S3.NoSuchKeyException"
    assert s3.get_object(Bucket="docs", Key="c.txt")["Body"].read() == b"hello"
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="docs")["Contents"]]
    assert keys == ["b.json", "c.txt"]

    # A missing required member is refused before S3 sees it; a missing bucket is S3's error.
    states = {
        "NoKey": task(sdk + "getObject", {"Bucket": "docs"},
                      Catch=catch_all("NoBucket"), Next="NoBucket"),
        "NoBucket": task(sdk + "putObject", {"Bucket": "absent", "Key": "k", "Body": "x"},
                         Catch=[{"ErrorEquals": ["States.ALL"], "ResultPath": "$.bucket",
                                 "Next": "Done"}], Next="Done"),
        "Done": {"Type": "Pass", "End": True},
    }
    d, out = run(sfn, "s3-errors", states, "NoKey")
    assert d["status"] == "SUCCEEDED", d
    assert out["error"]["Error"] == "S3.ValidationException"
    assert out["bucket"]["Error"] == "S3.NoSuchBucketException"


ECHO = textwrap.dedent("""
    def handler(event, context):
        if event.get("fail"):
            raise ValueError("asked to fail")
        return {"echo": event}
""")


def test_lambda_through_the_sdk_integration(endpoint):
    lam = make_client(endpoint, "lambda", read_timeout=60)
    sfn = make_client(endpoint, "stepfunctions")
    lam.create_function(FunctionName="echo", Runtime="python3.12", Role=ROLE,
                        Handler="app.handler", Timeout=30,
                        Code={"ZipFile": zip_one("app.py", ECHO)})
    lam.get_waiter("function_active_v2").wait(FunctionName="echo",
                                              WaiterConfig={"Delay": 0.1, "MaxAttempts": 50})
    sdk = "arn:aws:states:::aws-sdk:lambda:"
    states = {
        "Invoke": task(sdk + "invoke", {"FunctionName": "echo", "Payload": {"n.$": "$.n"}},
                       ResultPath="$.invoke", Next="InvokeText"),
        "InvokeText": task(sdk + "invoke", {"FunctionName": "echo", "Payload": "{\"n\": 2}"},
                           ResultSelector={"echo.$": "States.StringToJson($.Payload)"},
                           ResultPath="$.text", Next="Unhandled"),
        # The SDK integration does not fail on a function error: FunctionError says it.
        "Unhandled": task(sdk + "invoke", {"FunctionName": "echo", "Payload": {"fail": True}},
                          ResultPath="$.unhandled", Next="Event"),
        "Event": task(sdk + "invoke", {"FunctionName": "echo", "InvocationType": "Event",
                                       "Payload": {}},
                      ResultPath="$.event", Next="Get"),
        "Get": task(sdk + "getFunction", {"FunctionName": "echo"},
                    ResultSelector={"name.$": "$.Configuration.FunctionName",
                                    "runtime.$": "$.Configuration.Runtime"},
                    ResultPath="$.get", Next="Missing"),
        "Missing": task(sdk + "invoke", {"FunctionName": "absent"},
                        Catch=[{"ErrorEquals": ["Lambda.ResourceNotFoundException"],
                                "ResultPath": "$.missing", "Next": "Done"}], Next="Done"),
        "Done": {"Type": "Pass", "End": True},
    }
    d, out = run(sfn, "lambda-sdk", states, "Invoke", {"n": 1})
    assert d["status"] == "SUCCEEDED", d
    invoke = out["invoke"]
    assert isinstance(invoke["Payload"], str)
    assert json.loads(invoke["Payload"]) == {"echo": {"n": 1}}
    assert invoke["StatusCode"] == 200 and invoke["ExecutedVersion"] == "$LATEST"
    assert "FunctionError" not in invoke
    assert out["text"] == {"echo": {"echo": {"n": 2}}}
    assert out["unhandled"]["FunctionError"] == "Unhandled"
    assert json.loads(out["unhandled"]["Payload"])["errorType"] == "ValueError"
    assert out["event"]["StatusCode"] == 202
    assert out["get"] == {"name": "echo", "runtime": "python3.12"}
    assert out["missing"]["Error"] == "Lambda.ResourceNotFoundException"
