"""HTTP APIs (apigatewayv2) Lambda authorizers and CORS with boto3, requests sent with urllib.

AWS's documented behaviour (Developer Guide, "Working with AWS Lambda authorizers for HTTP
APIs" and "Configuring CORS for an HTTP API"):
- A REQUEST authorizer's identity sources ($request.header.*, $request.querystring.*,
  $context.*, $stageVariables.*) must all be present and non-empty, else API Gateway answers
  401 {"message":"Unauthorized"} without invoking the function.
- Payload format 2.0 events carry version, type REQUEST, routeArn, identitySource (a list),
  routeKey, rawPath, rawQueryString, cookies, headers, queryStringParameters, requestContext,
  pathParameters, stageVariables; 1.0 events carry methodArn, identitySource and
  authorizationToken as strings with the REST-style request members.
- EnableSimpleResponses (2.0 only): {"isAuthorized": bool, "context": {...}}; otherwise an IAM
  policy evaluated against arn:aws:execute-api:region:account:apiId/stage/METHOD/path. Not
  authorized: 403 {"message":"Forbidden"}; the context reaches a 2.0 integration as
  requestContext.authorizer.lambda, a 1.0 one as requestContext.authorizer.
- AuthorizerResultTtlInSeconds caches the result keyed by the identity sources' values.
- With a CorsConfiguration API Gateway answers preflight OPTIONS requests itself (even
  without an OPTIONS route, before any authorizer) and adds Access-Control-Allow-Origin,
  -Allow-Credentials and -Expose-Headers to responses for an allowed Origin, ignoring CORS
  headers from the integration.
"""

import json
import textwrap
import urllib.error
import urllib.parse
import urllib.request

import botocore.exceptions
import pytest

from apigateway_helpers import ROLE, create_echo_function
from harness import make_client
from lambda_helpers import zip_one

AUTHORIZER = textwrap.dedent("""
    import json, os
    def handler(event, context):
        with open(os.environ["CALLS"], "a") as f:
            f.write(json.dumps(event) + "\\n")
        who = (event.get("headers") or {}).get("x-who") or (event.get("headers") or {}).get("X-Who", "")
        if who == "broken":
            return {"nope": True}
        if os.environ.get("SIMPLE"):
            return {"isAuthorized": who.startswith("allow"), "context": {"who": who, "n": 3}}
        arn = event.get("routeArn") or event["methodArn"]
        resource = arn if who != "allow-other" else arn.rsplit("/", 2)[0] + "/DELETE/*"
        effect = "Allow" if who.startswith("allow") else "Deny"
        return {"principalId": "user-" + who,
                "policyDocument": {"Version": "2012-10-17", "Statement": [
                    {"Action": "execute-api:Invoke", "Effect": effect, "Resource": resource}]},
                "context": {"who": who}}
""")


@pytest.fixture
def clients(endpoint):
    def client(service, **config):
        return make_client(endpoint, service=service, access_key="000000000000", **config)
    return client


def call(endpoint, api_id, method, path, headers=None, body=None):
    """(status, headers lower-cased, body) of a request through urllib to the API's URL."""
    url = "%s/restapis/%s/$default/_user_request_%s" % (endpoint, api_id, path)
    req = urllib.request.Request(url, method=method, headers=headers or {},
                                 data=body.encode() if body else None)
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    except urllib.error.HTTPError as e:
        return e.code, {k.lower(): v for k, v in e.headers.items()}, e.read()


def calls_of(path):
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def authorizer_function(lam, tmp_path, name, simple=False):
    calls = tmp_path / ("calls-" + name)
    env = {"CALLS": str(calls)}
    if simple:
        env["SIMPLE"] = "1"
    fn = lam.create_function(FunctionName=name, Runtime="python3.12", Role=ROLE,
                             Handler="app.handler", Timeout=10,
                             Environment={"Variables": env},
                             Code={"ZipFile": zip_one("app.py", AUTHORIZER)})["FunctionArn"]
    return fn, calls


