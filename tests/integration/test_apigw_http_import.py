"""HTTP API ImportApi / ReimportApi / ExportApi (OpenAPI 3.0, JSON and YAML) with boto3 and the
aws CLI: routes from paths and methods (x-amazon-apigateway-any-method, /$default), Lambda and
HTTP proxy integrations (inline and by $ref to x-amazon-apigateway-integrations), JWT and
Lambda REQUEST authorizers from securitySchemes, x-amazon-apigateway-cors, the basepath modes,
and unsupported extensions refused by name. Imported APIs are deployed to an auto-deploy
$default stage and called."""

import json

import botocore.exceptions
import pytest
import yaml

from apigateway_helpers import body_json, create_echo_function, host_of, lambda_uri, request
from cli_helpers import aws_cli_runner
from harness import make_client


@pytest.fixture
def clients(endpoint):
    def client(service, **config):
        return make_client(endpoint, service=service, access_key="000000000000", **config)
    return client


def error_of(excinfo):
    return excinfo.value.response["Error"]["Code"], excinfo.value.response["Error"]["Message"]


def definition(fn_arn):
    return {
        "openapi": "3.0.1",
        "info": {"title": "imported", "version": "v1-2024", "description": "from OpenAPI"},
        "servers": [{"url": "https://example.com/{basePath}",
                     "variables": {"basePath": {"default": "/v1/shop"}}}],
        "x-amazon-apigateway-importexport-version": "1.0",
        "x-amazon-apigateway-cors": {"allowOrigins": ["https://a.example"],
                                     "allowMethods": ["GET", "POST"], "maxAge": 60},
        "paths": {
            "/items/{id}": {
                "get": {"operationId": "getItem",
                        "x-amazon-apigateway-integration": {
                            "$ref": "#/components/x-amazon-apigateway-integrations/fn"}},
                "post": {"security": [{"jwt": ["items/write"]}],
                         "x-amazon-apigateway-integration": {
                             "$ref": "#/components/x-amazon-apigateway-integrations/fn"}},
            },
            "/legacy": {
                "x-amazon-apigateway-any-method": {
                    "security": [{"lambdaAuth": []}],
                    "x-amazon-apigateway-integration": {
                        "type": "aws_proxy", "httpMethod": "POST", "uri": lambda_uri(fn_arn),
                        "payloadFormatVersion": "1.0", "timeoutInMillis": 5000}}},
            "/$default": {
                "x-amazon-apigateway-any-method": {
                    "x-amazon-apigateway-integration": {
                        "$ref": "#/components/x-amazon-apigateway-integrations/fn"}}},
        },
        "components": {
            "x-amazon-apigateway-integrations": {
                "fn": {"type": "aws_proxy", "httpMethod": "POST", "uri": fn_arn,
                       "payloadFormatVersion": "2.0", "connectionType": "INTERNET"}},
            "securitySchemes": {
                "jwt": {"type": "oauth2", "flows": {},
                        "x-amazon-apigateway-authorizer": {
                            "type": "jwt", "identitySource": "$request.header.Authorization",
                            "jwtConfiguration": {"issuer": "https://issuer.example",
                                                 "audience": ["aud1"]}}},
                "lambdaAuth": {"type": "apiKey", "name": "Authorization", "in": "header",
                               "x-amazon-apigateway-authorizer": {
                                   "type": "request", "authorizerUri": lambda_uri(fn_arn),
                                   "authorizerPayloadFormatVersion": "2.0",
                                   "enableSimpleResponses": True,
                                   "authorizerResultTtlInSeconds": 0,
                                   "identitySource": "$request.header.X-Token"}},
            },
        },
    }


def routes_of(v2, api_id):
    return {r["RouteKey"]: r for r in v2.get_routes(ApiId=api_id)["Items"]}


