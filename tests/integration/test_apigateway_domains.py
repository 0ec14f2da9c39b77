"""API Gateway custom domain names with boto3 and the aws CLI: REST DomainName and
BasePathMapping, apigatewayv2 DomainName and ApiMapping (one resource seen through both APIs),
and requests whose Host is the custom name (any port, any case) routed through the mappings:
the empty base path, the longest base path first, a mapping without a stage."""

import re
import urllib.parse

import botocore.exceptions
import pytest

from apigateway_helpers import (body_json, build_mock_api, create_echo_function, put_mock_method,
                                request)
from cli_helpers import aws_cli_runner
from harness import make_client

CERT = "arn:aws:acm:us-east-1:000000000000:certificate/0f0e0d0c-1111-2222-3333-444455556666"
DOMAIN = "api.example.com"


@pytest.fixture
def clients(endpoint):
    def client(service, **config):
        return make_client(endpoint, service=service, access_key="000000000000", **config)
    return client


def error_code(excinfo):
    return excinfo.value.response["Error"]["Code"]


def strip(out):
    out.pop("ResponseMetadata", None)
    return out


def second_api(apigw):
    """An API whose GET /hello answers {"api": "two"}, deployed to `dev`."""
    api = apigw.create_rest_api(name="two")
    hello = apigw.create_resource(restApiId=api["id"], parentId=api["rootResourceId"],
                                  pathPart="hello")["id"]
    put_mock_method(apigw, api["id"], hello, "GET", '{"api": "two"}')
    apigw.create_deployment(restApiId=api["id"], stageName="dev")
    return api["id"]


def test_rest_domain_name_routes_through_base_path_mappings(clients, endpoint):
    apigw = clients("apigateway")
    one, two = build_mock_api(apigw), second_api(apigw)
    domain = apigw.create_domain_name(domainName=DOMAIN, regionalCertificateArn=CERT,
                                      endpointConfiguration={"types": ["REGIONAL"]},
                                      tags={"team": "edge"})
    assert re.fullmatch(r"d-[a-z0-9]{10}\.execute-api\.us-east-1\.amazonaws\.com",
                        domain["regionalDomainName"]), domain
    assert domain["regionalHostedZoneId"] == "Z1UJRXOUMOOFQ8"
    assert domain["domainNameStatus"] == "AVAILABLE"
    assert domain["regionalCertificateArn"] == CERT and "distributionDomainName" not in domain
    assert strip(apigw.get_domain_name(domainName=DOMAIN)) == strip(dict(domain))
    assert [d["domainName"] for d in apigw.get_domain_names()["items"]] == [DOMAIN]
    port = urllib.parse.urlparse(endpoint).port
    host = "%s:%d" % (DOMAIN, port)

    # A registered name without a mapping for the path is Forbidden, as an unknown API.
    status, _, body = request(endpoint, "GET", "/hello", host=host)
    assert (status, body_json(body)) == (403, {"message": "Forbidden"})
    apigw.create_base_path_mapping(domainName=DOMAIN, restApiId=one, stage="dev")
    status, _, body = request(endpoint, "GET", "/hello", host=host)
    assert (status, body_json(body)) == (200, {"hello": "world"})
    apigw.create_base_path_mapping(domainName=DOMAIN, basePath="v1", restApiId=two, stage="dev")
    status, _, body = request(endpoint, "GET", "/v1/hello", host="API.Example.COM")
    assert (status, body_json(body)) == (200, {"api": "two"})
    assert request(endpoint, "GET", "/hello", host="api.example.com")[0] == 200
    # A mapping without a stage takes it from the path.
    apigw.create_base_path_mapping(domainName=DOMAIN, basePath="any", restApiId=two)
    status, _, body = request(endpoint, "GET", "/any/dev/hello", host=host)
    assert (status, body_json(body)) == (200, {"api": "two"})

    mappings = apigw.get_base_path_mappings(domainName=DOMAIN)["items"]
    assert sorted((m["basePath"], m["restApiId"], m.get("stage")) for m in mappings) == \
        [("(none)", one, "dev"), ("any", two, None), ("v1", two, "dev")]
    assert strip(apigw.get_base_path_mapping(domainName=DOMAIN, basePath="(none)")) == \
        {"basePath": "(none)", "restApiId": one, "stage": "dev"}
    out = apigw.update_base_path_mapping(domainName=DOMAIN, basePath="v1", patchOperations=[
        {"op": "replace", "path": "/basePath", "value": "v2"}])
    assert strip(out) == {"basePath": "v2", "restApiId": two, "stage": "dev"}
    assert body_json(request(endpoint, "GET", "/v2/hello", host=host)[2]) == {"api": "two"}
    # /v1/hello now falls to the empty base path: API one has no /v1/hello.
    assert request(endpoint, "GET", "/v1/hello", host=host)[0] == 403

    for call, code in (
            (lambda: apigw.create_base_path_mapping(domainName=DOMAIN, basePath="v2",
                                                    restApiId=one, stage="dev"),
             "ConflictException"),
            (lambda: apigw.create_base_path_mapping(domainName=DOMAIN, basePath="x",
                                                    restApiId="nope"), "BadRequestException"),
            (lambda: apigw.create_base_path_mapping(domainName=DOMAIN, basePath="x",
                                                    restApiId=one, stage="nope"),
             "BadRequestException"),
            (lambda: apigw.create_base_path_mapping(domainName="other.example.com",
                                                    restApiId=one), "NotFoundException"),
            (lambda: apigw.create_domain_name(domainName=DOMAIN, certificateArn=CERT),
             "ConflictException"),
            (lambda: apigw.create_domain_name(domainName="edge.example.com"),
             "BadRequestException"),
            (lambda: apigw.create_domain_name(domainName="p.example.com", certificateArn=CERT,
                                              endpointConfiguration={"types": ["PRIVATE"]}),
             "BadRequestException"),
            (lambda: apigw.create_domain_name(domainName="*.example.com", certificateArn=CERT),
             "BadRequestException"),
            (lambda: apigw.get_base_path_mapping(domainName=DOMAIN, basePath="v1"),
             "NotFoundException")):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            call()
        assert error_code(e) == code

    arn = "arn:aws:apigateway:us-east-1::/domainnames/" + DOMAIN
    apigw.tag_resource(resourceArn=arn, tags={"cost": "1"})
    assert apigw.get_tags(resourceArn=arn)["tags"] == {"team": "edge", "cost": "1"}
    out = apigw.update_domain_name(domainName=DOMAIN, patchOperations=[
        {"op": "replace", "path": "/securityPolicy", "value": "TLS_1_0"}])
    assert out["securityPolicy"] == "TLS_1_0"
    assert out["regionalDomainName"] == domain["regionalDomainName"]

    apigw.delete_base_path_mapping(domainName=DOMAIN, basePath="(none)")
    assert request(endpoint, "GET", "/hello", host=host)[0] == 403
    apigw.delete_domain_name(domainName=DOMAIN)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        apigw.get_domain_name(domainName=DOMAIN)
    assert error_code(e) == "NotFoundException"
    # The name is an ordinary host again: no API answers it.
    assert request(endpoint, "GET", "/v2/hello", host=host)[2] != b'{"api": "two"}'


