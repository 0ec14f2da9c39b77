"""Helpers for API Gateway tests: raw HTTP requests to invoke URLs and small REST APIs."""

import http.client
import json
import textwrap
import urllib.parse

from botocore.auth import SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from lambda_helpers import zip_one

ROLE = "arn:aws:iam::000000000000:role/lambda-role"

# A function that answers what the proxy event held, or a response the event's body asks for.
ECHO_HANDLER = textwrap.dedent("""
    import base64, json, time
    def handler(event, context):
        body = event.get("body") or ""
        if body.startswith("{"):
            ask = json.loads(body)
            if "respond" in ask:
                return ask["respond"]
            if ask.get("fail"):
                raise ValueError("asked to fail")
            if ask.get("sleep"):
                time.sleep(ask["sleep"])
        return {"statusCode": 200,
                "headers": {"Content-Type": "application/json", "X-Fn": "echo"},
                "multiValueHeaders": {"X-Multi": ["a", "b"]},
                "body": json.dumps({"event": event, "fn": context.function_name})}
""")


def create_echo_function(lam, name="echo"):
    fn = lam.create_function(FunctionName=name, Runtime="python3.12", Role=ROLE,
                             Handler="app.handler", Timeout=10,
                             Code={"ZipFile": zip_one("app.py", ECHO_HANDLER)})
    return fn["FunctionArn"]


def lambda_uri(function_arn, region="us-east-1"):
    return ("arn:aws:apigateway:%s:lambda:path/2015-03-31/functions/%s/invocations"
            % (region, function_arn))


def request(endpoint, method, path, body=None, headers=None, host=None):
    """(status, headers dict lower-cased, body bytes) of one HTTP request to `endpoint`."""
    parsed = urllib.parse.urlparse(endpoint)
    conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)
    hdrs = dict(headers or {})
    if host:
        hdrs["Host"] = host
    if isinstance(body, str):
        body = body.encode()
    conn.request(method, path, body=body, headers=hdrs)
    resp = conn.getresponse()
    data = resp.read()
    out = (resp.status, {k.lower(): v for k, v in resp.getheaders()}, data)
    multi = resp.msg.get_all("X-Multi")
    conn.close()
    if multi:
        out[1]["x-multi"] = multi
    return out


def invoke_path(api_id, stage, path):
    return "/restapis/%s/%s/_user_request_%s" % (api_id, stage, path)


def host_of(api_id, endpoint):
    return "%s.execute-api.localhost:%d" % (api_id, urllib.parse.urlparse(endpoint).port)


def build_mock_api(apigw, name="mock-api"):
    """An API with GET /hello (MOCK, 200 with a static JSON body and a header) and OPTIONS /hello
    (a CORS preflight), deployed to stage `dev`. Returns the API id."""
    api = apigw.create_rest_api(name=name)
    api_id, root = api["id"], api["rootResourceId"]
    hello = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="hello")["id"]
    apigw.put_method(restApiId=api_id, resourceId=hello, httpMethod="GET",
                     authorizationType="NONE")
    apigw.put_integration(restApiId=api_id, resourceId=hello, httpMethod="GET", type="MOCK",
                          requestTemplates={"application/json": '{"statusCode": 200}'})
    apigw.put_method_response(restApiId=api_id, resourceId=hello, httpMethod="GET",
                              statusCode="200",
                              responseParameters={"method.response.header.X-Mock": True})
    apigw.put_integration_response(
        restApiId=api_id, resourceId=hello, httpMethod="GET", statusCode="200",
        responseTemplates={"application/json": json.dumps({"hello": "world"})},
        responseParameters={"method.response.header.X-Mock": "'yes'"})
    apigw.put_method(restApiId=api_id, resourceId=hello, httpMethod="OPTIONS",
                     authorizationType="NONE")
    apigw.put_integration(restApiId=api_id, resourceId=hello, httpMethod="OPTIONS", type="MOCK",
                          requestTemplates={"application/json": '{"statusCode": 200}'})
    apigw.put_method_response(restApiId=api_id, resourceId=hello, httpMethod="OPTIONS",
                              statusCode="200", responseParameters={
                                  "method.response.header.Access-Control-Allow-Origin": True,
                                  "method.response.header.Access-Control-Allow-Methods": True})
    apigw.put_integration_response(
        restApiId=api_id, resourceId=hello, httpMethod="OPTIONS", statusCode="200",
        responseParameters={
            "method.response.header.Access-Control-Allow-Origin": "'*'",
            "method.response.header.Access-Control-Allow-Methods": "'GET,OPTIONS'"})
    apigw.create_deployment(restApiId=api_id, stageName="dev")
    return api_id


