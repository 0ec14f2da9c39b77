"""API Gateway HTTP APIs (apigatewayv2) with boto3: quick create with a Lambda target, routes,
Lambda proxy integrations with payload format 2.0 and 1.0, the $default stage with
auto-deploy, named stages with deployments, and requests through both invoke URL forms."""

import json
import textwrap

import botocore.exceptions
import pytest

from apigateway_helpers import ROLE, body_json, create_echo_function, host_of, request
from harness import make_client
from lambda_helpers import zip_one

V2_HANDLER = textwrap.dedent("""
    import json
    def handler(event, context):
        body = event.get("body") or ""
        if body == "plain":
            return {"just": "json"}
        return {"statusCode": 201, "headers": {"content-type": "application/json"},
                "cookies": ["a=1", "b=2"], "body": json.dumps(event)}
""")


@pytest.fixture
def clients(endpoint):
    def client(service, **config):
        return make_client(endpoint, service=service, access_key="000000000000", **config)
    return client


def test_quick_create_and_payload_20(clients, endpoint):
    v2, lam = clients("apigatewayv2"), clients("lambda", read_timeout=60)
    fn = lam.create_function(FunctionName="v2", Runtime="python3.12", Role=ROLE,
                             Handler="app.handler", Timeout=10,
                             Code={"ZipFile": zip_one("app.py", V2_HANDLER)})["FunctionArn"]
    api = v2.create_api(Name="quick", ProtocolType="HTTP", Target=fn)
    api_id = api["ApiId"]
    assert api["ProtocolType"] == "HTTP" and api["ApiEndpoint"].startswith("http://" + api_id)
    assert [a["ApiId"] for a in v2.get_apis()["Items"]] == [api_id]
    routes = v2.get_routes(ApiId=api_id)["Items"]
    assert [r["RouteKey"] for r in routes] == ["$default"]
    stages = v2.get_stages(ApiId=api_id)["Items"]
    assert stages[0]["StageName"] == "$default" and stages[0]["AutoDeploy"] is True
    integ = v2.get_integrations(ApiId=api_id)["Items"][0]
    assert integ["PayloadFormatVersion"] == "2.0" and integ["IntegrationType"] == "AWS_PROXY"

    status, headers, body = request(endpoint, "POST", "/any/path?x=1&x=2&y=3", body="hello",
                                    host=host_of(api_id, endpoint),
                                    headers={"Cookie": "c1=v1; c2=v2", "X-Thing": "t"})
    assert status == 201, body
    event = body_json(body)
    assert event["version"] == "2.0" and event["routeKey"] == "$default"
    assert event["rawPath"] == "/any/path" and event["rawQueryString"] == "x=1&x=2&y=3"
    assert event["queryStringParameters"] == {"x": "1,2", "y": "3"}
    assert event["cookies"] == ["c1=v1", "c2=v2"]
    assert event["headers"]["x-thing"] == "t"
    assert event["body"] == "hello" and event["isBase64Encoded"] is False
    ctx = event["requestContext"]
    assert ctx["http"]["method"] == "POST" and ctx["http"]["path"] == "/any/path"
    assert ctx["stage"] == "$default" and ctx["requestId"] == headers["x-amzn-requestid"]
    assert "pathParameters" not in event

    # A response without statusCode is a 200 JSON body.
    status, headers, body = request(endpoint, "POST", "/restapis/%s/$default/_user_request_/p"
                                    % api_id, body="plain")
    assert (status, body_json(body)) == (200, {"just": "json"})


def test_routes_stages_and_deployments(clients, endpoint):
    v2, lam = clients("apigatewayv2"), clients("lambda", read_timeout=60)
    fn = create_echo_function(lam, name="echo-v2")
    api_id = v2.create_api(Name="explicit", ProtocolType="HTTP")["ApiId"]
    integ = v2.create_integration(ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationUri=fn,
                                  PayloadFormatVersion="1.0")
    route = v2.create_route(ApiId=api_id, RouteKey="GET /items/{id}",
                            Target="integrations/" + integ["IntegrationId"])
    with pytest.raises(botocore.exceptions.ClientError) as e:
        v2.create_route(ApiId=api_id, RouteKey="GET /items/{id}",
                        Target="integrations/" + integ["IntegrationId"])
    assert e.value.response["Error"]["Code"] == "ConflictException"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        v2.create_integration(ApiId=api_id, IntegrationType="HTTP_PROXY",
                              IntegrationUri="ftp://example.com", IntegrationMethod="GET",
                              PayloadFormatVersion="1.0")
    assert e.value.response["Error"]["Code"] == "BadRequestException"
    v2.create_stage(ApiId=api_id, StageName="live", AutoDeploy=True,
                    StageVariables={"v": "1"})
    v2.create_stage(ApiId=api_id, StageName="pinned")
    host = host_of(api_id, endpoint)

    status, _, body = request(endpoint, "GET", "/live/items/7", host=host)
    assert status == 200, body
    event = body_json(body)["event"]
    assert event["resource"] == "GET /items/{id}" and event["pathParameters"] == {"id": "7"}
    assert event["stageVariables"] == {"v": "1"}
    status, _, body = request(endpoint, "GET", "/live/other", host=host)
    assert (status, body_json(body)) == (404, {"message": "Not Found"})
    # A stage without auto-deploy serves its deployment only.
    assert request(endpoint, "GET", "/pinned/items/7", host=host)[0] == 404
    deployment = v2.create_deployment(ApiId=api_id, StageName="pinned")
    assert request(endpoint, "GET", "/pinned/items/7", host=host)[0] == 200
    assert [d["DeploymentId"] for d in v2.get_deployments(ApiId=api_id)["Items"]] == \
        [deployment["DeploymentId"]]
    v2.update_route(ApiId=api_id, RouteId=route["RouteId"], RouteKey="GET /things/{id}")
    assert request(endpoint, "GET", "/live/things/7", host=host)[0] == 200
    assert request(endpoint, "GET", "/pinned/items/7", host=host)[0] == 200  # still deployed

    v2.delete_route(ApiId=api_id, RouteId=route["RouteId"])
    assert request(endpoint, "GET", "/live/things/7", host=host)[0] == 404
    v2.delete_api(ApiId=api_id)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        v2.get_api(ApiId=api_id)
    assert e.value.response["Error"]["Code"] == "NotFoundException"