def test_edge_domain_name_reports_a_distribution(clients):
    apigw = clients("apigateway")
    domain = apigw.create_domain_name(domainName="edge.example.com", certificateArn=CERT)
    assert re.fullmatch(r"d[a-z0-9]{13}\.cloudfront\.net", domain["distributionDomainName"])
    assert domain["distributionHostedZoneId"] == "Z2FDTNDATAQYW2"
    assert domain["endpointConfiguration"] == {"types": ["EDGE"]}
    v2 = clients("apigatewayv2")
    config = v2.get_domain_name(DomainName="edge.example.com")["DomainNameConfigurations"][0]
    assert config["EndpointType"] == "EDGE"
    assert config["ApiGatewayDomainName"] == domain["distributionDomainName"]


def test_http_api_domain_name_and_api_mappings(clients, endpoint):
    v2, apigw, lam = clients("apigatewayv2"), clients("apigateway"), clients("lambda",
                                                                               read_timeout=60)
    fn = create_echo_function(lam, name="echo-domain")
    api_id = v2.create_api(Name="domain-http", ProtocolType="HTTP", Target=fn)["ApiId"]
    v2.create_stage(ApiId=api_id, StageName="live", AutoDeploy=True)
    domain = v2.create_domain_name(DomainName="http.example.com", DomainNameConfigurations=[
        {"CertificateArn": CERT, "EndpointType": "REGIONAL", "SecurityPolicy": "TLS_1_2"}],
        Tags={"k": "v"})
    config = domain["DomainNameConfigurations"][0]
    assert re.fullmatch(r"d-[a-z0-9]{10}\.execute-api\.us-east-1\.amazonaws\.com",
                        config["ApiGatewayDomainName"])
    assert (config["CertificateArn"], config["DomainNameStatus"], config["EndpointType"]) == \
        (CERT, "AVAILABLE", "REGIONAL")
    assert domain["ApiMappingSelectionExpression"] == "$request.basepath"
    assert domain["Tags"] == {"k": "v"}
    # The same resource through the REST API.
    rest_view = apigw.get_domain_name(domainName="http.example.com")
    assert rest_view["regionalDomainName"] == config["ApiGatewayDomainName"]
    assert [d["DomainName"] for d in v2.get_domain_names()["Items"]] == ["http.example.com"]

    default = v2.create_api_mapping(DomainName="http.example.com", ApiId=api_id,
                                    Stage="$default")
    assert "ApiMappingKey" not in default or default["ApiMappingKey"] == ""
    live = v2.create_api_mapping(DomainName="http.example.com", ApiId=api_id, Stage="live",
                                 ApiMappingKey="orders/v1")
    port = urllib.parse.urlparse(endpoint).port
    host = "http.example.com:%d" % port
    status, _, body = request(endpoint, "GET", "/orders/v1/items/7", host=host)
    assert status == 200, body
    event = body_json(body)["event"]
    # rawPath is what the execute-api URL form gives (the stage, not the base path).
    assert event["rawPath"] == "/live/items/7" and event["requestContext"]["stage"] == "live"
    status, _, body = request(endpoint, "GET", "/items/8", host=host)
    assert status == 200, body
    assert body_json(body)["event"]["requestContext"]["stage"] == "$default"

    assert strip(v2.get_api_mapping(DomainName="http.example.com",
                                    ApiMappingId=live["ApiMappingId"])) == \
        {"ApiId": api_id, "ApiMappingId": live["ApiMappingId"], "ApiMappingKey": "orders/v1",
         "Stage": "live"}
    assert len(v2.get_api_mappings(DomainName="http.example.com")["Items"]) == 2
    out = v2.update_api_mapping(DomainName="http.example.com", ApiMappingId=live["ApiMappingId"],
                                ApiId=api_id, ApiMappingKey="orders/v2")
    assert out["ApiMappingKey"] == "orders/v2"
    assert request(endpoint, "GET", "/orders/v2/x", host=host)[0] == 200
    # REST's view lists the same mappings.
    assert {m["basePath"] for m in apigw.get_base_path_mappings(
        domainName="http.example.com")["items"]} == {"(none)", "orders/v2"}

    for call, code in (
            (lambda: v2.create_api_mapping(DomainName="http.example.com", ApiId=api_id,
                                           Stage="live", ApiMappingKey="orders/v2"),
             "ConflictException"),
            (lambda: v2.create_api_mapping(DomainName="http.example.com", ApiId=api_id,
                                           Stage="nope", ApiMappingKey="z"),
             "BadRequestException"),
            (lambda: v2.create_api_mapping(DomainName="http.example.com", ApiId=api_id,
                                           Stage="live", ApiMappingKey="bad//key"),
             "BadRequestException"),
            (lambda: v2.get_api_mapping(DomainName="http.example.com", ApiMappingId="nope"),
             "NotFoundException"),
            (lambda: v2.get_domain_name(DomainName="nope.example.com"), "NotFoundException"),
            (lambda: v2.create_domain_name(DomainName="mtls.example.com",
                                           DomainNameConfigurations=[{"CertificateArn": CERT}],
                                           MutualTlsAuthentication={
                                               "TruststoreUri": "s3://b/truststore.pem"}),
             "BadRequestException")):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            call()
        assert error_code(e) == code

    v2.delete_api_mapping(DomainName="http.example.com", ApiMappingId=live["ApiMappingId"])
    assert len(v2.get_api_mappings(DomainName="http.example.com")["Items"]) == 1
    v2.delete_domain_name(DomainName="http.example.com")
    assert v2.get_domain_names()["Items"] == []


def test_cli_domain_names(endpoint, tmp_path):
    aws = aws_cli_runner(endpoint, tmp_path)
    apigw = make_client(endpoint, service="apigateway", access_key="000000000000")
    api_id = build_mock_api(apigw, name="cli-domain")
    out = aws("apigateway", "create-domain-name", "--domain-name", "cli.example.com",
              "--regional-certificate-arn", CERT, "--endpoint-configuration", "types=REGIONAL")
    assert out["regionalDomainName"].endswith(".execute-api.us-east-1.amazonaws.com")
    aws("apigateway", "create-base-path-mapping", "--domain-name", "cli.example.com",
        "--rest-api-id", api_id, "--stage", "dev", "--base-path", "shop")
    items = aws("apigateway", "get-base-path-mappings", "--domain-name", "cli.example.com")
    assert [m["basePath"] for m in items["items"]] == ["shop"]
    assert aws("apigatewayv2", "get-api-mappings", "--domain-name", "cli.example.com")[
        "Items"][0]["ApiMappingKey"] == "shop"
    port = urllib.parse.urlparse(endpoint).port
    status, _, body = request(endpoint, "GET", "/shop/hello", host="cli.example.com:%d" % port)
    assert (status, body_json(body)) == (200, {"hello": "world"})
