"""API Gateway VPC links with boto3 and the aws CLI: REST VpcLink and apigatewayv2 VpcLink
(stored, PENDING on create then AVAILABLE), and a REST integration with connectionType VPC_LINK
served as its uri over plain HTTP (a small server the test runs stands behind the link)."""

import http.server
import json
import threading

import botocore.exceptions
import pytest

from apigateway_helpers import body_json, invoke_path, request
from cli_helpers import aws_cli_runner
from harness import make_client

NLB = ("arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/net/private-nlb/"
       "0123456789abcdef")


class Upstream(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        out = json.dumps({"behind": "link", "path": self.path}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

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
def clients(endpoint):
    def client(service):
        return make_client(endpoint, service=service, access_key="000000000000")
    return client


def error_code(excinfo):
    return excinfo.value.response["Error"]["Code"]


def test_rest_vpc_link_lifecycle_and_integration(clients, endpoint, upstream):
    apigw = clients("apigateway")
    link = apigw.create_vpc_link(name="private", targetArns=[NLB], description="d",
                                 tags={"a": "b"})
    assert link["status"] == "PENDING"
    got = apigw.get_vpc_link(vpcLinkId=link["id"])
    assert (got["status"], got["name"], got["targetArns"], got["tags"]) == \
        ("AVAILABLE", "private", [NLB], {"a": "b"})
    assert [l["id"] for l in apigw.get_vpc_links()["items"]] == [link["id"]]
    out = apigw.update_vpc_link(vpcLinkId=link["id"], patchOperations=[
        {"op": "replace", "path": "/name", "value": "renamed"}])
    assert out["name"] == "renamed"
    for call in (lambda: apigw.create_vpc_link(name="x", targetArns=[]),
                 lambda: apigw.create_vpc_link(name="x", targetArns=["arn:aws:s3:::bucket"]),
                 lambda: apigw.create_vpc_link(name="x", targetArns=[NLB.replace(
                     "us-east-1", "eu-west-1")]),
                 lambda: apigw.update_vpc_link(vpcLinkId=link["id"], patchOperations=[
                     {"op": "replace", "path": "/status", "value": "FAILED"}])):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            call()
        assert error_code(e) == "BadRequestException"

    # An HTTP_PROXY integration through the link reaches its uri.
    api = apigw.create_rest_api(name="linked")
    res = apigw.create_resource(restApiId=api["id"], parentId=api["rootResourceId"],
                                pathPart="inside")["id"]
    apigw.put_method(restApiId=api["id"], resourceId=res, httpMethod="GET",
                     authorizationType="NONE")
    apigw.put_integration(restApiId=api["id"], resourceId=res, httpMethod="GET",
                          type="HTTP_PROXY", integrationHttpMethod="GET",
                          uri="http://%s/service" % upstream, connectionType="VPC_LINK",
                          connectionId=link["id"])
    assert apigw.get_integration(restApiId=api["id"], resourceId=res, httpMethod="GET")[
        "connectionId"] == link["id"]
    apigw.create_deployment(restApiId=api["id"], stageName="dev")
    status, _, body = request(endpoint, "GET", invoke_path(api["id"], "dev", "/inside"))
    assert (status, body_json(body)) == (200, {"behind": "link", "path": "/service"})
    for kwargs in ({"type": "HTTP_PROXY", "connectionId": ""},
                   {"type": "AWS_PROXY", "connectionId": link["id"]}):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            apigw.put_integration(restApiId=api["id"], resourceId=res, httpMethod="GET",
                                  integrationHttpMethod="GET", uri="http://%s/x" % upstream,
                                  connectionType="VPC_LINK", **kwargs)
        assert error_code(e) == "BadRequestException"

    apigw.delete_vpc_link(vpcLinkId=link["id"])
    with pytest.raises(botocore.exceptions.ClientError) as e:
        apigw.get_vpc_link(vpcLinkId=link["id"])
    assert error_code(e) == "NotFoundException"


def test_http_api_vpc_link_lifecycle(clients):
    v2 = clients("apigatewayv2")
    link = v2.create_vpc_link(Name="v2-link", SubnetIds=["subnet-1", "subnet-2"],
                              SecurityGroupIds=["sg-1"], Tags={"k": "v"})
    assert (link["VpcLinkStatus"], link["VpcLinkVersion"]) == ("PENDING", "V2")
    got = v2.get_vpc_link(VpcLinkId=link["VpcLinkId"])
    assert (got["VpcLinkStatus"], got["SubnetIds"], got["SecurityGroupIds"], got["Tags"]) == \
        ("AVAILABLE", ["subnet-1", "subnet-2"], ["sg-1"], {"k": "v"})
    assert v2.update_vpc_link(VpcLinkId=link["VpcLinkId"], Name="new")["Name"] == "new"
    assert [l["Name"] for l in v2.get_vpc_links()["Items"]] == ["new"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        v2.create_vpc_link(Name="none", SubnetIds=[])
    assert error_code(e) == "BadRequestException"
    v2.delete_vpc_link(VpcLinkId=link["VpcLinkId"])
    with pytest.raises(botocore.exceptions.ClientError) as e:
        v2.get_vpc_link(VpcLinkId=link["VpcLinkId"])
    assert error_code(e) == "NotFoundException"


def test_cli_vpc_links(endpoint, tmp_path):
    aws = aws_cli_runner(endpoint, tmp_path)
    link = aws("apigateway", "create-vpc-link", "--name", "cli-link", "--target-arns", NLB)
    assert link["status"] == "PENDING"
    assert aws("apigateway", "get-vpc-link", "--vpc-link-id", link["id"])["status"] == \
        "AVAILABLE"
    v2 = aws("apigatewayv2", "create-vpc-link", "--name", "cli-v2", "--subnet-ids", "subnet-a")
    assert aws("apigatewayv2", "get-vpc-links")["Items"][0]["VpcLinkId"] == v2["VpcLinkId"]