def api_with_route(v2, echo, version="2.0", **api_args):
    api_id = v2.create_api(Name="auth", ProtocolType="HTTP", **api_args)["ApiId"]
    integ = v2.create_integration(ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationUri=echo,
                                  PayloadFormatVersion=version)["IntegrationId"]
    v2.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True,
                    StageVariables={"tier": "gold"})
    return api_id, integ


def test_simple_response_authorizer_payload_20(clients, endpoint, tmp_path):
    v2, lam = clients("apigatewayv2"), clients("lambda", read_timeout=60)
    fn, calls = authorizer_function(lam, tmp_path, "simple-auth", simple=True)
    echo = create_echo_function(lam, name="echo-simple")
    api_id, integ = api_with_route(v2, echo)
    uri = ("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/%s/invocations" % fn)
    auth = v2.create_authorizer(ApiId=api_id, Name="simple", AuthorizerType="REQUEST",
                                AuthorizerUri=uri, AuthorizerPayloadFormatVersion="2.0",
                                EnableSimpleResponses=True,
                                IdentitySource=["$request.header.X-Who",
                                                "$request.querystring.q",
                                                "$stageVariables.tier", "$context.stage"],
                                AuthorizerResultTtlInSeconds=300)
    assert auth["AuthorizerType"] == "REQUEST" and auth["EnableSimpleResponses"] is True
    assert v2.get_authorizer(ApiId=api_id, AuthorizerId=auth["AuthorizerId"])["Name"] == "simple"
    assert [a["AuthorizerId"] for a in v2.get_authorizers(ApiId=api_id)["Items"]] == \
        [auth["AuthorizerId"]]
    route = v2.create_route(ApiId=api_id, RouteKey="GET /items/{id}",
                            Target="integrations/" + integ, AuthorizationType="CUSTOM",
                            AuthorizerId=auth["AuthorizerId"])
    assert route["AuthorizationType"] == "CUSTOM"

    # A missing identity source: 401 without invoking.
    status, _, body = call(endpoint, api_id, "GET", "/items/7?q=1")
    assert (status, json.loads(body)) == (401, {"message": "Unauthorized"})
    assert calls_of(calls) == []

    status, _, body = call(endpoint, api_id, "GET", "/items/7?q=1&r=2",
                           headers={"X-Who": "allow-ann", "Cookie": "c=1"})
    assert status == 200, body
    event = json.loads(body)["event"]
    assert event["requestContext"]["authorizer"] == {"lambda": {"who": "allow-ann", "n": 3}}
    [auth_event] = calls_of(calls)
    assert auth_event["version"] == "2.0" and auth_event["type"] == "REQUEST"
    assert auth_event["routeArn"] == \
        "arn:aws:execute-api:us-east-1:000000000000:%s/$default/GET/items/7" % api_id
    assert auth_event["identitySource"] == ["allow-ann", "1", "gold", "$default"]
    assert auth_event["routeKey"] == "GET /items/{id}"
    assert auth_event["rawPath"] == "/items/7" and auth_event["rawQueryString"] == "q=1&r=2"
    assert auth_event["cookies"] == ["c=1"]
    assert auth_event["queryStringParameters"] == {"q": "1", "r": "2"}
    assert auth_event["pathParameters"] == {"id": "7"}
    assert auth_event["stageVariables"] == {"tier": "gold"}
    assert auth_event["requestContext"]["http"]["method"] == "GET"
    assert "body" not in auth_event

    # Cached by the identity sources' values: no second call; another identity asks again.
    assert call(endpoint, api_id, "GET", "/items/8?q=1",
                headers={"X-Who": "allow-ann"})[0] == 200
    assert len(calls_of(calls)) == 1
    status, _, body = call(endpoint, api_id, "GET", "/items/7?q=1", headers={"X-Who": "bob"})
    assert (status, json.loads(body)) == (403, {"message": "Forbidden"})
    assert len(calls_of(calls)) == 2
    status, _, body = call(endpoint, api_id, "GET", "/items/7?q=1", headers={"X-Who": "broken"})
    assert (status, json.loads(body)) == (500, {"message": "Internal Server Error"})

    # Updating and deleting: a route's authorizer cannot go.
    v2.update_authorizer(ApiId=api_id, AuthorizerId=auth["AuthorizerId"],
                         AuthorizerResultTtlInSeconds=0)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        v2.delete_authorizer(ApiId=api_id, AuthorizerId=auth["AuthorizerId"])
    assert e.value.response["Error"]["Code"] == "BadRequestException"
    v2.update_route(ApiId=api_id, RouteId=route["RouteId"], AuthorizationType="NONE")
    v2.delete_authorizer(ApiId=api_id, AuthorizerId=auth["AuthorizerId"])
    assert call(endpoint, api_id, "GET", "/items/7")[0] == 200
    with pytest.raises(botocore.exceptions.ClientError) as e:
        v2.get_authorizer(ApiId=api_id, AuthorizerId=auth["AuthorizerId"])
    assert e.value.response["Error"]["Code"] == "NotFoundException"


