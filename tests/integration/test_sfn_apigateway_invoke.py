"""arn:aws:states:::apigateway:invoke with boto3: a Task calls a deployed REST API of this
server in-process, as AWS's optimized API Gateway integration calls an API endpoint.

AWS's contract ("Call API Gateway with Step Functions"): parameters ApiEndpoint, Method,
Stage, Path, QueryParameters and Headers (maps of string lists), RequestBody, AuthType; the
result has Headers, ResponseBody (JSON parsed), StatusCode and StatusText; an HTTP error
status fails the Task with "ApiGateway.<status code>"."""

import json
import time

from apigateway_helpers import build_mock_api, build_proxy_api, create_echo_function
from harness import ACCOUNT, make_client
from sfn_helpers import wait_done

ROLE = "arn:aws:iam::%s:role/sfn" % ACCOUNT


def run(sfn, name, parameters, status="SUCCEEDED"):
    definition = {"StartAt": "Call", "States": {
        "Call": {"Type": "Task", "Resource": "arn:aws:states:::apigateway:invoke",
                 "Parameters": parameters, "End": True,
                 "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}]},
        "Caught": {"Type": "Pass", "End": True}}}
    arn = sfn.create_state_machine(name=name, roleArn=ROLE,
                                   definition=json.dumps(definition))["stateMachineArn"]
    d = wait_done(sfn, sfn.start_execution(stateMachineArn=arn, input="{}")["executionArn"])
    assert d["status"] == status, d
    return json.loads(d["output"]) if status == "SUCCEEDED" else d


def test_a_task_calls_a_deployed_rest_api(endpoint):
    sfn = make_client(endpoint, "stepfunctions")
    api_id = build_mock_api(make_client(endpoint, "apigateway"), name="sfn-invoke")
    host = "%s.execute-api.us-east-1.amazonaws.com" % api_id
    out = run(sfn, "apigw-ok", {"ApiEndpoint": host, "Method": "GET", "Stage": "dev",
                                "Path": "/hello", "QueryParameters": {"q": ["a b"]},
                                "Headers": {"X-Trace": ["1"]}, "AuthType": "NO_AUTH"})
    assert out["StatusCode"] == 200 and out["StatusText"] == "OK"
    assert out["ResponseBody"] == {"hello": "world"}
    headers = {k.lower(): v for k, v in out["Headers"].items()}
    assert headers["x-mock"] == ["yes"]
    missing = run(sfn, "apigw-404", {"ApiEndpoint": host, "Method": "GET", "Stage": "dev",
                                     "Path": "/nowhere"})
    # An undefined resource: API Gateway answers 403 (Missing Authentication Token).
    assert missing["Error"] == "ApiGateway.403", missing
    assert "Missing Authentication Token" in missing["Cause"]
    # Not signed by tidepool: refused (States.Runtime, which States.ALL does not catch).
    iam = run(sfn, "apigw-iam", {"ApiEndpoint": host, "Method": "GET", "Stage": "dev",
                                 "Path": "/hello", "AuthType": "IAM_ROLE"}, status="FAILED")
    assert iam["error"] == "States.Runtime" and "IAM_ROLE" in iam["cause"]


def test_wait_for_task_token_calls_then_waits(endpoint):
    sfn = make_client(endpoint, "stepfunctions")
    api_id = build_mock_api(make_client(endpoint, "apigateway"), name="sfn-invoke-token")
    definition = {"StartAt": "Call", "States": {"Call": {
        "Type": "Task", "Resource": "arn:aws:states:::apigateway:invoke.waitForTaskToken",
        "Parameters": {"ApiEndpoint": "%s.execute-api.us-east-1.amazonaws.com" % api_id,
                       "Method": "GET", "Stage": "dev", "Path": "/hello",
                       "Headers": {"TaskToken.$": "States.Array($$.Task.Token)"}},
        "End": True}}}
    arn = sfn.create_state_machine(name="apigw-token", roleArn=ROLE,
                                   definition=json.dumps(definition))["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=arn, input="{}")["executionArn"]
    token = None
    for _ in range(200):
        for e in sfn.get_execution_history(executionArn=execution)["events"]:
            if e["type"] == "TaskSubmitted":
                scheduled = [x for x in sfn.get_execution_history(executionArn=execution)[
                    "events"] if x["type"] == "TaskScheduled"][0]
                params = json.loads(scheduled["taskScheduledEventDetails"]["parameters"])
                token = params["Headers"]["TaskToken"][0]
        if token:
            break
        time.sleep(0.02)
    assert token, "the call was not submitted"
    sfn.send_task_success(taskToken=token, output='{"approved": true}')
    d = wait_done(sfn, execution)
    assert d["status"] == "SUCCEEDED" and json.loads(d["output"]) == {"approved": True}


def test_a_proxy_integration_sees_the_request(endpoint):
    sfn = make_client(endpoint, "stepfunctions")
    fn = create_echo_function(make_client(endpoint, "lambda"), name="sfn-apigw-echo")
    api_id = build_proxy_api(make_client(endpoint, "apigateway"), fn, name="sfn-invoke-proxy")
    params = {"ApiEndpoint": "%s.execute-api.us-east-1.amazonaws.com" % api_id,
              "Method": "POST", "Stage": "dev", "Path": "orders/7",
              "QueryParameters": {"tag": ["a", "b c"]}, "Headers": {"X-One": ["1"]},
              "RequestBody": {"keep": 1, "drop": None, "inner": {"gone": None, "x": "y"}}}
    out = run(sfn, "apigw-proxy", params)
    assert out["StatusCode"] == 200 and out["ResponseBody"]["fn"] == "sfn-apigw-echo"
    event = out["ResponseBody"]["event"]
    assert event["httpMethod"] == "POST" and event["path"] == "/orders/7"
    assert event["multiValueQueryStringParameters"]["tag"] == ["a", "b c"]
    assert event["headers"]["X-One"] == "1"
    # Without AllowNullValues the nulls are left out of the body; with it they are sent.
    assert json.loads(event["body"]) == {"keep": 1, "inner": {"x": "y"}}
    kept = run(sfn, "apigw-proxy-nulls", dict(params, AllowNullValues=True))
    assert json.loads(kept["ResponseBody"]["event"]["body"]) == params["RequestBody"]
