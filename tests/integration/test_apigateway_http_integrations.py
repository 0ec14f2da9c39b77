"""HTTP and HTTP_PROXY integrations against a small HTTP server the test runs: REST APIs
forward to a URL (path parameters, query strings and headers passed or mapped, request and
response templates for HTTP, stage variables in the URI), answer 504 when the upstream is
slower than timeoutInMillis and 500 when it cannot be reached; HTTP APIs proxy to a URL
(quick create with a URL Target, and a route with a path variable)."""

import http.server
import json
import socket
import threading
import time

import botocore.exceptions
import pytest

from apigateway_helpers import body_json, host_of, invoke_path, request
from harness import make_client


class Upstream(http.server.BaseHTTPRequestHandler):
    """Echoes the request as JSON; /slow sleeps 2 s; /status/<code> answers that status."""

    def _answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        path, _, query = self.path.partition("?")
        if path == "/slow":
            time.sleep(2)
        status = int(path.split("/")[2]) if path.startswith("/status/") else 200
        out = json.dumps({"method": self.command, "path": path, "query": query,
                          "headers": {k.lower(): v for k, v in self.headers.items()},
                          "body": body}).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("X-Upstream", "yes")
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)
        except (BrokenPipeError, ConnectionResetError):
            pass

    do_GET = do_POST = do_PUT = do_DELETE = _answer

    def log_message(self, *args):
        pass


@pytest.fixture
def upstream():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Upstream)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield "127.0.0.1:%d" % server.server_address[1]
    server.shutdown()
    server.server_close()


@pytest.fixture
def apigw(endpoint):
    return make_client(endpoint, service="apigateway", access_key="000000000000")


