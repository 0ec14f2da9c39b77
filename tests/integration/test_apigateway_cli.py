"""The aws CLI against API Gateway: create-rest-api, resources, a MOCK method, a deployment,
get-rest-apis and get-stages, and an error as the CLI prints it; the API answered with curl."""

import json
import re
import subprocess
import urllib.parse

import pytest

from cli_helpers import aws_cli_runner


@pytest.fixture
def aws(endpoint, tmp_path):
    return aws_cli_runner(endpoint, tmp_path)


def test_cli_walkthrough(aws, endpoint):
    api = aws("apigateway", "create-rest-api", "--name", "cli-api")
    api_id = api["id"]
    root = aws("apigateway", "get-resources", "--rest-api-id", api_id)["items"][0]["id"]
    res = aws("apigateway", "create-resource", "--rest-api-id", api_id, "--parent-id", root,
              "--path-part", "ping")
    aws("apigateway", "put-method", "--rest-api-id", api_id, "--resource-id", res["id"],
        "--http-method", "GET", "--authorization-type", "NONE")
    aws("apigateway", "put-integration", "--rest-api-id", api_id, "--resource-id", res["id"],
        "--http-method", "GET", "--type", "MOCK", "--request-templates",
        '{"application/json": "{\\"statusCode\\": 200}"}')
    aws("apigateway", "put-method-response", "--rest-api-id", api_id, "--resource-id",
        res["id"], "--http-method", "GET", "--status-code", "200")
    aws("apigateway", "put-integration-response", "--rest-api-id", api_id, "--resource-id",
        res["id"], "--http-method", "GET", "--status-code", "200", "--response-templates",
        '{"application/json": "{\\"pong\\": true}"}')
    aws("apigateway", "create-deployment", "--rest-api-id", api_id, "--stage-name", "prod")

    apis = aws("apigateway", "get-rest-apis")["items"]
    assert [a["name"] for a in apis] == ["cli-api"]
    stages = aws("apigateway", "get-stages", "--rest-api-id", api_id)["item"]
    assert [s["stageName"] for s in stages] == ["prod"]

    url = "%s/restapis/%s/prod/_user_request_/ping" % (endpoint, api_id)
    out = subprocess.run(["curl", "-s", "-i", url], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0
    head, _, body = out.stdout.partition("\n\n")  # text mode: CRLF read as LF
    assert head.startswith("HTTP/1.1 200")
    assert re.search(r"(?im)^x-amzn-requestid: [0-9a-f-]{36}", head)
    assert json.loads(body) == {"pong": True}
    port = urllib.parse.urlparse(endpoint).port
    out = subprocess.run(["curl", "-sS", "-H", "Host: %s.execute-api.localhost:%d" % (api_id, port),
                          "%s/prod/ping" % endpoint], capture_output=True, text=True, timeout=30)
    assert json.loads(out.stdout) == {"pong": True}, (out.stdout, out.stderr)

    proc = aws("apigateway", "get-rest-api", "--rest-api-id", "nope", check=False)
    assert proc.returncode != 0
    assert "NotFoundException" in proc.stderr


def test_cli_http_api_cors_and_authorizer(aws, endpoint):
    """HTTP API CORS and a JWT authorizer through the CLI's apigatewayv2 shapes; the preflight
    answered by the gateway (AWS: 204 with the Access-Control-Allow-* headers) seen by curl."""
    api = aws("apigatewayv2", "create-api", "--name", "cli-http", "--protocol-type", "HTTP",
              "--target", "arn:aws:lambda:us-east-1:000000000000:function:none",
              "--cors-configuration", "AllowOrigins=https://a.example,AllowMethods=GET,MaxAge=60")
    api_id = api["ApiId"]
    assert api["CorsConfiguration"] == {"AllowOrigins": ["https://a.example"],
                                        "AllowMethods": ["GET"], "MaxAge": 60}
    auth = aws("apigatewayv2", "create-authorizer", "--api-id", api_id, "--name", "jwt",
               "--authorizer-type", "JWT", "--identity-source", "$request.header.Authorization",
               "--jwt-configuration", "Audience=app,Issuer=http://127.0.0.1:9/issuer")
    listed = aws("apigatewayv2", "get-authorizers", "--api-id", api_id)["Items"]
    assert [(a["AuthorizerId"], a["JwtConfiguration"]["Audience"]) for a in listed] == \
        [(auth["AuthorizerId"], ["app"])]
    out = subprocess.run(["curl", "-s", "-i", "-X", "OPTIONS", "-H", "Origin: https://a.example",
                          "-H", "Access-Control-Request-Method: GET",
                          "%s/restapis/%s/$default/_user_request_/x" % (endpoint, api_id)],
                         capture_output=True, text=True, timeout=30)
    head = out.stdout.partition("\n\n")[0]
    assert head.startswith("HTTP/1.1 204"), out.stdout
    assert re.search(r"(?im)^access-control-allow-origin: https://a\.example", head)
    assert re.search(r"(?im)^access-control-max-age: 60", head)
    aws("apigatewayv2", "delete-cors-configuration", "--api-id", api_id)
    assert "CorsConfiguration" not in aws("apigatewayv2", "get-api", "--api-id", api_id)
