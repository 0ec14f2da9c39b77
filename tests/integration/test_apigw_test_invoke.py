"""TestInvokeMethod with boto3 and the aws CLI: a method as it is now (no deployment needed)
called with a path, query, headers, body and stage variables; a MOCK integration's mapped
answer and an AWS_PROXY function's event; authorization skipped as AWS's test invoke does."""

import json

import botocore.exceptions
import pytest

from apigateway_helpers import build_mock_api, create_echo_function, lambda_uri
from cli_helpers import aws_cli_runner
from harness import make_client


@pytest.fixture
def clients(endpoint):
    def client(service, **config):
        return make_client(endpoint, service=service, access_key="000000000000", **config)
    return client


def test_mock_method(clients, endpoint, tmp_path):
    apigw = clients("apigateway")
    api_id = build_mock_api(apigw, name="test-invoke")
    hello = next(r["id"] for r in apigw.get_resources(restApiId=api_id)["items"]
                 if r["path"] == "/hello")
    out = apigw.test_invoke_method(restApiId=api_id, resourceId=hello, httpMethod="GET")
    assert out["status"] == 200
    assert json.loads(out["body"]) == {"hello": "world"}
    assert out["headers"]["X-Mock"] == "yes"
    assert out["multiValueHeaders"]["X-Mock"] == ["yes"]
    assert out["latency"] >= 0 and "Method completed with status: 200" in out["log"]

    run = aws_cli_runner(endpoint, tmp_path)
    cli = run("apigateway", "test-invoke-method", "--rest-api-id", api_id, "--resource-id",
              hello, "--http-method", "GET")
    assert cli["status"] == 200 and json.loads(cli["body"]) == {"hello": "world"}

    for kw, code in [({"resourceId": "nope00", "httpMethod": "GET"}, "NotFoundException"),
                     ({"resourceId": hello, "httpMethod": "POST"}, "NotFoundException")]:
        with pytest.raises(botocore.exceptions.ClientError) as e:
            apigw.test_invoke_method(restApiId=api_id, **kw)
        assert e.value.response["Error"]["Code"] == code


def test_proxy_method_without_deployment_or_authorizer(clients):
    apigw, lam = clients("apigateway"), clients("lambda", read_timeout=60)
    echo = create_echo_function(lam)
    api = apigw.create_rest_api(name="test-invoke-proxy")
    item = apigw.create_resource(restApiId=api["id"], parentId=api["rootResourceId"],
                                 pathPart="{id}")["id"]
    apigw.put_method(restApiId=api["id"], resourceId=item, httpMethod="POST",
                     authorizationType="AWS_IAM", apiKeyRequired=True)
    apigw.put_integration(restApiId=api["id"], resourceId=item, httpMethod="POST",
                          type="AWS_PROXY", integrationHttpMethod="POST", uri=lambda_uri(echo))
    out = apigw.test_invoke_method(
        restApiId=api["id"], resourceId=item, httpMethod="POST",
        pathWithQueryString="/42?color=red", body='{"x": 1}',
        headers={"Content-Type": "application/json"}, stageVariables={"env": "test"})
    assert out["status"] == 200, out
    assert out["headers"]["X-Fn"] == "echo"
    assert out["multiValueHeaders"]["X-Multi"] == ["a", "b"]
    event = json.loads(out["body"])["event"]
    assert event["path"] == "/42"
    assert event["resource"] == "/{id}"
    assert event["pathParameters"] == {"id": "42"}
    assert event["queryStringParameters"] == {"color": "red"}
    assert event["stageVariables"] == {"env": "test"}
    assert event["body"] == '{"x": 1}'
    assert event["requestContext"]["stage"] == "test-invoke-stage"