def test_import_deploy_and_call(clients, endpoint):
    v2, lam = clients("apigatewayv2"), clients("lambda", read_timeout=60)
    fn = create_echo_function(lam, name="imported-echo")
    api = v2.import_api(Body=json.dumps(definition(fn)))
    api_id = api["ApiId"]
    assert api["Name"] == "imported" and api["Version"] == "v1-2024"
    assert api["Description"] == "from OpenAPI" and api["ProtocolType"] == "HTTP"
    assert api["CorsConfiguration"] == {"AllowOrigins": ["https://a.example"],
                                        "AllowMethods": ["GET", "POST"], "MaxAge": 60}
    routes = routes_of(v2, api_id)
    assert sorted(routes) == ["$default", "ANY /legacy", "GET /items/{id}", "POST /items/{id}"]
    assert routes["GET /items/{id}"]["OperationName"] == "getItem"
    # One integration per $ref, one for the inline definition.
    integrations = {i["IntegrationId"]: i for i in v2.get_integrations(ApiId=api_id)["Items"]}
    assert len(integrations) == 2
    shared = routes["GET /items/{id}"]["Target"]
    assert routes["POST /items/{id}"]["Target"] == shared == routes["$default"]["Target"]
    inline = integrations[routes["ANY /legacy"]["Target"].split("/")[1]]
    assert inline["PayloadFormatVersion"] == "1.0" and inline["TimeoutInMillis"] == 5000
    assert inline["IntegrationType"] == "AWS_PROXY"
    authorizers = {a["Name"]: a for a in v2.get_authorizers(ApiId=api_id)["Items"]}
    assert authorizers["jwt"]["AuthorizerType"] == "JWT"
    assert authorizers["jwt"]["JwtConfiguration"] == {"Issuer": "https://issuer.example",
                                                      "Audience": ["aud1"]}
    assert authorizers["jwt"]["IdentitySource"] == ["$request.header.Authorization"]
    assert authorizers["lambdaAuth"]["AuthorizerType"] == "REQUEST"
    assert authorizers["lambdaAuth"]["EnableSimpleResponses"] is True
    post = routes["POST /items/{id}"]
    assert post["AuthorizationType"] == "JWT" and post["AuthorizationScopes"] == ["items/write"]
    assert post["AuthorizerId"] == authorizers["jwt"]["AuthorizerId"]
    assert routes["ANY /legacy"]["AuthorizationType"] == "CUSTOM"
    assert routes["GET /items/{id}"]["AuthorizationType"] == "NONE"

    v2.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
    status, _, body = request(endpoint, "GET", "/items/42?q=1", host=host_of(api_id, endpoint),
                              headers={"Origin": "https://a.example"})
    assert status == 200, body
    event = body_json(body)["event"]
    assert event["version"] == "2.0" and event["routeKey"] == "GET /items/{id}"
    assert event["pathParameters"] == {"id": "42"}
    status, _, body = request(endpoint, "GET", "/elsewhere", host=host_of(api_id, endpoint))
    assert status == 200 and body_json(body)["event"]["routeKey"] == "$default"
    # The JWT route refuses a request without a token.
    status, _, _ = request(endpoint, "POST", "/items/1", host=host_of(api_id, endpoint))
    assert status == 401


def test_reimport_replaces_routes_and_export_round_trips(clients, endpoint):
    v2, lam = clients("apigatewayv2"), clients("lambda", read_timeout=60)
    fn = create_echo_function(lam, name="reimported-echo")
    api_id = v2.import_api(Body=json.dumps(definition(fn)))["ApiId"]
    v2.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
    smaller = {"openapi": "3.0.1", "info": {"title": "renamed", "version": "2"},
               "paths": {"/orders": {"get": {"x-amazon-apigateway-integration": {
                   "type": "AWS_PROXY", "uri": fn, "payloadFormatVersion": "2.0"}}}}}
    out = v2.reimport_api(ApiId=api_id, Body=json.dumps(smaller))
    assert out["ApiId"] == api_id and out["Name"] == "renamed"
    assert "CorsConfiguration" not in v2.get_api(ApiId=api_id)
    assert list(routes_of(v2, api_id)) == ["GET /orders"]
    assert v2.get_authorizers(ApiId=api_id)["Items"] == []
    assert len(v2.get_integrations(ApiId=api_id)["Items"]) == 1
    # The auto-deploy stage serves the reimported routes at once.
    status, _, body = request(endpoint, "GET", "/orders", host=host_of(api_id, endpoint))
    assert status == 200 and body_json(body)["event"]["routeKey"] == "GET /orders"
    status, _, _ = request(endpoint, "GET", "/items/1", host=host_of(api_id, endpoint))
    assert status == 404

    # Export (JSON, then YAML) and import the export: the same routes, integrations and
    # authorizers come back.
    v2.reimport_api(ApiId=api_id, Body=json.dumps(definition(fn)))
    exported = json.loads(v2.export_api(ApiId=api_id, Specification="OAS30",
                                        OutputType="JSON")["body"].read())
    assert exported["openapi"] == "3.0.1" and exported["info"]["title"] == "imported"
    assert exported["x-amazon-apigateway-importexport-version"] == "1.0"
    assert set(exported["paths"]) == {"/items/{id}", "/legacy", "/$default"}
    get = exported["paths"]["/items/{id}"]["get"]
    assert get["x-amazon-apigateway-integration"]["type"] == "aws_proxy"
    assert get["x-amazon-apigateway-integration"]["payloadFormatVersion"] == "2.0"
    assert get["parameters"][0]["name"] == "id"
    assert exported["paths"]["/items/{id}"]["post"]["security"] == [{"jwt": ["items/write"]}]
    assert exported["x-amazon-apigateway-cors"]["allowOrigins"] == ["https://a.example"]
    yaml_text = v2.export_api(ApiId=api_id, Specification="OAS30", OutputType="YAML",
                              StageName="$default")["body"].read().decode()
    assert yaml.safe_load(yaml_text) == exported
    copy_id = v2.import_api(Body=yaml_text)["ApiId"]

    def shape(api):
        integrations = {i["IntegrationId"]: i for i in v2.get_integrations(ApiId=api)["Items"]}
        authorizers = {a["AuthorizerId"]: a["Name"]
                       for a in v2.get_authorizers(ApiId=api)["Items"]}
        out = {}
        for key, r in routes_of(v2, api).items():
            i = integrations[r["Target"].split("/")[1]]
            out[key] = (r["AuthorizationType"], authorizers.get(r.get("AuthorizerId")),
                        r.get("AuthorizationScopes"), i["IntegrationType"], i["IntegrationUri"],
                        i["PayloadFormatVersion"])
        return out
    assert shape(copy_id) == shape(api_id)
    bare = json.loads(v2.export_api(ApiId=api_id, Specification="OAS30", OutputType="JSON",
                                    IncludeExtensions=False)["body"].read())
    assert "x-amazon-apigateway-cors" not in bare
    assert all(not k.startswith("x-amazon") for p in bare["paths"].values() for op in p.values()
               for k in op)


