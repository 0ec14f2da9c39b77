"""API Gateway models, request validators and gateway responses with boto3 and the aws CLI:
the management API (Create/Get/Update/Delete, the default Empty and Error models, references
that must exist), invoke-time validation (400 Missing required request parameters / Invalid
request body against a JSON Schema draft 4 model) and gateway responses customizing the
errors API Gateway itself answers (status, headers, templates), once deployed."""

import json

import botocore.exceptions
import pytest

from apigateway_helpers import body_json, invoke_path, put_mock_method, request
from cli_helpers import aws_cli_runner
from harness import make_client

PET_SCHEMA = {
    "$schema": "http://json-schema.org/draft-04/schema#",
    "type": "object",
    "required": ["name", "kind"],
    "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 20, "pattern": "^[A-Za-z]"},
        "kind": {"enum": ["cat", "dog"]},
        "age": {"type": "integer", "minimum": 0, "maximum": 40},
        "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 3},
    },
    "additionalProperties": False,
}


@pytest.fixture
def apigw(endpoint):
    return make_client(endpoint, service="apigateway", access_key="000000000000")


def error_code(excinfo):
    return excinfo.value.response["Error"]["Code"]


def validated_api(apigw):
    """POST /pets/{petId} (MOCK, echoing 200) requiring header X-Trace and query `mode`, with
    the Pet model for application/json, behind a validator of both; deployed to `dev`.
    Returns (api id, resource id, validator id)."""
    api = apigw.create_rest_api(name="validated")
    api_id = api["id"]
    pets = apigw.create_resource(restApiId=api_id, parentId=api["rootResourceId"],
                                 pathPart="pets")["id"]
    pet = apigw.create_resource(restApiId=api_id, parentId=pets, pathPart="{petId}")["id"]
    apigw.create_model(restApiId=api_id, name="Pet", contentType="application/json",
                       schema=json.dumps(PET_SCHEMA))
    validator = apigw.create_request_validator(restApiId=api_id, name="all",
                                               validateRequestBody=True,
                                               validateRequestParameters=True)["id"]
    put_mock_method(apigw, api_id, pet, "POST", '{"ok": true}', requestValidatorId=validator,
                    requestModels={"application/json": "Pet"},
                    requestParameters={"method.request.header.X-Trace": True,
                                       "method.request.querystring.mode": True,
                                       "method.request.querystring.optional": False,
                                       "method.request.path.petId": True})
    apigw.create_deployment(restApiId=api_id, stageName="dev")
    return api_id, pet, validator


