"""API Gateway OpenAPI import with boto3: ImportRestApi from an OpenAPI 3.0 JSON document with
x-amazon-apigateway-integration (MOCK and AWS_PROXY), an API key requirement, binary media
types; PutRestApi in merge and overwrite modes; what is not imported is refused."""

import json

import botocore.exceptions
import pytest

from apigateway_helpers import body_json, create_echo_function, invoke_path, lambda_uri, request
from harness import make_client


@pytest.fixture
def clients(endpoint):
    def client(service, **config):
        return make_client(endpoint, service=service, access_key="000000000000", **config)
    return client


def definition(function_arn):
    return {
        "openapi": "3.0.1",
        "info": {"title": "imported", "version": "1.2", "description": "from OpenAPI"},
        "x-amazon-apigateway-binary-media-types": ["image/png"],
        "components": {"securitySchemes": {
            "api_key": {"type": "apiKey", "name": "x-api-key", "in": "header"}}},
        "paths": {
            "/pets/{petId}": {
                "get": {
                    "operationId": "getPet",
                    "parameters": [{"name": "petId", "in": "path", "required": True}],
                    "responses": {"200": {"description": "ok",
                                          "headers": {"X-Kind": {"schema": {"type": "string"}}}}},
                    "x-amazon-apigateway-integration": {
                        "type": "mock",
                        "requestTemplates": {"application/json": "{\"statusCode\": 200}"},
                        "responses": {"default": {
                            "statusCode": "200",
                            "responseParameters": {"method.response.header.X-Kind": "'pet'"},
                            "responseTemplates": {"application/json":
                                                  "{\"id\": \"$input.params('petId')\"}"}}}},
                },
                "post": {
                    "security": [{"api_key": []}],
                    "x-amazon-apigateway-integration": {
                        "type": "aws_proxy", "httpMethod": "POST",
                        "uri": lambda_uri(function_arn)},
                },
            },
        },
    }


def test_import_deploy_invoke_and_put(clients, endpoint):
    apigw, lam = clients("apigateway"), clients("lambda", read_timeout=60)
    fn = create_echo_function(lam)
    api = apigw.import_rest_api(body=json.dumps(definition(fn)).encode())
    api_id = api["id"]
    assert api["name"] == "imported" and api["version"] == "1.2"
    assert api["binaryMediaTypes"] == ["image/png"]
    resources = {r["path"]: r for r in apigw.get_resources(restApiId=api_id,
                                                          embed=["methods"])["items"]}
    assert set(resources) == {"/", "/pets", "/pets/{petId}"}
    post = resources["/pets/{petId}"]["resourceMethods"]["POST"]
    assert post["apiKeyRequired"] is True
    assert post["methodIntegration"]["type"] == "AWS_PROXY"
    get = resources["/pets/{petId}"]["resourceMethods"]["GET"]
    assert get["operationName"] == "getPet"
    assert get["requestParameters"] == {"method.request.path.petId": True}

    apigw.create_deployment(restApiId=api_id, stageName="v1")
    status, headers, body = request(endpoint, "GET", invoke_path(api_id, "v1", "/pets/9"))
    assert (status, body_json(body), headers["x-kind"]) == (200, {"id": "9"}, "pet")
    assert request(endpoint, "POST", invoke_path(api_id, "v1", "/pets/9"))[0] == 403

    # merge adds a path and keeps the rest; overwrite replaces every resource.
    extra = {"openapi": "3.0.1", "info": {"title": "extra"}, "paths": {"/owners": {"get": {
        "x-amazon-apigateway-integration": {"type": "mock", "responses": {
            "default": {"statusCode": "200"}}}}}}}
    apigw.put_rest_api(restApiId=api_id, mode="merge", body=json.dumps(extra).encode())
    paths = {r["path"] for r in apigw.get_resources(restApiId=api_id)["items"]}
    assert paths == {"/", "/pets", "/pets/{petId}", "/owners"}
    updated = apigw.put_rest_api(restApiId=api_id, mode="overwrite",
                                 body=json.dumps(extra).encode())
    assert updated["name"] == "extra"
    paths = {r["path"] for r in apigw.get_resources(restApiId=api_id)["items"]}
    assert paths == {"/", "/owners"}


def test_import_refusals(clients):
    apigw = clients("apigateway")
    for body, word in ((b"openapi: 3.0.1\ninfo:\n  title: [x\n", "YAML"),
                       (json.dumps({"openapi": "3.0.1", "info": {"title": "x"},
                                    "x-amazon-apigateway-policy": {}}).encode(), "policy"),
                       (json.dumps({"openapi": "3.0.1", "info": {"title": "x"}, "paths": {
                           "/a": {"get": {"x-amazon-apigateway-integration": {
                               "type": "http", "httpMethod": "GET",
                               "uri": "ftp://example.com"}}}}}).encode(), "HTTP"),
                       (b"{not json", "JSON")):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            apigw.import_rest_api(body=body)
        assert e.value.response["Error"]["Code"] == "BadRequestException"
        assert word in e.value.response["Error"]["Message"], e.value.response["Error"]
    assert apigw.get_rest_apis()["items"] == []