def build_proxy_api(apigw, function_arn, name="proxy-api", timeout_ms=None,
                    api_key_required=False):
    """An API with ANY /{proxy+} and GET / to `function_arn` (AWS_PROXY), plus
    /items/{id} (GET), deployed to stage `dev` with a stage variable. Returns the API id."""
    api = apigw.create_rest_api(name=name, binaryMediaTypes=["application/octet-stream"])
    api_id, root = api["id"], api["rootResourceId"]
    proxy = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="{proxy+}")["id"]
    items = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="items")["id"]
    item = apigw.create_resource(restApiId=api_id, parentId=items, pathPart="{id}")["id"]
    for resource, verb in ((proxy, "ANY"), (root, "GET"), (item, "GET")):
        apigw.put_method(restApiId=api_id, resourceId=resource, httpMethod=verb,
                         authorizationType="NONE", apiKeyRequired=api_key_required)
        extra = {"timeoutInMillis": timeout_ms} if timeout_ms else {}
        apigw.put_integration(restApiId=api_id, resourceId=resource, httpMethod=verb,
                              type="AWS_PROXY", integrationHttpMethod="POST",
                              uri=lambda_uri(function_arn), **extra)
    apigw.create_deployment(restApiId=api_id, stageName="dev", variables={"color": "blue"})
    return api_id


def body_json(data):
    return json.loads(data.decode())


def put_mock_method(apigw, api_id, resource_id, verb, response_template, headers=None,
                    **method_args):
    """A MOCK method answering 200 with `response_template`; `headers` maps method response
    headers to their values ("'literal'" or integration.response.header.*); `method_args` go
    to put_method (authorizationType defaults to NONE)."""
    method_args.setdefault("authorizationType", "NONE")
    apigw.put_method(restApiId=api_id, resourceId=resource_id, httpMethod=verb, **method_args)
    apigw.put_integration(restApiId=api_id, resourceId=resource_id, httpMethod=verb, type="MOCK",
                          requestTemplates={"application/json": '{"statusCode": 200}'})
    headers = headers or {}
    apigw.put_method_response(restApiId=api_id, resourceId=resource_id, httpMethod=verb,
                              statusCode="200", responseParameters={
                                  "method.response.header." + h: True for h in headers})
    apigw.put_integration_response(
        restApiId=api_id, resourceId=resource_id, httpMethod=verb, statusCode="200",
        responseTemplates={"application/json": response_template},
        responseParameters={"method.response.header." + h: v for h, v in headers.items()})


def send_signed(endpoint, method, path, body=b"", key=None, service="execute-api", tamper=None,
                presign=False):
    """(status, headers lower-cased, body) of a request to `path`, SigV4-signed for `service`
    with `key` (access key, secret) if given: in headers, or in the query with `presign`.
    `tamper(headers, body)` -> (headers, body) changes the signed request before it is sent."""
    url = endpoint + path
    headers = {"Content-Type": "application/json"}
    if key:
        aws = AWSRequest(method=method, url=url, data=body, headers=headers)
        if presign:
            SigV4QueryAuth(Credentials(*key), service, "us-east-1", expires=300).add_auth(aws)
            path = aws.url[len(endpoint):]
        else:
            SigV4Auth(Credentials(*key), service, "us-east-1").add_auth(aws)
        headers = dict(aws.headers.items())
    if tamper:
        headers, body = tamper(headers, body)
    parsed = urllib.parse.urlparse(endpoint)
    conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=60)
    conn.request(method, path, body=body, headers=headers)
    resp = conn.getresponse()
    out = resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    conn.close()
    return out
