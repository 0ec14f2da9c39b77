"""API Gateway REST APIs with boto3: the management API (rest apis, resources, methods,
integrations and their responses, deployments, stages, patch operations, errors) and
invocation through both invoke URL forms with MOCK and AWS_PROXY integrations, requests made
with plain http.client / urllib."""

import base64
import json
import urllib.error
import urllib.request

import botocore.exceptions
import pytest

from apigateway_helpers import (body_json, build_mock_api, build_proxy_api, create_echo_function,
                                host_of, invoke_path, lambda_uri, request)
from harness import make_client


@pytest.fixture
def apigw(endpoint):
    return make_client(endpoint, service="apigateway", access_key="000000000000")


@pytest.fixture
def lam(endpoint):
    return make_client(endpoint, service="lambda", access_key="000000000000", read_timeout=60)


def error_of(excinfo):
    e = excinfo.value.response
    return e["Error"]["Code"], e["ResponseMetadata"]["HTTPStatusCode"], e["Error"]["Message"]


def test_rest_api_lifecycle(apigw):
    api = apigw.create_rest_api(name="pets", description="first", tags={"team": "a"})
    api_id = api["id"]
    assert api["name"] == "pets" and api["apiKeySource"] == "HEADER"
    assert api["endpointConfiguration"]["types"] == ["EDGE"]
    assert apigw.get_rest_api(restApiId=api_id)["description"] == "first"
    assert [a["id"] for a in apigw.get_rest_apis()["items"]] == [api_id]

    updated = apigw.update_rest_api(restApiId=api_id, patchOperations=[
        {"op": "replace", "path": "/name", "value": "pets2"},
        {"op": "add", "path": "/binaryMediaTypes/image~1png"},
        {"op": "replace", "path": "/minimumCompressionSize", "value": "1024"}])
    assert updated["name"] == "pets2"
    assert updated["binaryMediaTypes"] == ["image/png"]
    assert updated["minimumCompressionSize"] == 1024

    with pytest.raises(botocore.exceptions.ClientError) as e:
        apigw.update_rest_api(restApiId=api_id,
                              patchOperations=[{"op": "replace", "path": "/nope", "value": "x"}])
    assert error_of(e)[:2] == ("BadRequestException", 400)

    apigw.delete_rest_api(restApiId=api_id)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        apigw.get_rest_api(restApiId=api_id)
    code, status, message = error_of(e)
    assert (code, status) == ("NotFoundException", 404)
    assert "Invalid API identifier specified" in message


