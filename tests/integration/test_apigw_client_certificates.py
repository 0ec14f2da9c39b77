"""API Gateway client certificates with boto3 and the aws CLI: GenerateClientCertificate makes
a real self-signed X.509 certificate (PEM, a year's validity), Get/Update/Delete and tags; a
stage's clientCertificateId must name one; an HTTP_PROXY integration to an https backend that
requires a client certificate reaches it only from a stage that has one."""

import datetime
import ssl

import botocore.exceptions
import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import padding

from apigateway_helpers import body_json, invoke_path, request
from cli_helpers import aws_cli_runner
from harness import make_client
from test_apigateway_https import https_upstream, rest_api_to, self_signed
from test_apigw_documentation import apigw, error  # noqa: F401 (a fixture)

ARN = "arn:aws:apigateway:us-east-1::/clientcertificates/"


def test_generate_get_update_tag_delete(apigw):
    cert = apigw.generate_client_certificate(description="backend", tags={"team": "a"})
    pem = cert["pemEncodedCertificate"]
    parsed = x509.load_pem_x509_certificate(pem.encode())
    assert parsed.subject == parsed.issuer
    assert parsed.subject.rfc4514_string() == "CN=" + cert["clientCertificateId"]
    parsed.public_key().verify(parsed.signature, parsed.tbs_certificate_bytes,
                               padding.PKCS1v15(), parsed.signature_hash_algorithm)
    assert (cert["expirationDate"] - cert["createdDate"]) == datetime.timedelta(days=365)
    assert parsed.not_valid_after_utc == cert["expirationDate"]
    assert cert["tags"] == {"team": "a"}

    got = apigw.get_client_certificate(clientCertificateId=cert["clientCertificateId"])
    assert got["pemEncodedCertificate"] == pem
    updated = apigw.update_client_certificate(
        clientCertificateId=cert["clientCertificateId"],
        patchOperations=[{"op": "replace", "path": "/description", "value": "renamed"}])
    assert updated["description"] == "renamed"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        apigw.update_client_certificate(
            clientCertificateId=cert["clientCertificateId"],
            patchOperations=[{"op": "replace", "path": "/pemEncodedCertificate", "value": "x"}])
    assert error(e)[0] == "BadRequestException"

    arn = ARN + cert["clientCertificateId"]
    apigw.tag_resource(resourceArn=arn, tags={"env": "dev"})
    assert apigw.get_tags(resourceArn=arn)["tags"] == {"team": "a", "env": "dev"}
    apigw.untag_resource(resourceArn=arn, tagKeys=["team"])
    assert apigw.get_client_certificate(
        clientCertificateId=cert["clientCertificateId"])["tags"] == {"env": "dev"}

    second = apigw.generate_client_certificate()
    pages = list(apigw.get_paginator("get_client_certificates").paginate(
        PaginationConfig={"PageSize": 1}))
    assert sorted(c["clientCertificateId"] for p in pages for c in p["items"]) == \
        sorted([cert["clientCertificateId"], second["clientCertificateId"]])
    assert [len(p["items"]) for p in pages] == [1, 1]

    apigw.delete_client_certificate(clientCertificateId=cert["clientCertificateId"])
    with pytest.raises(botocore.exceptions.ClientError) as e:
        apigw.get_client_certificate(clientCertificateId=cert["clientCertificateId"])
    assert error(e) == ("NotFoundException", "Invalid Client Certificate identifier specified")
    # Another account does not see it.
    other = make_client(apigw.meta.endpoint_url, service="apigateway",
                        access_key="111111111111")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        other.get_client_certificate(clientCertificateId=second["clientCertificateId"])
    assert error(e)[0] == "NotFoundException"


def test_stage_needs_an_existing_certificate(apigw, endpoint, tmp_path):
    api_id = apigw.create_rest_api(name="certs")["id"]
    root = apigw.get_resources(restApiId=api_id)["items"][0]["id"]
    apigw.put_method(restApiId=api_id, resourceId=root, httpMethod="GET",
                     authorizationType="NONE")
    apigw.put_integration(restApiId=api_id, resourceId=root, httpMethod="GET", type="MOCK")
    apigw.create_deployment(restApiId=api_id, stageName="dev")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        apigw.update_stage(restApiId=api_id, stageName="dev", patchOperations=[
            {"op": "replace", "path": "/clientCertificateId", "value": "nope00"}])
    assert error(e)[0] == "BadRequestException"
    run = aws_cli_runner(endpoint, tmp_path)
    cert = run("apigateway", "generate-client-certificate", "--description", "cli")
    stage = run("apigateway", "update-stage", "--rest-api-id", api_id, "--stage-name", "dev",
                "--patch-operations",
                "op=replace,path=/clientCertificateId,value=" + cert["clientCertificateId"])
    assert stage["clientCertificateId"] == cert["clientCertificateId"]
    listed = run("apigateway", "get-client-certificates")
    assert [c["description"] for c in listed["items"]] == ["cli"]


def test_https_backend_requiring_a_client_certificate(tidepool_factory, tmp_path, monkeypatch):
    cert_path, key_path = self_signed(tmp_path)
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(cert_path, key_path)
    tls.verify_mode = ssl.CERT_REQUIRED
    server, url = https_upstream(tls)
    try:
        monkeypatch.setenv("SSL_CERT_FILE", str(cert_path))
        tidepool = tidepool_factory()
        apigw = make_client(tidepool.endpoint, service="apigateway", access_key="000000000000")
        api_id = rest_api_to(tidepool.endpoint, url)
        # The backend trusts only the certificate API Gateway generates.
        cert = apigw.generate_client_certificate()
        tls.load_verify_locations(cadata=cert["pemEncodedCertificate"])
        path = invoke_path(api_id, "dev", "/a")
        status, _, body = request(tidepool.endpoint, "GET", path)
        assert (status, body_json(body)) == (500, {"message": "Internal server error"})
        apigw.update_stage(restApiId=api_id, stageName="dev", patchOperations=[
            {"op": "replace", "path": "/clientCertificateId",
             "value": cert["clientCertificateId"]}])
        status, _, body = request(tidepool.endpoint, "GET", path)
        assert status == 200, body
        assert body_json(body)["path"] == "/echo/a"
    finally:
        server.shutdown()