def test_basepath_modes_and_refusals(clients):
    v2 = clients("apigatewayv2")
    doc = {"openapi": "3.0.1", "info": {"title": "bp"},
           "servers": [{"url": "https://example.com/v1/shop"}],
           "paths": {"/items": {"get": {"x-amazon-apigateway-integration": {
               "type": "http_proxy", "httpMethod": "GET", "uri": "http://127.0.0.1:9/x",
               "payloadFormatVersion": "1.0"}}}}}
    for mode, key in [(None, "GET /items"), ("ignore", "GET /items"),
                      ("prepend", "GET /v1/shop/items"), ("split", "GET /shop/items")]:
        kwargs = {"Basepath": mode} if mode else {}
        api_id = v2.import_api(Body=json.dumps(doc), FailOnWarnings=True, **kwargs)["ApiId"]
        assert list(routes_of(v2, api_id)) == [key], mode
    integ = v2.get_integrations(ApiId=api_id)["Items"][0]
    assert integ["IntegrationType"] == "HTTP_PROXY" and integ["IntegrationMethod"] == "GET"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        v2.import_api(Body=json.dumps(doc), Basepath="sideways")
    assert error_of(e)[0] == "BadRequestException"

    before = len(v2.get_apis()["Items"])
    refused = [
        (dict(doc, **{"x-amazon-apigateway-policy": {}}), "x-amazon-apigateway-policy"),
        (dict(doc, paths={"/a": {"get": {"x-amazon-apigateway-request-validator": "all"}}}),
         "x-amazon-apigateway-request-validator"),
        (dict(doc, paths={"/a": {"get": {"x-amazon-apigateway-integration": {
            "type": "http_proxy", "uri": "http://h/", "httpMethod": "GET",
            "connectionType": "VPC_LINK", "connectionId": "x"}}}}), "connectionId"),
        (dict(doc, paths={"/a": {"get": {"x-amazon-apigateway-integration": {
            "$ref": "#/components/x-amazon-apigateway-integrations/none"}}}}), "none"),
        ({"swagger": "2.0", "info": {"title": "old"}, "paths": {}}, "OpenAPI 3.0"),
    ]
    for body, named in refused:
        with pytest.raises(botocore.exceptions.ClientError) as e:
            v2.import_api(Body=json.dumps(body))
        code, message = error_of(e)
        assert code == "BadRequestException" and named in message, message
    assert len(v2.get_apis()["Items"]) == before


def test_import_and_export_with_the_cli(endpoint, tmp_path, clients):
    aws = aws_cli_runner(endpoint, tmp_path)
    (tmp_path / "api.yaml").write_text(
        "openapi: 3.0.1\n"
        "info:\n  title: from-cli\n  version: '1.0'\n"
        "paths:\n"
        "  /hello:\n"
        "    get:\n"
        "      x-amazon-apigateway-integration:\n"
        "        type: http_proxy\n"
        "        httpMethod: GET\n"
        "        uri: http://127.0.0.1:9/hello\n"
        "        payloadFormatVersion: '1.0'\n")
    api = aws("apigatewayv2", "import-api", "--body", "file://" + str(tmp_path / "api.yaml"))
    assert api["Name"] == "from-cli"
    routes = aws("apigatewayv2", "get-routes", "--api-id", api["ApiId"])["Items"]
    assert [r["RouteKey"] for r in routes] == ["GET /hello"]
    out = tmp_path / "out.json"
    proc = aws("apigatewayv2", "export-api", "--api-id", api["ApiId"], "--specification",
               "OAS30", "--output-type", "JSON", str(out), check=False)
    assert proc.returncode == 0, proc.stderr
    assert list(json.loads(out.read_text())["paths"]) == ["/hello"]