def put_in_two_parts(endpoint, path, body):
    """The response body of a PUT whose body is sent a moment after its headers."""
    port = int(endpoint.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        s.sendall(("PUT %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Type: application/json"
                   "\r\nContent-Length: %d\r\nConnection: close\r\n\r\n"
                   % (path, port, len(body))).encode())
        time.sleep(0.3)
        s.sendall(body)
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    head, _, payload = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200"), data
    return payload


def unused_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_rest_http_proxy(apigw, endpoint, upstream):
    api = apigw.create_rest_api(name="http-proxy")
    api_id = api["id"]
    proxy = apigw.create_resource(restApiId=api_id, parentId=api["rootResourceId"],
                                  pathPart="{proxy+}")["id"]
    apigw.put_method(restApiId=api_id, resourceId=proxy, httpMethod="ANY",
                     authorizationType="NONE",
                     requestParameters={"method.request.path.proxy": True})
    apigw.put_integration(restApiId=api_id, resourceId=proxy, httpMethod="ANY",
                          type="HTTP_PROXY", integrationHttpMethod="ANY",
                          uri="http://${stageVariables.upstream}/{proxy}",
                          requestParameters={
                              "integration.request.path.proxy": "method.request.path.proxy",
                              "integration.request.header.X-Stage": "context.stage"})
    apigw.create_deployment(restApiId=api_id, stageName="dev",
                            variables={"upstream": upstream})

    status, h, data = request(endpoint, "GET",
                              invoke_path(api_id, "dev", "/a/b%20c?x=1&y=two"),
                              headers={"X-In": "hello"})
    got = body_json(data)
    assert status == 200 and h["x-upstream"] == "yes"
    assert got["method"] == "GET" and got["path"] == "/a/b%20c"
    assert sorted(got["query"].split("&")) == ["x=1", "y=two"]
    assert got["headers"]["x-in"] == "hello" and got["headers"]["x-stage"] == "dev"
    assert got["headers"]["host"] == upstream
    assert h["x-amzn-requestid"]

    status, _, data = request(endpoint, "PUT", invoke_path(api_id, "dev", "/items/1"),
                              body='{"n": 1}', headers={"Content-Type": "application/json"})
    got = body_json(data)
    assert (status, got["method"], got["body"]) == (200, "PUT", '{"n": 1}')

    # A body that arrives after its headers (streamed, as S3 uploads are) still reaches the
    # API, not S3.
    got = body_json(put_in_two_parts(endpoint, invoke_path(api_id, "dev", "/late/1"),
                                     b'{"late": true}'))
    assert (got["method"], got["path"], got["body"]) == ("PUT", "/late/1", '{"late": true}')

    # The upstream's status passes through as it is, by the host form too.
    status, _, data = request(endpoint, "DELETE", "/dev/status/418",
                              host=host_of(api_id, endpoint))
    assert status == 418 and body_json(data)["method"] == "DELETE"


def test_rest_http_with_templates_and_mappings(apigw, endpoint, upstream):
    api = apigw.create_rest_api(name="http")
    api_id = api["id"]
    things = apigw.create_resource(restApiId=api_id, parentId=api["rootResourceId"],
                                   pathPart="things")["id"]
    thing = apigw.create_resource(restApiId=api_id, parentId=things, pathPart="{id}")["id"]
    apigw.put_method(restApiId=api_id, resourceId=thing, httpMethod="POST",
                     authorizationType="NONE")
    apigw.put_integration(
        restApiId=api_id, resourceId=thing, httpMethod="POST", type="HTTP",
        integrationHttpMethod="PUT", uri="http://%s/store/{thingId}" % upstream,
        requestParameters={"integration.request.path.thingId": "method.request.path.id",
                           "integration.request.header.X-Up": "method.request.header.X-In",
                           "integration.request.querystring.mode": "'fast'"},
        requestTemplates={"application/json":
                          '{"wrapped": $input.json(\'$\'), "id": "$input.params(\'id\')"}'})
    for code, pattern in (("200", None), ("400", r"4\d\d")):
        apigw.put_method_response(restApiId=api_id, resourceId=thing, httpMethod="POST",
                                  statusCode=code,
                                  responseParameters={"method.response.header.X-Seen": True})
        extra = {"selectionPattern": pattern} if pattern else {}
        apigw.put_integration_response(
            restApiId=api_id, resourceId=thing, httpMethod="POST", statusCode=code,
            responseParameters={"method.response.header.X-Seen":
                                "integration.response.header.X-Upstream"},
            responseTemplates={"application/json":
                               '{"upstreamPath": "$input.path(\'$.path\')", '
                               '"sent": $input.path(\'$.body\')}'},
            **extra)
    apigw.create_deployment(restApiId=api_id, stageName="dev")

    status, h, data = request(endpoint, "POST", invoke_path(api_id, "dev", "/things/t1?drop=me"),
                              body='{"a": 1}', headers={"Content-Type": "application/json",
                                                        "X-In": "mapped"})
    assert status == 200 and h["x-seen"] == "yes"
    got = body_json(data)
    assert got == {"upstreamPath": "/store/t1", "sent": {"wrapped": {"a": 1}, "id": "t1"}}

    # What reached the upstream: PUT, the mapped query and header only.
    apigw.update_integration_response(
        restApiId=api_id, resourceId=thing, httpMethod="POST", statusCode="200",
        patchOperations=[{"op": "replace",
                          "path": "/responseTemplates/application~1json",
                          "value": "$input.body"}])
    apigw.create_deployment(restApiId=api_id, stageName="dev")
    status, _, data = request(endpoint, "POST", invoke_path(api_id, "dev", "/things/t2?drop=me"),
                              body='{}', headers={"Content-Type": "application/json",
                                                  "X-In": "mapped", "X-Other": "no"})
    seen = body_json(data)
    assert seen["method"] == "PUT" and seen["query"] == "mode=fast"
    assert seen["headers"]["x-up"] == "mapped" and "x-other" not in seen["headers"]

    # An upstream 4xx selects the 400 integration response.
    apigw.update_integration(restApiId=api_id, resourceId=thing, httpMethod="POST",
                             patchOperations=[{"op": "replace", "path": "/uri",
                                               "value": "http://%s/status/404" % upstream}])
    apigw.create_deployment(restApiId=api_id, stageName="dev")
    status, _, data = request(endpoint, "POST", invoke_path(api_id, "dev", "/things/t3"),
                              body='{}', headers={"Content-Type": "application/json"})
    assert status == 400 and body_json(data)["upstreamPath"] == "/status/404"


def test_rest_http_timeout_and_unreachable(apigw, endpoint, upstream):
    api = apigw.create_rest_api(name="http-slow")
    api_id = api["id"]
    for part, uri, timeout in (("slow", "http://%s/slow" % upstream, 300),
                               ("gone", "http://127.0.0.1:%d/" % unused_port(), None)):
        res = apigw.create_resource(restApiId=api_id, parentId=api["rootResourceId"],
                                    pathPart=part)["id"]
        apigw.put_method(restApiId=api_id, resourceId=res, httpMethod="GET",
                         authorizationType="NONE")
        extra = {"timeoutInMillis": timeout} if timeout else {}
        apigw.put_integration(restApiId=api_id, resourceId=res, httpMethod="GET",
                              type="HTTP_PROXY", integrationHttpMethod="GET", uri=uri, **extra)
    apigw.create_deployment(restApiId=api_id, stageName="dev")
    started = time.time()
    status, h, data = request(endpoint, "GET", invoke_path(api_id, "dev", "/slow"))
    assert (status, body_json(data)) == (504, {"message": "Endpoint request timed out"})
    assert time.time() - started < 1.5
    status, _, data = request(endpoint, "GET", invoke_path(api_id, "dev", "/gone"))
    assert (status, body_json(data)) == (500, {"message": "Internal server error"})

    # URLs that are not http(s):// are refused when the integration is put, not at invoke time.
    apigw.put_method(restApiId=api_id, resourceId=api["rootResourceId"], httpMethod="GET",
                     authorizationType="NONE")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        apigw.put_integration(restApiId=api_id, resourceId=api["rootResourceId"],
                              httpMethod="GET", type="HTTP_PROXY",
                              integrationHttpMethod="GET", uri="ftp://example.com/")
    assert e.value.response["Error"]["Code"] == "BadRequestException"
    assert "Invalid HTTP endpoint" in e.value.response["Error"]["Message"]


def test_http_api_http_proxy(endpoint, upstream):
    v2 = make_client(endpoint, service="apigatewayv2", access_key="000000000000")
    quick = v2.create_api(Name="quick-http", ProtocolType="HTTP",
                          Target="http://%s/fixed" % upstream)
    integration = v2.get_integrations(ApiId=quick["ApiId"])["Items"][0]
    assert integration["IntegrationType"] == "HTTP_PROXY"
    assert integration["PayloadFormatVersion"] == "1.0"
    status, h, data = request(endpoint, "POST", "/anything?q=1", body="hi",
                              host=host_of(quick["ApiId"], endpoint))
    got = body_json(data)
    assert (status, got["method"], got["path"], got["query"], got["body"]) == (
        200, "POST", "/fixed", "q=1", "hi")

    api = v2.create_api(Name="routed-http", ProtocolType="HTTP")
    target = v2.create_integration(ApiId=api["ApiId"], IntegrationType="HTTP_PROXY",
                                   IntegrationMethod="GET",
                                   IntegrationUri="http://%s/items/{id}" % upstream,
                                   PayloadFormatVersion="1.0")
    v2.create_route(ApiId=api["ApiId"], RouteKey="GET /things/{id}",
                    Target="integrations/" + target["IntegrationId"])
    v2.create_stage(ApiId=api["ApiId"], StageName="$default", AutoDeploy=True)
    status, _, data = request(endpoint, "GET", "/things/42",
                              host=host_of(api["ApiId"], endpoint))
    assert status == 200 and body_json(data)["path"] == "/items/42"

    with pytest.raises(botocore.exceptions.ClientError) as e:
        v2.create_integration(ApiId=api["ApiId"], IntegrationType="HTTP_PROXY",
                              IntegrationMethod="GET", IntegrationUri="http://x/",
                              PayloadFormatVersion="2.0")
    assert e.value.response["Error"]["Code"] == "BadRequestException"