def test_policy_authorizer_payload_10(clients, endpoint, tmp_path):
    v2, lam = clients("apigatewayv2"), clients("lambda", read_timeout=60)
    fn, calls = authorizer_function(lam, tmp_path, "policy-auth")
    echo = create_echo_function(lam, name="echo-policy")
    api_id, integ = api_with_route(v2, echo, version="1.0")
    auth = v2.create_authorizer(ApiId=api_id, Name="policy", AuthorizerType="REQUEST",
                                AuthorizerUri=fn, AuthorizerPayloadFormatVersion="1.0",
                                IdentitySource=["$request.header.X-Who"])
    v2.create_route(ApiId=api_id, RouteKey="ANY /{proxy+}", Target="integrations/" + integ,
                    AuthorizationType="CUSTOM", AuthorizerId=auth["AuthorizerId"])

    status, _, body = call(endpoint, api_id, "POST", "/a/b", headers={"X-Who": "allow-1"},
                           body="x")
    assert status == 200, body
    event = json.loads(body)["event"]
    assert event["requestContext"]["authorizer"] == {"who": "allow-1",
                                                     "principalId": "user-allow-1"}
    [auth_event] = calls_of(calls)
    assert auth_event["version"] == "1.0" and auth_event["type"] == "REQUEST"
    assert auth_event["methodArn"] == \
        "arn:aws:execute-api:us-east-1:000000000000:%s/$default/POST/a/b" % api_id
    assert auth_event["identitySource"] == "allow-1"
    assert auth_event["authorizationToken"] == "allow-1"
    assert auth_event["httpMethod"] == "POST" and auth_event["headers"]["X-Who"] == "allow-1"

    # No caching by default (TTL 0); an Allow for another resource is no Allow; Deny is 403.
    status, _, body = call(endpoint, api_id, "GET", "/a", headers={"X-Who": "allow-other"})
    assert (status, json.loads(body)) == (403, {"message": "Forbidden"})
    assert call(endpoint, api_id, "GET", "/a", headers={"X-Who": "deny"})[0] == 403
    assert call(endpoint, api_id, "GET", "/a", headers={"X-Who": "allow-1"})[0] == 200
    assert len(calls_of(calls)) == 4

    # What CreateAuthorizer refuses.
    for bad in [dict(AuthorizerPayloadFormatVersion="1.0", EnableSimpleResponses=True,
                     IdentitySource=["$request.header.X-Who"]),
                dict(AuthorizerPayloadFormatVersion="2.0", AuthorizerResultTtlInSeconds=60,
                     IdentitySource=[]),
                dict(AuthorizerPayloadFormatVersion="2.0", IdentitySource=["header.x"])]:
        with pytest.raises(botocore.exceptions.ClientError) as e:
            v2.create_authorizer(ApiId=api_id, Name="bad", AuthorizerType="REQUEST",
                                 AuthorizerUri=fn, **bad)
        assert e.value.response["Error"]["Code"] == "BadRequestException"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        v2.create_route(ApiId=api_id, RouteKey="GET /x", Target="integrations/" + integ,
                        AuthorizationType="CUSTOM", AuthorizerId="nope")
    assert e.value.response["Error"]["Code"] == "NotFoundException"


