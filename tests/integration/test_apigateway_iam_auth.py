"""AWS_IAM authorization on REST API methods and HTTP API routes, with requests signed by
botocore's SigV4Auth for the execute-api service (and unsigned ones).

AWS's documented behaviour: a method or route with authorization type AWS_IAM needs a SigV4
signature; unsigned requests get 403 {"message":"Missing Authentication Token"} (REST) or
403 {"message":"Forbidden"} (HTTP API); a wrong signature 403 with the signature mismatch text;
the caller reaches the integration as requestContext.identity (accessKey, accountId, caller,
user, userArn) and, in HTTP API payload 2.0 events, requestContext.authorizer.iam. tidepool
checks every signature by a key it knows (IAM-issued or from --credentials-file); in the default
--auth mode a key it does not know passes as the root of its account."""

import json

import pytest

from apigateway_helpers import create_echo_function, invoke_path, lambda_uri
from apigateway_helpers import send_signed as send
from harness import make_client


@pytest.fixture
def clients(endpoint):
    def client(service, **config):
        return make_client(endpoint, service=service, access_key="000000000000", **config)
    return client


def iam_user_key(clients):
    iam = clients("iam")
    user = iam.create_user(UserName="caller")["User"]
    key = iam.create_access_key(UserName="caller")["AccessKey"]
    return user, (key["AccessKeyId"], key["SecretAccessKey"])


def rest_api(apigw, function_arn):
    api = apigw.create_rest_api(name="iam")
    api_id = api["id"]
    who = apigw.create_resource(restApiId=api_id, parentId=api["rootResourceId"],
                                pathPart="who")["id"]
    apigw.put_method(restApiId=api_id, resourceId=who, httpMethod="POST",
                     authorizationType="AWS_IAM")
    apigw.put_integration(restApiId=api_id, resourceId=who, httpMethod="POST", type="AWS_PROXY",
                          integrationHttpMethod="POST", uri=lambda_uri(function_arn))
    apigw.create_deployment(restApiId=api_id, stageName="dev")
    return api_id


def test_rest_method_with_aws_iam(clients, endpoint):
    apigw, lam = clients("apigateway"), clients("lambda", read_timeout=60)
    user, key = iam_user_key(clients)
    api_id = rest_api(apigw, create_echo_function(lam))
    path = invoke_path(api_id, "dev", "/who")

    status, headers, body = send(endpoint, "POST", path, b'{"x": 1}')
    assert (status, json.loads(body)) == (403, {"message": "Missing Authentication Token"})
    assert headers["x-amzn-errortype"] == "MissingAuthenticationTokenException"

    status, _, body = send(endpoint, "POST", path, b'{"x": 1}', key)
    assert status == 200, body
    event = json.loads(body)["event"]
    identity = event["requestContext"]["identity"]
    assert identity["accessKey"] == key[0]
    assert identity["accountId"] == "000000000000"
    assert identity["userArn"] == user["Arn"]
    assert identity["caller"] == identity["user"] == user["UserId"]
    assert event["body"] == '{"x": 1}'

    status, headers, body = send(endpoint, "POST", path, b"{}", (key[0], "wrong" + key[1]))
    assert status == 403
    assert json.loads(body)["message"].startswith(
        "The request signature we calculated does not match")
    status, _, body = send(endpoint, "POST", path, b"{}", key, service="s3")
    assert (status, json.loads(body)) == (403, {
        "message": "Credential should be scoped to correct service: 'execute-api'. "})

    # A key tidepool does not know passes in the default --auth mode, as the account's root.
    status, _, body = send(endpoint, "POST", path, b"{}", ("123456789012", "any"))
    assert status == 200, body
    identity = json.loads(body)["event"]["requestContext"]["identity"]
    assert identity["userArn"] == "arn:aws:iam::123456789012:root"
    assert identity["accountId"] == "123456789012"


