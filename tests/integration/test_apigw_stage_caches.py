"""API Gateway's cache and setting deletions with boto3 and the aws CLI: FlushStageAuthorizersCache
makes a REST stage ask its Lambda authorizer again, FlushStageCache checks the stage (tidepool
has no stage caches), and the apigatewayv2 DeleteAccessLogSettings, DeleteRouteSettings,
DeleteRouteRequestParameter and ResetAuthorizersCache."""

import botocore.exceptions
import pytest

from apigateway_helpers import invoke_path, request
from cli_helpers import aws_cli_runner
from test_apigateway_authorizers import authorized_api, calls_of, clients  # noqa: F401


def test_flush_stage_authorizers_cache(clients, endpoint, tmp_path):  # noqa: F811
    apigw, lam = clients("apigateway"), clients("lambda", read_timeout=60)
    api_id, _, calls = authorized_api(apigw, lam, tmp_path, "TOKEN", 300)
    path = invoke_path(api_id, "dev", "/secret")
    for _ in range(2):
        assert request(endpoint, "GET", path, headers={"Authorization": "allow"})[0] == 200
    assert len(calls_of(calls)) == 1  # cached
    apigw.flush_stage_authorizers_cache(restApiId=api_id, stageName="dev")
    assert request(endpoint, "GET", path, headers={"Authorization": "allow"})[0] == 200
    assert len(calls_of(calls)) == 2  # asked again
    assert request(endpoint, "GET", path, headers={"Authorization": "allow"})[0] == 200
    assert len(calls_of(calls)) == 2

    run = aws_cli_runner(endpoint, tmp_path)
    run("apigateway", "flush-stage-cache", "--rest-api-id", api_id, "--stage-name", "dev")
    for op in ("flush_stage_cache", "flush_stage_authorizers_cache"):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            getattr(apigw, op)(restApiId=api_id, stageName="nope")
        assert e.value.response["Error"]["Code"] == "NotFoundException"


def test_http_api_setting_deletions(clients, endpoint):  # noqa: F811
    v2 = clients("apigatewayv2")
    api_id = v2.create_api(Name="settings", ProtocolType="HTTP")["ApiId"]
    route = v2.create_route(ApiId=api_id, RouteKey="GET /items",
                            RequestParameters={"route.request.querystring.q":
                                               {"Required": False}})["RouteId"]
    v2.create_stage(ApiId=api_id, StageName="dev", AccessLogSettings={
        "DestinationArn": "arn:aws:logs:us-east-1:000000000000:log-group:settings",
        "Format": "$context.requestId"},
        RouteSettings={"GET /items": {"ThrottlingBurstLimit": 5}})

    v2.delete_access_log_settings(ApiId=api_id, StageName="dev")
    assert "AccessLogSettings" not in v2.get_stage(ApiId=api_id, StageName="dev")
    v2.delete_route_settings(ApiId=api_id, StageName="dev", RouteKey="GET /items")
    assert not v2.get_stage(ApiId=api_id, StageName="dev").get("RouteSettings")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        v2.delete_route_settings(ApiId=api_id, StageName="dev", RouteKey="GET /items")
    assert e.value.response["Error"]["Code"] == "NotFoundException"

    v2.delete_route_request_parameter(ApiId=api_id, RouteId=route,
                                      RequestParameterKey="route.request.querystring.q")
    assert not v2.get_route(ApiId=api_id, RouteId=route).get("RequestParameters")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        v2.delete_route_request_parameter(ApiId=api_id, RouteId=route,
                                          RequestParameterKey="route.request.querystring.q")
    assert e.value.response["Error"]["Code"] == "NotFoundException"

    v2.reset_authorizers_cache(ApiId=api_id, StageName="dev")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        v2.reset_authorizers_cache(ApiId=api_id, StageName="nope")
    assert e.value.response["Error"]["Code"] == "NotFoundException"