def test_resources_and_paths(apigw):
    api = apigw.create_rest_api(name="tree")
    api_id, root = api["id"], api["rootResourceId"]
    pets = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="pets")
    assert pets["path"] == "/pets" and pets["parentId"] == root
    pet = apigw.create_resource(restApiId=api_id, parentId=pets["id"], pathPart="{petId}")
    assert pet["path"] == "/pets/{petId}"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        apigw.create_resource(restApiId=api_id, parentId=root, pathPart="pets")
    assert error_of(e)[:2] == ("ConflictException", 409)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        apigw.create_resource(restApiId=api_id, parentId="nope", pathPart="x")
    assert error_of(e)[:2] == ("NotFoundException", 404)

    apigw.put_method(restApiId=api_id, resourceId=pet["id"], httpMethod="GET",
                     authorizationType="NONE")
    items = {r["path"]: r for r in apigw.get_resources(restApiId=api_id)["items"]}
    assert set(items) == {"/", "/pets", "/pets/{petId}"}
    assert items["/pets/{petId}"]["resourceMethods"] == {"GET": {}}
    embedded = {r["path"]: r for r in apigw.get_resources(restApiId=api_id,
                                                           embed=["methods"])["items"]}
    assert embedded["/pets/{petId}"]["resourceMethods"]["GET"]["authorizationType"] == "NONE"

    # Renaming a resource moves its children's paths.
    apigw.update_resource(restApiId=api_id, resourceId=pets["id"], patchOperations=[
        {"op": "replace", "path": "/pathPart", "value": "animals"}])
    assert apigw.get_resource(restApiId=api_id, resourceId=pet["id"])["path"] == \
        "/animals/{petId}"

    paged = apigw.get_resources(restApiId=api_id, limit=2)
    assert len(paged["items"]) == 2 and "position" in paged
    rest = apigw.get_resources(restApiId=api_id, limit=2, position=paged["position"])
    assert len(rest["items"]) == 1

    apigw.delete_resource(restApiId=api_id, resourceId=pets["id"])  # and its child
    assert [r["path"] for r in apigw.get_resources(restApiId=api_id)["items"]] == ["/"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        apigw.delete_resource(restApiId=api_id, resourceId=root)
    assert error_of(e)[:2] == ("BadRequestException", 400)


def test_methods_integrations_and_responses(apigw, lam):
    fn = create_echo_function(lam)
    api = apigw.create_rest_api(name="m")
    api_id, root = api["id"], api["rootResourceId"]
    m = apigw.put_method(restApiId=api_id, resourceId=root, httpMethod="POST",
                         authorizationType="NONE", apiKeyRequired=True,
                         requestParameters={"method.request.querystring.q": False})
    assert m["httpMethod"] == "POST" and m["apiKeyRequired"] is True
    with pytest.raises(botocore.exceptions.ClientError) as e:
        apigw.put_method(restApiId=api_id, resourceId=root, httpMethod="POST",
                         authorizationType="NONE")
    assert error_of(e)[:2] == ("ConflictException", 409)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        apigw.put_method(restApiId=api_id, resourceId=root, httpMethod="GET",
                         authorizationType="COGNITO_USER_POOLS")
    assert error_of(e)[0] == "BadRequestException"

    integ = apigw.put_integration(restApiId=api_id, resourceId=root, httpMethod="POST",
                                  type="AWS_PROXY", integrationHttpMethod="POST",
                                  uri=lambda_uri(fn))
    assert integ["httpMethod"] == "POST" and integ["uri"] == lambda_uri(fn)
    assert integ["timeoutInMillis"] == 29000 and integ["passthroughBehavior"] == "WHEN_NO_MATCH"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        apigw.put_integration(restApiId=api_id, resourceId=root, httpMethod="POST",
                              type="HTTP", integrationHttpMethod="GET", uri="ftp://x")
    code, status, message = error_of(e)
    assert code == "BadRequestException" and "HTTP" in message

    apigw.put_method_response(restApiId=api_id, resourceId=root, httpMethod="POST",
                              statusCode="200")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        apigw.put_integration_response(restApiId=api_id, resourceId=root, httpMethod="POST",
                                       statusCode="404", selectionPattern="x")
    assert error_of(e)[:2] == ("NotFoundException", 404)
    apigw.put_integration_response(restApiId=api_id, resourceId=root, httpMethod="POST",
                                   statusCode="200", selectionPattern="")
    ir = apigw.update_integration_response(
        restApiId=api_id, resourceId=root, httpMethod="POST", statusCode="200",
        patchOperations=[{"op": "replace", "path": "/responseTemplates/application~1json",
                          "value": '{"ok": true}'}])
    assert ir["responseTemplates"] == {"application/json": '{"ok": true}'}

    m = apigw.update_method(restApiId=api_id, resourceId=root, httpMethod="POST",
                            patchOperations=[
                                {"op": "replace", "path": "/apiKeyRequired", "value": "false"},
                                {"op": "add",
                                 "path": "/requestParameters/method.request.header.h",
                                 "value": "true"}])
    assert m["apiKeyRequired"] is False
    assert m["requestParameters"]["method.request.header.h"] is True
    got = apigw.get_method(restApiId=api_id, resourceId=root, httpMethod="POST")
    assert got["methodIntegration"]["integrationResponses"]["200"]["responseTemplates"]
    assert got["methodResponses"]["200"]["statusCode"] == "200"
    integ = apigw.update_integration(restApiId=api_id, resourceId=root, httpMethod="POST",
                                     patchOperations=[{"op": "replace", "path": "/timeoutInMillis",
                                                       "value": "5000"}])
    assert integ["timeoutInMillis"] == 5000

    apigw.delete_integration_response(restApiId=api_id, resourceId=root, httpMethod="POST",
                                      statusCode="200")
    apigw.delete_method_response(restApiId=api_id, resourceId=root, httpMethod="POST",
                                 statusCode="200")
    apigw.delete_integration(restApiId=api_id, resourceId=root, httpMethod="POST")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        apigw.get_integration(restApiId=api_id, resourceId=root, httpMethod="POST")
    assert error_of(e)[:2] == ("NotFoundException", 404)
    apigw.delete_method(restApiId=api_id, resourceId=root, httpMethod="POST")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        apigw.get_method(restApiId=api_id, resourceId=root, httpMethod="POST")
    assert error_of(e)[:2] == ("NotFoundException", 404)


def test_deployments_and_stages(apigw):
    api = apigw.create_rest_api(name="stages")
    api_id, root = api["id"], api["rootResourceId"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        apigw.create_deployment(restApiId=api_id, stageName="dev")
    assert error_of(e)[0] == "BadRequestException"
    apigw.put_method(restApiId=api_id, resourceId=root, httpMethod="GET",
                     authorizationType="NONE")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        apigw.create_deployment(restApiId=api_id, stageName="dev")
    assert "No integration defined for method" in error_of(e)[2]
    apigw.put_integration(restApiId=api_id, resourceId=root, httpMethod="GET", type="MOCK")
    d1 = apigw.create_deployment(restApiId=api_id, stageName="dev", description="one",
                                 variables={"a": "1"})
    stage = apigw.get_stage(restApiId=api_id, stageName="dev")
    assert stage["deploymentId"] == d1["id"] and stage["variables"] == {"a": "1"}
    d2 = apigw.create_deployment(restApiId=api_id, description="two")
    apigw.create_stage(restApiId=api_id, stageName="prod", deploymentId=d2["id"],
                       variables={"b": "2"})
    with pytest.raises(botocore.exceptions.ClientError) as e:
        apigw.create_stage(restApiId=api_id, stageName="prod", deploymentId=d2["id"])
    assert error_of(e)[:2] == ("ConflictException", 409)
    assert sorted(s["stageName"] for s in apigw.get_stages(restApiId=api_id)["item"]) == \
        ["dev", "prod"]
    assert {d["id"] for d in apigw.get_deployments(restApiId=api_id)["items"]} == \
        {d1["id"], d2["id"]}
    assert apigw.get_deployment(restApiId=api_id, deploymentId=d1["id"])["description"] == "one"

    stage = apigw.update_stage(restApiId=api_id, stageName="prod", patchOperations=[
        {"op": "replace", "path": "/variables/b", "value": "3"},
        {"op": "replace", "path": "/description", "value": "production"},
        {"op": "replace", "path": "/*/*/throttling/rateLimit", "value": "100"},
        {"op": "replace", "path": "/*/*/throttling/burstLimit", "value": "50"},
        {"op": "replace", "path": "/deploymentId", "value": d1["id"]}])
    assert stage["variables"] == {"b": "3"} and stage["description"] == "production"
    assert stage["methodSettings"]["*/*"]["throttlingRateLimit"] == 100.0
    assert stage["methodSettings"]["*/*"]["throttlingBurstLimit"] == 50
    assert stage["deploymentId"] == d1["id"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        apigw.update_stage(restApiId=api_id, stageName="prod", patchOperations=[
            {"op": "replace", "path": "/cacheClusterEnabled", "value": "true"}])
    assert error_of(e)[0] == "BadRequestException"

    with pytest.raises(botocore.exceptions.ClientError) as e:
        apigw.delete_deployment(restApiId=api_id, deploymentId=d1["id"])
    assert error_of(e)[0] == "BadRequestException"
    apigw.delete_deployment(restApiId=api_id, deploymentId=d2["id"])
    apigw.delete_stage(restApiId=api_id, stageName="prod")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        apigw.get_stage(restApiId=api_id, stageName="prod")
    assert error_of(e)[:2] == ("NotFoundException", 404)


def test_mock_integration_both_url_forms(apigw, endpoint):
    api_id = build_mock_api(apigw)
    status, headers, body = request(endpoint, "GET", invoke_path(api_id, "dev", "/hello"))
    assert status == 200, body
    assert body_json(body) == {"hello": "world"}
    assert headers["x-mock"] == "yes"
    assert headers["content-type"] == "application/json"
    assert len(headers["x-amzn-requestid"]) == 36

    status, headers, body = request(endpoint, "GET", "/dev/hello",
                                    host=host_of(api_id, endpoint))
    assert status == 200 and body_json(body) == {"hello": "world"}

    # urllib, as a plain client would.
    with urllib.request.urlopen(endpoint + invoke_path(api_id, "dev", "/hello")) as r:
        assert json.loads(r.read()) == {"hello": "world"}

    # CORS preflight through MOCK.
    status, headers, _ = request(endpoint, "OPTIONS", invoke_path(api_id, "dev", "/hello"))
    assert status == 200
    assert headers["access-control-allow-origin"] == "*"
    assert headers["access-control-allow-methods"] == "GET,OPTIONS"

    # Unknown path and unknown method: 403 Missing Authentication Token; unknown stage/API: 403.
    for method, path in (("GET", "/nope"), ("POST", "/hello")):
        status, headers, body = request(endpoint, method, invoke_path(api_id, "dev", path))
        assert status == 403
        assert body_json(body) == {"message": "Missing Authentication Token"}
        assert "x-amzn-requestid" in headers
    status, _, body = request(endpoint, "GET", invoke_path(api_id, "nostage", "/hello"))
    assert (status, body_json(body)) == (403, {"message": "Forbidden"})
    status, _, body = request(endpoint, "GET", invoke_path("nosuchapi", "dev", "/hello"))
    assert status == 403
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(endpoint + invoke_path(api_id, "dev", "/missing"))
    assert e.value.code == 403


def test_aws_proxy_payload_10(apigw, lam, endpoint):
    fn = create_echo_function(lam)
    api_id = build_proxy_api(apigw, fn)
    status, headers, body = request(
        endpoint, "POST", invoke_path(api_id, "dev", "/a/b%20c?x=1&x=2&y=3"), body="hi there",
        headers={"Content-Type": "text/plain", "X-Custom": "v", "User-Agent": "pytest-agent"})
    assert status == 200, body
    assert headers["x-fn"] == "echo"
    assert headers["x-multi"] == ["a", "b"]
    reply = body_json(body)
    assert reply["fn"] == "echo"
    event = reply["event"]
    assert event["resource"] == "/{proxy+}"
    assert event["path"] == "/a/b c"
    assert event["httpMethod"] == "POST"
    assert event["pathParameters"] == {"proxy": "a/b c"}
    assert event["queryStringParameters"] == {"x": "2", "y": "3"}
    assert event["multiValueQueryStringParameters"] == {"x": ["1", "2"], "y": ["3"]}
    assert event["headers"]["X-Custom"] == "v"
    assert event["multiValueHeaders"]["X-Custom"] == ["v"]
    assert event["stageVariables"] == {"color": "blue"}
    assert event["body"] == "hi there" and event["isBase64Encoded"] is False
    ctx = event["requestContext"]
    assert ctx["requestId"] == headers["x-amzn-requestid"]
    assert ctx["apiId"] == api_id and ctx["stage"] == "dev"
    assert ctx["accountId"] == "000000000000"
    assert ctx["resourcePath"] == "/{proxy+}" and ctx["path"] == "/dev/a/b c"
    assert ctx["identity"]["sourceIp"] == "127.0.0.1"
    assert ctx["identity"]["userAgent"] == "pytest-agent"
    assert isinstance(ctx["requestTimeEpoch"], int)

    # Root GET, a path parameter, no query string, and the host form.
    status, _, body = request(endpoint, "GET", "/dev/items/42", host=host_of(api_id, endpoint))
    assert status == 200
    event = body_json(body)["event"]
    assert event["resource"] == "/items/{id}" and event["pathParameters"] == {"id": "42"}
    assert event["queryStringParameters"] is None and event["body"] is None
    status, _, body = request(endpoint, "GET", invoke_path(api_id, "dev", "/"))
    assert status == 200 and body_json(body)["event"]["resource"] == "/"

    # Binary bodies: base64 in, base64 out.
    status, _, body = request(endpoint, "PUT", invoke_path(api_id, "dev", "/bin"),
                              body=b"\x00\x01\xff",
                              headers={"Content-Type": "application/octet-stream"})
    event = body_json(body)["event"]
    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == b"\x00\x01\xff"
    ask = {"respond": {"statusCode": 201, "body": base64.b64encode(b"\x00\xfe").decode(),
                       "isBase64Encoded": True, "headers": {"Content-Type": "image/png"}}}
    status, headers, body = request(endpoint, "POST", invoke_path(api_id, "dev", "/x"),
                                    body=json.dumps(ask))
    assert (status, body, headers["content-type"]) == (201, b"\x00\xfe", "image/png")


def test_aws_proxy_errors(apigw, lam, endpoint):
    fn = create_echo_function(lam)
    api_id = build_proxy_api(apigw, fn, timeout_ms=1000)
    path = invoke_path(api_id, "dev", "/e")
    for ask in ({"respond": {"statusCode": 200, "body": {"not": "a string"}}},
                {"respond": "just text"},
                {"fail": True}):
        status, headers, body = request(endpoint, "POST", path, body=json.dumps(ask))
        assert status == 502, (ask, body)
        assert body_json(body) == {"message": "Internal server error"}
    status, _, body = request(endpoint, "POST", path, body=json.dumps({"sleep": 3}))
    assert status == 504 and body_json(body) == {"message": "Endpoint request timed out"}


def test_aws_proxy_missing_function(apigw, endpoint):
    api_id = build_proxy_api(
        apigw, "arn:aws:lambda:us-east-1:000000000000:function:does-not-exist")
    status, _, body = request(endpoint, "GET", invoke_path(api_id, "dev", "/x"))
    assert status == 500 and body_json(body) == {"message": "Internal server error"}