def test_unknown_key_refused_with_auth_strict(tidepool_factory, tmp_path):
    credentials = tmp_path / "credentials"
    credentials.write_text("[a]\naws_access_key_id = AKIDSTRICT\n"
                           "aws_secret_access_key = s3cret\naccount_id = 000000000000\n")
    server = tidepool_factory(args=["--auth", "strict", "--credentials-file", str(credentials)])
    apigw = make_client(server.endpoint, service="apigateway", access_key="AKIDSTRICT",
                        secret_key="s3cret")
    api = apigw.create_rest_api(name="strict")
    apigw.put_method(restApiId=api["id"], resourceId=api["rootResourceId"], httpMethod="GET",
                     authorizationType="AWS_IAM")
    apigw.put_integration(restApiId=api["id"], resourceId=api["rootResourceId"],
                          httpMethod="GET", type="MOCK",
                          requestTemplates={"application/json": '{"statusCode": 200}'})
    apigw.put_method_response(restApiId=api["id"], resourceId=api["rootResourceId"],
                              httpMethod="GET", statusCode="200")
    apigw.put_integration_response(restApiId=api["id"], resourceId=api["rootResourceId"],
                                   httpMethod="GET", statusCode="200",
                                   responseTemplates={"application/json": '{"ok": true}'})
    apigw.create_deployment(restApiId=api["id"], stageName="dev")
    path = invoke_path(api["id"], "dev", "/")
    status, _, body = send(server.endpoint, "GET", path, key=("AKIDOTHER", "x"))
    assert (status, json.loads(body)) == (403, {
        "message": "The security token included in the request is invalid."})
    status, _, body = send(server.endpoint, "GET", path, key=("AKIDSTRICT", "s3cret"))
    assert (status, json.loads(body)) == (200, {"ok": True})


def test_http_api_route_with_aws_iam(clients, endpoint):
    v2, lam = clients("apigatewayv2"), clients("lambda", read_timeout=60)
    user, key = iam_user_key(clients)
    fn = create_echo_function(lam)
    api_id = v2.create_api(Name="iam", ProtocolType="HTTP")["ApiId"]
    routes = {}
    for version in ("2.0", "1.0"):
        integration = v2.create_integration(ApiId=api_id, IntegrationType="AWS_PROXY",
                                            IntegrationUri=fn, PayloadFormatVersion=version)
        routes[version] = v2.create_route(ApiId=api_id, RouteKey="POST /v" + version[0],
                                          AuthorizationType="AWS_IAM",
                                          Target="integrations/" + integration["IntegrationId"])
    assert routes["2.0"]["AuthorizationType"] == "AWS_IAM"
    v2.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)

    status, _, body = send(endpoint, "POST", "/restapis/%s/$default/_user_request_/v2" % api_id)
    assert (status, json.loads(body)) == (403, {"message": "Forbidden"})

    status, _, body = send(endpoint, "POST", "/restapis/%s/$default/_user_request_/v2" % api_id,
                           b"{}", key)
    assert status == 200, body
    iam = json.loads(body)["event"]["requestContext"]["authorizer"]["iam"]
    assert iam == {"accessKey": key[0], "accountId": "000000000000", "callerId": user["UserId"],
                   "cognitoIdentity": None, "principalOrgId": None, "userArn": user["Arn"],
                   "userId": user["UserId"]}

    status, _, body = send(endpoint, "POST", "/restapis/%s/$default/_user_request_/v1" % api_id,
                           b"{}", key)
    assert status == 200, body
    identity = json.loads(body)["event"]["requestContext"]["identity"]
    assert (identity["accessKey"], identity["userArn"]) == (key[0], user["Arn"])

    status, _, body = send(endpoint, "POST", "/restapis/%s/$default/_user_request_/v2" % api_id,
                           b"{}", (key[0], "bad"))
    assert status == 403
    assert json.loads(body)["message"].startswith(
        "The request signature we calculated does not match")