def test_cors_configuration(clients, endpoint, tmp_path):
    v2, lam = clients("apigatewayv2"), clients("lambda", read_timeout=60)
    fn, calls = authorizer_function(lam, tmp_path, "cors-auth", simple=True)
    echo = create_echo_function(lam, name="echo-cors")
    cors = {"AllowOrigins": ["https://app.example"], "AllowMethods": ["GET", "POST"],
            "AllowHeaders": ["content-type", "x-who"], "ExposeHeaders": ["x-fn"],
            "MaxAge": 600, "AllowCredentials": True}
    api = v2.create_api(Name="cors", ProtocolType="HTTP", CorsConfiguration=cors)
    assert api["CorsConfiguration"] == cors
    api_id = api["ApiId"]
    integ = v2.create_integration(ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationUri=echo,
                                  PayloadFormatVersion="2.0")["IntegrationId"]
    v2.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
    auth = v2.create_authorizer(ApiId=api_id, Name="a", AuthorizerType="REQUEST",
                                AuthorizerUri=fn, AuthorizerPayloadFormatVersion="2.0",
                                EnableSimpleResponses=True,
                                IdentitySource=["$request.header.X-Who"])
    v2.create_route(ApiId=api_id, RouteKey="ANY /items", Target="integrations/" + integ,
                    AuthorizationType="CUSTOM", AuthorizerId=auth["AuthorizerId"])

    # The preflight: answered by API Gateway, before the authorizer.
    status, headers, _ = call(endpoint, api_id, "OPTIONS", "/items", headers={
        "Origin": "https://app.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "Content-Type, X-Who"})
    assert status == 204
    assert headers["access-control-allow-origin"] == "https://app.example"
    assert headers["access-control-allow-methods"] == "GET,POST"
    assert headers["access-control-allow-headers"] == "content-type,x-who"
    assert headers["access-control-max-age"] == "600"
    assert headers["access-control-allow-credentials"] == "true"
    assert calls_of(calls) == []
    # Not allowed (origin, method or a header): 204 without CORS headers.
    for asked in [{"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"},
                  {"Origin": "https://app.example", "Access-Control-Request-Method": "DELETE"},
                  {"Origin": "https://app.example", "Access-Control-Request-Method": "GET",
                   "Access-Control-Request-Headers": "x-other"}]:
        status, headers, _ = call(endpoint, api_id, "OPTIONS", "/items", headers=asked)
        assert status == 204 and "access-control-allow-origin" not in headers

    # Normal responses (and the authorizer's 401) get the headers for an allowed origin.
    status, headers, _ = call(endpoint, api_id, "GET", "/items",
                              headers={"Origin": "https://app.example", "X-Who": "allow"})
    assert status == 200
    assert headers["access-control-allow-origin"] == "https://app.example"
    assert headers["access-control-expose-headers"] == "x-fn"
    assert headers["access-control-allow-credentials"] == "true"
    status, headers, _ = call(endpoint, api_id, "GET", "/items",
                              headers={"Origin": "https://app.example"})
    assert status == 401 and headers["access-control-allow-origin"] == "https://app.example"
    status, headers, _ = call(endpoint, api_id, "GET", "/items",
                              headers={"Origin": "https://evil.example", "X-Who": "allow"})
    assert status == 200 and "access-control-allow-origin" not in headers

    # UpdateApi replaces it; "*" with credentials is refused; DeleteCorsConfiguration.
    v2.update_api(ApiId=api_id, CorsConfiguration={"AllowOrigins": ["*"],
                                                     "AllowMethods": ["*"]})
    status, headers, _ = call(endpoint, api_id, "OPTIONS", "/anything", headers={
        "Origin": "https://x.example", "Access-Control-Request-Method": "PUT"})
    assert status == 204 and headers["access-control-allow-origin"] == "*"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        v2.update_api(ApiId=api_id, CorsConfiguration={"AllowOrigins": ["*"],
                                                         "AllowCredentials": True})
    assert e.value.response["Error"]["Code"] == "BadRequestException"
    v2.delete_cors_configuration(ApiId=api_id)
    assert "CorsConfiguration" not in v2.get_api(ApiId=api_id)
    status, headers, _ = call(endpoint, api_id, "GET", "/items",
                              headers={"Origin": "https://x.example", "X-Who": "allow"})
    assert status == 200 and "access-control-allow-origin" not in headers
