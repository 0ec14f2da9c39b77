"""API Gateway Lambda authorizers with boto3: TOKEN and REQUEST authorizers allow and deny by
their policy document against the method ARN, 401 for a missing identity or an
"Unauthorized" error, result caching by identity with its TTL, and the authorizer's
principalId and context reaching the integration."""

import json
import os
import textwrap

import botocore.exceptions
import pytest

from apigateway_helpers import (ROLE, body_json, create_echo_function, invoke_path, lambda_uri,
                                request)
from harness import make_client
from lambda_helpers import zip_one

AUTHORIZER = textwrap.dedent("""
    import json, os
    def handler(event, context):
        with open(os.environ["CALLS"], "a") as f:
            f.write(json.dumps(event) + "\\n")
        token = event.get("authorizationToken") or (event.get("headers") or {}).get("X-Who", "")
        if token == "fail":
            raise Exception("Unauthorized")
        if token == "broken":
            return {"nope": True}
        effect = "Allow" if token.startswith("allow") else "Deny"
        resource = event["methodArn"] if token != "allow-other" else "arn:aws:execute-api:*:*:*/*/DELETE/*"
        return {"principalId": "user-" + token,
                "policyDocument": {"Version": "2012-10-17", "Statement": [
                    {"Action": "execute-api:Invoke", "Effect": effect, "Resource": resource}]},
                "context": {"tier": "gold", "n": 3, "ok": True}}
""")


@pytest.fixture
def clients(endpoint):
    def client(service, **config):
        return make_client(endpoint, service=service, access_key="000000000000", **config)
    return client


def authorized_api(apigw, lam, tmp_path, auth_type, ttl):
    calls = tmp_path / "calls"
    auth_fn = lam.create_function(
        FunctionName="auth-" + auth_type.lower(), Runtime="python3.12", Role=ROLE,
        Handler="app.handler", Timeout=10, Environment={"Variables": {"CALLS": str(calls)}},
        Code={"ZipFile": zip_one("app.py", AUTHORIZER)})["FunctionArn"]
    echo = create_echo_function(lam, name="echo-" + auth_type.lower())
    api = apigw.create_rest_api(name="auth")
    api_id, root = api["id"], api["rootResourceId"]
    source = ("method.request.header.Authorization" if auth_type == "TOKEN"
              else "method.request.header.X-Who, method.request.querystring.q")
    kwargs = {"identityValidationExpression": "^[a-z-]+$"} if auth_type == "TOKEN" else {}
    authorizer = apigw.create_authorizer(restApiId=api_id, name="a", type=auth_type,
                                         authorizerUri=lambda_uri(auth_fn),
                                         identitySource=source,
                                         authorizerResultTtlInSeconds=ttl, **kwargs)
    assert authorizer["authorizerResultTtlInSeconds"] == ttl
    res = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="secret")["id"]
    apigw.put_method(restApiId=api_id, resourceId=res, httpMethod="GET",
                     authorizationType="CUSTOM", authorizerId=authorizer["id"])
    apigw.put_integration(restApiId=api_id, resourceId=res, httpMethod="GET", type="AWS_PROXY",
                          integrationHttpMethod="POST", uri=lambda_uri(echo))
    apigw.create_deployment(restApiId=api_id, stageName="dev")
    return api_id, authorizer["id"], calls


def calls_of(path):
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_token_authorizer(clients, endpoint, tmp_path):
    apigw, lam = clients("apigateway"), clients("lambda", read_timeout=60)
    api_id, auth_id, calls = authorized_api(apigw, lam, tmp_path, "TOKEN", 300)
    path = invoke_path(api_id, "dev", "/secret")

    status, _, body = request(endpoint, "GET", path)
    assert (status, body_json(body)) == (401, {"message": "Unauthorized"})
    status, _, _ = request(endpoint, "GET", path, headers={"Authorization": "NOT VALID!"})
    assert status == 401  # identityValidationExpression, without calling the function
    assert calls_of(calls) == []

    status, _, body = request(endpoint, "GET", path, headers={"Authorization": "allow"})
    assert status == 200, body
    event = body_json(body)["event"]
    assert event["requestContext"]["authorizer"] == {"principalId": "user-allow", "tier": "gold",
                                                     "n": 3, "ok": True}
    first = calls_of(calls)
    assert len(first) == 1 and first[0]["type"] == "TOKEN"
    assert first[0]["authorizationToken"] == "allow"
    assert first[0]["methodArn"] == \
        "arn:aws:execute-api:us-east-1:000000000000:%s/dev/GET/secret" % api_id
    # Cached for the same token: the function is not asked again.
    assert request(endpoint, "GET", path, headers={"Authorization": "allow"})[0] == 200
    assert len(calls_of(calls)) == 1

    status, _, body = request(endpoint, "GET", path, headers={"Authorization": "deny"})
    assert status == 403
    assert body_json(body) == {
        "Message": "User is not authorized to access this resource with an explicit deny"}
    status, _, body = request(endpoint, "GET", path, headers={"Authorization": "allow-other"})
    assert (status, body_json(body)) == (
        403, {"Message": "User is not authorized to access this resource"})
    status, _, body = request(endpoint, "GET", path, headers={"Authorization": "fail"})
    assert (status, body_json(body)) == (401, {"message": "Unauthorized"})
    status, _, _ = request(endpoint, "GET", path, headers={"Authorization": "broken"})
    assert status == 500

    # Management: get, list, update, and no delete while a method uses it.
    assert apigw.get_authorizer(restApiId=api_id, authorizerId=auth_id)["type"] == "TOKEN"
    assert [a["id"] for a in apigw.get_authorizers(restApiId=api_id)["items"]] == [auth_id]
    updated = apigw.update_authorizer(restApiId=api_id, authorizerId=auth_id, patchOperations=[
        {"op": "replace", "path": "/authorizerResultTtlInSeconds", "value": "0"}])
    assert updated["authorizerResultTtlInSeconds"] == 0
    with pytest.raises(botocore.exceptions.ClientError) as e:
        apigw.delete_authorizer(restApiId=api_id, authorizerId=auth_id)
    assert e.value.response["Error"]["Code"] == "ConflictException"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        apigw.create_authorizer(restApiId=api_id, name="c", type="COGNITO_USER_POOLS",
                                providerARNs=["arn:aws:cognito-idp:us-east-1:1:userpool/x"],
                                identitySource="method.request.header.Authorization")
    assert e.value.response["Error"]["Code"] == "BadRequestException"


def test_request_authorizer_without_cache(clients, endpoint, tmp_path):
    apigw, lam = clients("apigateway"), clients("lambda", read_timeout=60)
    api_id, _, calls = authorized_api(apigw, lam, tmp_path, "REQUEST", 0)
    path = invoke_path(api_id, "dev", "/secret")
    # Both identity sources are required.
    status, _, _ = request(endpoint, "GET", path, headers={"X-Who": "allow"})
    assert status == 401
    for _ in range(2):
        status, _, body = request(endpoint, "GET", path + "?q=1", headers={"X-Who": "allow"})
        assert status == 200, body
    seen = calls_of(calls)
    assert len(seen) == 2  # TTL 0: asked every time
    assert seen[0]["type"] == "REQUEST"
    assert seen[0]["queryStringParameters"] == {"q": "1"}
    assert seen[0]["headers"]["X-Who"] == "allow"
    status, _, _ = request(endpoint, "GET", path + "?q=1", headers={"X-Who": "deny"})
    assert status == 403
