"""API Gateway access logging with boto3: a stage's accessLogSettings (set with UpdateStage
patch operations, as the console and the CLI do) write one line per request, in the stage's
format with $context variables, to a CloudWatch Logs group; errors are logged too; a bad ARN
is refused; removing the settings stops the lines."""

import json
import time

import botocore.exceptions
import pytest

from apigateway_helpers import build_mock_api, invoke_path, request
from harness import ACCOUNT, REGION, make_client

FORMAT = json.dumps({"requestId": "$context.requestId", "ip": "$context.identity.sourceIp",
                     "method": "$context.httpMethod", "resourcePath": "$context.resourcePath",
                     "status": "$context.status", "length": "$context.responseLength",
                     "stage": "$context.stage", "error": "$context.error.message"})


def lines(logs, group, want, timeout=10):
    deadline = time.time() + timeout
    events = []
    while time.time() < deadline:
        events = logs.filter_log_events(logGroupName=group).get("events", [])
        if len(events) >= want:
            break
        time.sleep(0.2)
    return events


def test_access_logs_reach_cloudwatch_logs(endpoint):
    apigw = make_client(endpoint, service="apigateway")
    logs = make_client(endpoint, service="logs")
    api_id = build_mock_api(apigw, name="logged")
    group = "API-Gateway-Access-Logs_" + api_id
    logs.create_log_group(logGroupName=group)
    arn = "arn:aws:logs:%s:%s:log-group:%s" % (REGION, ACCOUNT, group)

    with pytest.raises(botocore.exceptions.ClientError) as e:
        apigw.update_stage(restApiId=api_id, stageName="dev", patchOperations=[
            {"op": "replace", "path": "/accessLogSettings/destinationArn",
             "value": "arn:aws:s3:::bucket"},
            {"op": "replace", "path": "/accessLogSettings/format", "value": FORMAT}])
    assert e.value.response["Error"]["Code"] == "BadRequestException"

    stage = apigw.update_stage(restApiId=api_id, stageName="dev", patchOperations=[
        {"op": "replace", "path": "/accessLogSettings/destinationArn", "value": arn},
        {"op": "replace", "path": "/accessLogSettings/format", "value": FORMAT}])
    assert stage["accessLogSettings"] == {"destinationArn": arn, "format": FORMAT}

    status, h, _ = request(endpoint, "GET", invoke_path(api_id, "dev", "/hello"),
                           headers={"X-Forwarded-For": "203.0.113.9"})
    assert status == 200
    status, _, _ = request(endpoint, "GET", invoke_path(api_id, "dev", "/nowhere"))
    assert status == 403
    events = lines(logs, group, 2)
    assert len(events) == 2, events
    first, second = (json.loads(e["message"]) for e in events)
    assert first == {"requestId": h["x-amzn-requestid"], "ip": "203.0.113.9", "method": "GET",
                     "resourcePath": "/hello", "status": "200",
                     "length": str(len(json.dumps({"hello": "world"}))), "stage": "dev",
                     "error": ""}
    assert second["status"] == "403" and second["error"] == "Missing Authentication Token"
    streams = logs.describe_log_streams(logGroupName=group)["logStreams"]
    assert [s["logStreamName"] for s in streams] == [api_id + "_dev"]

    apigw.update_stage(restApiId=api_id, stageName="dev", patchOperations=[
        {"op": "remove", "path": "/accessLogSettings"}])
    assert request(endpoint, "GET", invoke_path(api_id, "dev", "/hello"))[0] == 200
    time.sleep(0.5)
    assert len(lines(logs, group, 3, timeout=1)) == 2


def test_http_api_access_logs(endpoint):
    v2 = make_client(endpoint, service="apigatewayv2")
    logs = make_client(endpoint, service="logs")
    fn = "arn:aws:lambda:%s:%s:function:none" % (REGION, ACCOUNT)
    api = v2.create_api(Name="logged-http", ProtocolType="HTTP")
    target = v2.create_integration(ApiId=api["ApiId"], IntegrationType="AWS_PROXY",
                                   IntegrationUri=fn, PayloadFormatVersion="2.0")
    v2.create_route(ApiId=api["ApiId"], RouteKey="GET /ping",
                    Target="integrations/" + target["IntegrationId"])
    group = "http-access"
    arn = "arn:aws:logs:%s:%s:log-group:%s:*" % (REGION, ACCOUNT, group)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        v2.create_stage(ApiId=api["ApiId"], StageName="$default", AutoDeploy=True,
                        AccessLogSettings={"DestinationArn": "nope", "Format": FORMAT})
    assert e.value.response["Error"]["Code"] == "BadRequestException"
    v2.create_stage(ApiId=api["ApiId"], StageName="$default", AutoDeploy=True,
                    AccessLogSettings={"DestinationArn": arn, "Format": FORMAT})
    status, h, _ = request(endpoint, "GET", "/ping", host="%s.execute-api.localhost" % api["ApiId"])
    assert status == 500  # the function does not exist: still logged
    events = lines(logs, group, 1)
    assert len(events) == 1, events
    line = json.loads(events[0]["message"])
    assert line["requestId"] == h["x-amzn-requestid"] and line["status"] == "500"
    assert line["method"] == "GET" and line["stage"] == "$default"
