"""API Gateway GetExport with boto3 and the aws CLI: a deployed stage as OpenAPI 3.0 and
Swagger 2.0 JSON (paths, parameters, request models, responses, API key security, models,
x-amazon-apigateway-integration and request validators), imported back into an API that
answers and validates the same; what is not exported (authorizers, postman) is refused."""

import json

import botocore.exceptions
import pytest

from apigateway_helpers import body_json, invoke_path, put_mock_method, request
from cli_helpers import aws_cli_runner
from harness import make_client


@pytest.fixture
def apigw(endpoint):
    return make_client(endpoint, service="apigateway", access_key="000000000000")


def build_api(apigw):
    api = apigw.create_rest_api(name="exported", description="to export", version="2.1")
    api_id = api["id"]
    pets = apigw.create_resource(restApiId=api_id, parentId=api["rootResourceId"],
                                 pathPart="pets")["id"]
    pet = apigw.create_resource(restApiId=api_id, parentId=pets, pathPart="{petId}")["id"]
    apigw.create_model(restApiId=api_id, name="Pet", contentType="application/json",
                       schema=json.dumps({"type": "object", "required": ["name"],
                                          "properties": {"name": {"type": "string"}}}))
    validator = apigw.create_request_validator(restApiId=api_id, name="body",
                                               validateRequestBody=True)["id"]
    put_mock_method(apigw, api_id, pet, "PUT", '{"saved": "$input.params(\'petId\')"}',
                    headers={"X-Pet": "'yes'"}, apiKeyRequired=True, operationName="putPet",
                    requestValidatorId=validator, requestModels={"application/json": "Pet"},
                    requestParameters={"method.request.path.petId": True,
                                       "method.request.querystring.dry": False})
    put_mock_method(apigw, api_id, pets, "GET", "[]")
    apigw.create_deployment(restApiId=api_id, stageName="prod")
    return api_id


def test_export_oas30_and_import_back(apigw, endpoint):
    api_id = build_api(apigw)
    out = apigw.get_export(restApiId=api_id, stageName="prod", exportType="oas30",
                           parameters={"extensions": "apigateway"}, accepts="application/json")
    assert out["contentType"] == "application/json"
    assert "attachment" in out["contentDisposition"]
    doc = json.loads(out["body"].read())
    assert doc["openapi"].startswith("3.0")
    assert doc["info"] == {"title": "exported", "description": "to export", "version": "2.1"}
    assert doc["servers"][0]["variables"]["basePath"]["default"] == "prod"
    assert set(doc["paths"]) == {"/pets", "/pets/{petId}"}
    put = doc["paths"]["/pets/{petId}"]["put"]
    assert put["operationId"] == "putPet"
    params = {(p["name"], p["in"]): p["required"] for p in put["parameters"]}
    assert params == {("petId", "path"): True, ("dry", "query"): False}
    assert put["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Pet"}
    assert put["responses"]["200"]["headers"] == {"X-Pet": {"schema": {"type": "string"}}}
    assert put["security"] == [{"api_key": []}]
    assert put["x-amazon-apigateway-request-validator"] == "body"
    integration = put["x-amazon-apigateway-integration"]
    assert integration["type"] == "mock"
    assert integration["responses"]["default"]["statusCode"] == "200"
    assert doc["components"]["schemas"]["Pet"]["required"] == ["name"]
    assert doc["components"]["securitySchemes"]["api_key"]["name"] == "x-api-key"
    assert doc["x-amazon-apigateway-request-validators"] == {
        "body": {"validateRequestBody": True, "validateRequestParameters": False}}

    # The export imports into an API that answers and validates as the original.
    copy = apigw.import_rest_api(body=json.dumps(doc).encode())
    assert copy["name"] == "exported"
    paths = {r["path"] for r in apigw.get_resources(restApiId=copy["id"])["items"]}
    assert paths == {"/", "/pets", "/pets/{petId}"}
    models = {m["name"] for m in apigw.get_models(restApiId=copy["id"])["items"]}
    assert models == {"Empty", "Error", "Pet"}
    validators = apigw.get_request_validators(restApiId=copy["id"])["items"]
    assert [(v["name"], v["validateRequestBody"]) for v in validators] == [("body", True)]
    apigw.create_deployment(restApiId=copy["id"], stageName="prod")
    status, h, data = request(endpoint, "GET", invoke_path(copy["id"], "prod", "/pets"))
    assert (status, body_json(data)) == (200, [])
    put = invoke_path(copy["id"], "prod", "/pets/1")
    assert request(endpoint, "PUT", put, "{}")[0] == 403
    key = apigw.create_api_key(name="copy", enabled=True)
    plan = apigw.create_usage_plan(name="copy", apiStages=[{"apiId": copy["id"],
                                                            "stage": "prod"}])
    apigw.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"], keyType="API_KEY")
    hdrs = {"x-api-key": key["value"], "Content-Type": "application/json"}
    status, dh, data = request(endpoint, "PUT", put, "{}", hdrs)
    assert data.startswith(b"{"), (status, dh, data)
    assert (status, body_json(data)) == (400, {"message": "Invalid request body"})
    status, h, data = request(endpoint, "PUT", put, '{"name": "rex"}', hdrs)
    assert (status, body_json(data), h["x-pet"]) == (200, {"saved": "1"}, "yes")


def test_export_swagger_with_the_cli(apigw, endpoint, tmp_path):
    api_id = build_api(apigw)
    aws = aws_cli_runner(endpoint, tmp_path)
    target = tmp_path / "swagger.json"
    meta = aws("apigateway", "get-export", "--rest-api-id", api_id, "--stage-name", "prod",
               "--export-type", "swagger", str(target))
    assert meta["contentType"] == "application/json"
    doc = json.loads(target.read_text())
    assert doc["swagger"] == "2.0" and doc["basePath"] == "/prod"
    assert doc["host"].startswith(api_id + ".execute-api.")
    put = doc["paths"]["/pets/{petId}"]["put"]
    body = [p for p in put["parameters"] if p["in"] == "body"]
    assert body == [{"in": "body", "name": "Pet", "required": True,
                     "schema": {"$ref": "#/definitions/Pet"}}]
    assert "x-amazon-apigateway-integration" not in put
    assert doc["definitions"]["Pet"]["properties"] == {"name": {"type": "string"}}
    assert doc["securityDefinitions"]["api_key"]["in"] == "header"


def test_export_refusals(apigw):
    api_id = build_api(apigw)
    for kwargs in ({"exportType": "oas30", "accepts": "text/plain"},
                   {"exportType": "postman"},
                   {"exportType": "oas30", "parameters": {"extensions": "authorizers"}}):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            apigw.get_export(restApiId=api_id, stageName="prod", **kwargs)
        assert e.value.response["Error"]["Code"] == "BadRequestException"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        apigw.get_export(restApiId=api_id, stageName="nope", exportType="oas30")
    assert e.value.response["Error"]["Code"] == "NotFoundException"
