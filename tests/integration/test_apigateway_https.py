"""HTTP/HTTP_PROXY integrations and JWT issuers over https://, against local https servers
(Python's ssl with a certificate made here for 127.0.0.1). tidepool verifies certificates
against OpenSSL's default trust store, which SSL_CERT_FILE replaces: a server started with
SSL_CERT_FILE naming the test's certificate reaches the upstream; one started without it
refuses the untrusted certificate (500, as for an unreachable upstream)."""

import datetime
import http.server
import ipaddress
import ssl
import threading

import botocore.exceptions
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from apigateway_helpers import body_json, create_echo_function, invoke_path, request
from harness import make_client
from test_apigateway_http_api_jwt import Issuer
from test_apigateway_http_integrations import Upstream


def self_signed(tmp_path):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "tidepool test")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([
                x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.TraditionalOpenSSL,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def https_upstream(tls):
    """An https server on 127.0.0.1 echoing requests (Upstream); returns (server, url)."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Upstream)
    server.daemon_threads = True
    server.socket = tls.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, "https://127.0.0.1:%d" % server.server_address[1]


@pytest.fixture
def servers(tidepool_factory, tmp_path, monkeypatch):
    """(echo URL, JWT issuer, tidepool trusting their certificate, one with the system store)."""
    cert_path, key_path = self_signed(tmp_path)
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(cert_path, key_path)
    server, url = https_upstream(tls)
    issuer = Issuer(tls)
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    untrusting = tidepool_factory()
    monkeypatch.setenv("SSL_CERT_FILE", str(cert_path))
    trusting = tidepool_factory()
    yield url, issuer, trusting, untrusting
    server.shutdown()
    issuer.server.shutdown()


def rest_api_to(endpoint, url):
    """GET /{proxy+} of stage dev proxies to <url>/echo/{proxy} (the path parameter unmapped)."""
    apigw = make_client(endpoint, service="apigateway", access_key="000000000000")
    api = apigw.create_rest_api(name="https")
    proxy = apigw.create_resource(restApiId=api["id"], parentId=api["rootResourceId"],
                                  pathPart="{proxy+}")["id"]
    apigw.put_method(restApiId=api["id"], resourceId=proxy, httpMethod="GET",
                     authorizationType="NONE")
    apigw.put_integration(restApiId=api["id"], resourceId=proxy, httpMethod="GET",
                          type="HTTP_PROXY", integrationHttpMethod="GET", uri=url + "/echo/{proxy}")
    apigw.create_deployment(restApiId=api["id"], stageName="dev")
    return api["id"]


def test_rest_http_proxy_to_https(servers):
    url, _, trusting, untrusting = servers
    api_id = rest_api_to(trusting.endpoint, url)
    status, _, body = request(trusting.endpoint, "GET", invoke_path(api_id, "dev", "/a/b"))
    assert status == 200, body
    assert body_json(body)["path"] == "/echo/a/b"
    assert body_json(body)["headers"]["host"] == url[len("https://"):]

    # Skipping verification is refused rather than ignored.
    apigw = make_client(trusting.endpoint, service="apigateway", access_key="000000000000")
    resource = [r for r in apigw.get_resources(restApiId=api_id)["items"] if r["path"] != "/"][0]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        apigw.put_integration(restApiId=api_id, resourceId=resource["id"], httpMethod="GET",
                              type="HTTP_PROXY", integrationHttpMethod="GET", uri=url,
                              tlsConfig={"insecureSkipVerification": True})
    assert "insecureSkipVerification" in e.value.response["Error"]["Message"]

    # Without the certificate in its trust store, the upstream is unreachable.
    api_id = rest_api_to(untrusting.endpoint, url)
    status, _, body = request(untrusting.endpoint, "GET", invoke_path(api_id, "dev", "/a"))
    assert (status, body_json(body)) == (500, {"message": "Internal server error"})


def test_http_api_proxy_and_jwt_issuer_over_https(servers):
    url, issuer, trusting, _ = servers
    v2 = make_client(trusting.endpoint, service="apigatewayv2", access_key="000000000000")
    lam = make_client(trusting.endpoint, service="lambda", access_key="000000000000",
                      read_timeout=60)
    api_id = v2.create_api(Name="https", ProtocolType="HTTP")["ApiId"]
    proxy = v2.create_integration(ApiId=api_id, IntegrationType="HTTP_PROXY",
                                  IntegrationMethod="GET", IntegrationUri=url + "/echo/v2",
                                  PayloadFormatVersion="1.0")["IntegrationId"]
    v2.create_route(ApiId=api_id, RouteKey="GET /up", Target="integrations/" + proxy)
    echo = v2.create_integration(ApiId=api_id, IntegrationType="AWS_PROXY",
                                 IntegrationUri=create_echo_function(lam),
                                 PayloadFormatVersion="2.0")["IntegrationId"]
    auth = v2.create_authorizer(ApiId=api_id, Name="jwt", AuthorizerType="JWT",
                                IdentitySource=["$request.header.Authorization"],
                                JwtConfiguration={"Issuer": issuer.url,
                                                  "Audience": ["my-app"]})
    v2.create_route(ApiId=api_id, RouteKey="GET /me", Target="integrations/" + echo,
                    AuthorizationType="JWT", AuthorizerId=auth["AuthorizerId"])
    v2.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
    base = "/restapis/%s/$default/_user_request_" % api_id

    status, _, body = request(trusting.endpoint, "GET", base + "/up")
    assert (status, body_json(body)["path"]) == (200, "/echo/v2")
    status, _, body = request(trusting.endpoint, "GET", base + "/me",
                              headers={"Authorization": "Bearer " + issuer.token(sub="tls-user")})
    assert status == 200, body
    claims = body_json(body)["event"]["requestContext"]["authorizer"]["jwt"]["claims"]
    assert claims["sub"] == "tls-user"