def test_model_management(apigw, endpoint, tmp_path):
    api_id = apigw.create_rest_api(name="models")["id"]
    defaults = apigw.get_models(restApiId=api_id)["items"]
    assert sorted(m["name"] for m in defaults) == ["Empty", "Error"]
    model = apigw.create_model(restApiId=api_id, name="Pet", description="a pet",
                               contentType="application/json", schema=json.dumps(PET_SCHEMA))
    assert model["name"] == "Pet" and model["id"] and json.loads(model["schema"]) == PET_SCHEMA
    assert apigw.get_model(restApiId=api_id, modelName="Pet")["description"] == "a pet"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        apigw.create_model(restApiId=api_id, name="Pet", contentType="application/json")
    assert error_code(e) == "ConflictException"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        apigw.create_model(restApiId=api_id, name="bad-name", contentType="application/json")
    assert error_code(e) == "BadRequestException"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        apigw.create_model(restApiId=api_id, name="Broken", contentType="application/json",
                           schema="{not json")
    assert error_code(e) == "BadRequestException"
    updated = apigw.update_model(restApiId=api_id, modelName="Pet", patchOperations=[
        {"op": "replace", "path": "/description", "value": "still a pet"}])
    assert updated["description"] == "still a pet"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        apigw.get_model(restApiId=api_id, modelName="Nope")
    assert error_code(e) == "NotFoundException"

    # A method may only name models and validators that exist; a model in use stays.
    root = apigw.get_resources(restApiId=api_id)["items"][0]["id"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        apigw.put_method(restApiId=api_id, resourceId=root, httpMethod="POST",
                         authorizationType="NONE", requestModels={"application/json": "Nope"})
    assert error_code(e) == "BadRequestException"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        apigw.put_method(restApiId=api_id, resourceId=root, httpMethod="POST",
                         authorizationType="NONE", requestValidatorId="nope")
    assert error_code(e) == "BadRequestException"
    apigw.put_method(restApiId=api_id, resourceId=root, httpMethod="POST",
                     authorizationType="NONE", requestModels={"application/json": "Pet"})
    with pytest.raises(botocore.exceptions.ClientError) as e:
        apigw.delete_model(restApiId=api_id, modelName="Pet")
    assert error_code(e) == "ConflictException"
    apigw.delete_method(restApiId=api_id, resourceId=root, httpMethod="POST")
    apigw.delete_model(restApiId=api_id, modelName="Pet")

    # The aws CLI sees the same.
    aws = aws_cli_runner(endpoint, tmp_path)
    names = [m["name"] for m in aws("apigateway", "get-models", "--rest-api-id", api_id)["items"]]
    assert sorted(names) == ["Empty", "Error"]


def test_request_validator_management(apigw):
    api_id = apigw.create_rest_api(name="validators")["id"]
    v = apigw.create_request_validator(restApiId=api_id, name="body-only",
                                       validateRequestBody=True)
    assert v["validateRequestBody"] is True and v["validateRequestParameters"] is False
    assert apigw.get_request_validator(restApiId=api_id,
                                       requestValidatorId=v["id"])["name"] == "body-only"
    updated = apigw.update_request_validator(
        restApiId=api_id, requestValidatorId=v["id"],
        patchOperations=[{"op": "replace", "path": "/validateRequestParameters",
                          "value": "true"}])
    assert updated["validateRequestParameters"] is True
    assert [x["id"] for x in apigw.get_request_validators(restApiId=api_id)["items"]] == [v["id"]]
    apigw.delete_request_validator(restApiId=api_id, requestValidatorId=v["id"])
    with pytest.raises(botocore.exceptions.ClientError) as e:
        apigw.get_request_validator(restApiId=api_id, requestValidatorId=v["id"])
    assert error_code(e) == "NotFoundException"


def test_request_validation(apigw, endpoint):
    api_id, _, validator = validated_api(apigw)
    path = invoke_path(api_id, "dev", "/pets/7?mode=strict")
    good = {"name": "Rex", "kind": "dog", "age": 3, "tags": ["a"]}
    hdrs = {"X-Trace": "t1", "Content-Type": "application/json"}

    status, _, data = request(endpoint, "POST", path, json.dumps(good), hdrs)
    assert (status, body_json(data)) == (200, {"ok": True})

    # Parameters first, named in the method's order.
    status, h, data = request(endpoint, "POST", invoke_path(api_id, "dev", "/pets/7"),
                              json.dumps({}), {"Content-Type": "application/json"})
    assert status == 400 and h["x-amzn-errortype"] == "BadRequestException"
    assert body_json(data) == {"message": "Missing required request parameters: [X-Trace, mode]"}
    assert "x-tidepool-gateway-response" not in h

    for bad in ({"name": "Rex"},                          # required kind
                {"name": "Rex", "kind": "cow"},           # enum
                {"name": "9x", "kind": "cat"},            # pattern
                {"name": "Rex", "kind": "cat", "age": 41},  # maximum
                {"name": "Rex", "kind": "cat", "age": 1.5},  # integer
                {"name": "Rex", "kind": "cat", "tags": [1]},  # items
                {"name": "Rex", "kind": "cat", "color": "red"},  # additionalProperties
                [good]):
        status, h, data = request(endpoint, "POST", path, json.dumps(bad), hdrs)
        assert (status, body_json(data)) == (400, {"message": "Invalid request body"}), bad
    status, _, data = request(endpoint, "POST", path, "not json", hdrs)
    assert (status, body_json(data)) == (400, {"message": "Invalid request body"})
    # No Content-Type is application/json; a media type without a model is not checked.
    status, _, _ = request(endpoint, "POST", path, "{}", {"X-Trace": "t"})
    assert status == 400
    status, _, _ = request(endpoint, "POST", path, "{}",
                           {"X-Trace": "t", "Content-Type": "text/plain"})
    assert status == 200

    # Turning the validator's body check off (and redeploying) lets any body through.
    apigw.update_request_validator(restApiId=api_id, requestValidatorId=validator,
                                   patchOperations=[{"op": "replace",
                                                     "path": "/validateRequestBody",
                                                     "value": "false"}])
    apigw.create_deployment(restApiId=api_id, stageName="dev")
    status, _, _ = request(endpoint, "POST", path, json.dumps({"x": 1}), hdrs)
    assert status == 200


def test_gateway_response_management(apigw, endpoint, tmp_path):
    api_id = apigw.create_rest_api(name="responses")["id"]
    items = apigw.get_gateway_responses(restApiId=api_id, limit=500)["items"]
    by_type = {i["responseType"]: i for i in items}
    assert len(by_type) == 21 and all(i["defaultResponse"] for i in items)
    assert by_type["MISSING_AUTHENTICATION_TOKEN"]["statusCode"] == "403"
    assert by_type["THROTTLED"]["statusCode"] == "429"
    assert "statusCode" not in by_type["DEFAULT_4XX"]
    put = apigw.put_gateway_response(
        restApiId=api_id, responseType="MISSING_AUTHENTICATION_TOKEN", statusCode="404",
        responseParameters={"gatewayresponse.header.X-Why": "'no-route'"},
        responseTemplates={"application/json": '{"error": $context.error.messageString}'})
    assert put["defaultResponse"] is False and put["statusCode"] == "404"
    got = apigw.get_gateway_response(restApiId=api_id, responseType="MISSING_AUTHENTICATION_TOKEN")
    assert got["responseParameters"] == {"gatewayresponse.header.X-Why": "'no-route'"}
    updated = apigw.update_gateway_response(
        restApiId=api_id, responseType="THROTTLED",
        patchOperations=[{"op": "replace", "path": "/statusCode", "value": "503"}])
    assert updated["statusCode"] == "503" and updated["defaultResponse"] is False
    with pytest.raises(botocore.exceptions.ClientError) as e:
        apigw.put_gateway_response(restApiId=api_id, responseType="DEFAULT_4XX",
                                   responseParameters={"method.response.header.X": "'x'"})
    assert error_code(e) == "BadRequestException"
    apigw.delete_gateway_response(restApiId=api_id, responseType="THROTTLED")
    assert apigw.get_gateway_response(restApiId=api_id,
                                      responseType="THROTTLED")["defaultResponse"] is True
    aws = aws_cli_runner(endpoint, tmp_path)
    out = aws("apigateway", "get-gateway-response", "--rest-api-id", api_id, "--response-type",
              "MISSING_AUTHENTICATION_TOKEN")
    assert out["statusCode"] == "404"


def test_gateway_responses_apply_once_deployed(apigw, endpoint):
    api_id, _, _ = validated_api(apigw)
    missing = invoke_path(api_id, "dev", "/nowhere")
    status, _, data = request(endpoint, "GET", missing)
    assert (status, body_json(data)) == (403, {"message": "Missing Authentication Token"})

    apigw.put_gateway_response(
        restApiId=api_id, responseType="MISSING_AUTHENTICATION_TOKEN", statusCode="404",
        responseParameters={"gatewayresponse.header.X-Why": "'no-route'",
                            "gatewayresponse.header.X-Echo": "method.request.header.X-Trace"},
        responseTemplates={"application/json":
                           '{"error": $context.error.messageString, '
                           '"type": "$context.error.responseType", "api": "$context.apiId"}'})
    apigw.put_gateway_response(
        restApiId=api_id, responseType="DEFAULT_4XX",
        responseParameters={"gatewayresponse.header.Access-Control-Allow-Origin": "'*'"},
        responseTemplates={"application/json": '{"oops": $context.error.messageString}'})
    # Not yet deployed: still the default.
    status, _, _ = request(endpoint, "GET", missing)
    assert status == 403
    apigw.create_deployment(restApiId=api_id, stageName="dev")

    status, h, data = request(endpoint, "GET", missing, headers={"X-Trace": "abc"})
    assert status == 404 and h["x-why"] == "no-route" and h["x-echo"] == "abc"
    assert body_json(data) == {"error": "Missing Authentication Token",
                               "type": "MISSING_AUTHENTICATION_TOKEN", "api": api_id}
    assert "x-tidepool-gateway-response" not in h

    # BAD_REQUEST_PARAMETERS is not customized: DEFAULT_4XX applies, with its own status.
    status, h, data = request(endpoint, "POST", invoke_path(api_id, "dev", "/pets/1"), "{}")
    assert status == 400 and h["access-control-allow-origin"] == "*"
    assert body_json(data) == {"oops": "Missing required request parameters: [X-Trace, mode]"}

    # BAD_REQUEST_BODY customized on its own.
    apigw.put_gateway_response(restApiId=api_id, responseType="BAD_REQUEST_BODY",
                               statusCode="422",
                               responseTemplates={"application/json":
                                                  '{"invalid": "$context.error.message"}'})
    apigw.create_deployment(restApiId=api_id, stageName="dev")
    status, _, data = request(endpoint, "POST", invoke_path(api_id, "dev", "/pets/1?mode=m"),
                              '{"name": 1}', {"X-Trace": "t"})
    assert (status, body_json(data)) == (422, {"invalid": "Invalid request body"})

    # A successful request is not touched.
    status, h, data = request(endpoint, "POST", invoke_path(api_id, "dev", "/pets/1?mode=m"),
                              json.dumps({"name": "Tom", "kind": "cat"}), {"X-Trace": "t"})
    assert (status, body_json(data)) == (200, {"ok": True})
    assert "access-control-allow-origin" not in h


def test_gateway_responses_for_keys_and_quotas(apigw, endpoint):
    api_id, pet, _ = validated_api(apigw)
    apigw.update_method(restApiId=api_id, resourceId=pet, httpMethod="POST", patchOperations=[
        {"op": "replace", "path": "/apiKeyRequired", "value": "true"}])
    apigw.put_gateway_response(restApiId=api_id, responseType="INVALID_API_KEY",
                               statusCode="401",
                               responseTemplates={"application/json": '{"key": "bad"}'})
    apigw.put_gateway_response(restApiId=api_id, responseType="QUOTA_EXCEEDED",
                               responseParameters={"gatewayresponse.header.Retry-After": "'86400'"})
    apigw.create_deployment(restApiId=api_id, stageName="dev")
    key = apigw.create_api_key(name="k", enabled=True)
    plan = apigw.create_usage_plan(name="one", apiStages=[{"apiId": api_id, "stage": "dev"}],
                                   quota={"limit": 1, "period": "DAY"})
    apigw.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"], keyType="API_KEY")
    path = invoke_path(api_id, "dev", "/pets/1?mode=m")
    body = json.dumps({"name": "Tom", "kind": "cat"})

    status, _, data = request(endpoint, "POST", path, body, {"X-Trace": "t"})
    assert (status, body_json(data)) == (401, {"key": "bad"})
    hdrs = {"X-Trace": "t", "x-api-key": key["value"]}
    assert request(endpoint, "POST", path, body, hdrs)[0] == 200
    status, h, data = request(endpoint, "POST", path, body, hdrs)
    # Customized without a template or status: the default status and body, plus the header.
    assert (status, body_json(data)) == (429, {"message": "Limit Exceeded"})
    assert h["retry-after"] == "86400"


def test_swagger_import_brings_models_and_validators(apigw, endpoint):
    swagger = {
        "swagger": "2.0", "info": {"title": "imported-validation", "version": "1"},
        "x-amazon-apigateway-request-validators": {
            "params-only": {"validateRequestParameters": True},
            "all": {"validateRequestBody": True, "validateRequestParameters": True}},
        "x-amazon-apigateway-request-validator": "params-only",
        "definitions": {
            "Tag": {"type": "string", "maxLength": 3},
            "Pet": {"type": "object", "required": ["tag"],
                    "properties": {"tag": {"$ref": "#/definitions/Tag"}}}},
        "paths": {
            "/pets": {
                "post": {
                    "x-amazon-apigateway-request-validator": "all",
                    "parameters": [{"in": "body", "name": "Pet", "required": True,
                                    "schema": {"$ref": "#/definitions/Pet"}}],
                    "responses": {"200": {"description": "ok"}},
                    "x-amazon-apigateway-integration": {
                        "type": "mock", "requestTemplates": {
                            "application/json": '{"statusCode": 200}'},
                        "responses": {"default": {"statusCode": "200"}}}},
                "get": {
                    "parameters": [{"in": "query", "name": "q", "required": True,
                                    "type": "string"}],
                    "responses": {"200": {"description": "ok"}},
                    "x-amazon-apigateway-integration": {
                        "type": "mock", "requestTemplates": {
                            "application/json": '{"statusCode": 200}'},
                        "responses": {"default": {"statusCode": "200"}}}}}}}
    api_id = apigw.import_rest_api(body=json.dumps(swagger).encode())["id"]
    assert {m["name"] for m in apigw.get_models(restApiId=api_id)["items"]} == {
        "Empty", "Error", "Tag", "Pet"}
    apigw.create_deployment(restApiId=api_id, stageName="dev")
    path = invoke_path(api_id, "dev", "/pets")
    hdrs = {"Content-Type": "application/json"}
    assert request(endpoint, "POST", path, '{"tag": "abc"}', hdrs)[0] == 200
    # The $ref between models is followed: a tag longer than 3 is refused.
    status, _, data = request(endpoint, "POST", path, '{"tag": "abcd"}', hdrs)
    assert (status, body_json(data)) == (400, {"message": "Invalid request body"})
    status, _, data = request(endpoint, "GET", path)
    assert (status, body_json(data)) == (400, {
        "message": "Missing required request parameters: [q]"})
    assert request(endpoint, "GET", path + "?q=1")[0] == 200
