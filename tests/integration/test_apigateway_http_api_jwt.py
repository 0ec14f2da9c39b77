"""HTTP APIs (apigatewayv2) JWT authorizers with boto3, requests sent with urllib; the issuer
is a small http.server on this machine serving the OpenID discovery document and the JWKS,
tokens are signed here (RS256).

AWS's documented behaviour (Developer Guide, "Controlling access to HTTP APIs with JWT
authorizers"): API Gateway reads the token from the identity source
($request.header.Authorization, with or without "Bearer "), fetches the issuer's public keys
through <issuer>/.well-known/openid-configuration -> jwks_uri and checks: kid names a key of
the JWKS, alg RS256, the signature, iss equals the issuer, aud (or client_id when there is no
aud) is one of the configured audiences, exp is in the future, nbf and iat are not; then, when
the route has AuthorizationScopes, the token's scope/scp claim must include one of them. Any
failure is 401 {"message":"Unauthorized"} (a missing scope 403 {"message":"Forbidden"}). The
claims and scopes reach the integration as requestContext.authorizer.jwt.claims / .scopes.
"""

import base64
import http.server
import json
import threading
import time
import urllib.error
import urllib.request

import botocore.exceptions
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from apigateway_helpers import create_echo_function
from harness import make_client


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def int_b64(n):
    return b64url(n.to_bytes((n.bit_length() + 7) // 8, "big"))


class Issuer:
    """An OpenID issuer on 127.0.0.1: discovery document, JWKS (counting its fetches)."""

    def __init__(self, tls=None):
        """`tls`: an ssl.SSLContext to serve https with."""
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = "k1"
        self.jwks_fetches = 0
        issuer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                if self.path == "/.well-known/openid-configuration":
                    body = {"issuer": issuer.url, "jwks_uri": issuer.url + "/keys"}
                elif self.path == "/keys":
                    issuer.jwks_fetches += 1
                    pub = issuer.key.public_key().public_numbers()
                    body = {"keys": [{"kty": "RSA", "kid": issuer.kid, "alg": "RS256",
                                      "use": "sig", "n": int_b64(pub.n), "e": int_b64(pub.e)}]}
                else:
                    self.send_response(404)
                    self.end_headers()
                    return
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if tls:
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        self.url = "%s://127.0.0.1:%d" % ("https" if tls else "http",
                                          self.server.server_address[1])
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def token(self, key=None, kid=None, alg="RS256", **claims):
        now = int(time.time())
        body = {"iss": self.url, "aud": "my-app", "sub": "user-1", "iat": now - 10,
                "exp": now + 600}
        body.update(claims)
        body = {k: v for k, v in body.items() if v is not None}
        header = {"alg": alg, "typ": "JWT", "kid": kid or self.kid}
        signed = b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(body).encode())
        sig = (key or self.key).sign(signed.encode(), padding.PKCS1v15(), hashes.SHA256())
        return signed + "." + b64url(sig)


@pytest.fixture
def issuer():
    i = Issuer()
    yield i
    i.server.shutdown()


@pytest.fixture
def clients(endpoint):
    def client(service, **config):
        return make_client(endpoint, service=service, access_key="000000000000", **config)
    return client


def call(endpoint, api_id, path, token=None):
    url = "%s/restapis/%s/$default/_user_request_%s" % (endpoint, api_id, path)
    headers = {"Authorization": token} if token else {}
    req = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    except urllib.error.HTTPError as e:
        return e.code, {k.lower(): v for k, v in e.headers.items()}, e.read()


def jwt_api(v2, lam, issuer, name, version, audience):
    """An API with a Lambda integration (payload `version`) and a JWT authorizer."""
    echo = create_echo_function(lam, name="echo-" + name)
    api_id = v2.create_api(Name=name, ProtocolType="HTTP")["ApiId"]
    integ = v2.create_integration(ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationUri=echo,
                                  PayloadFormatVersion=version)["IntegrationId"]
    v2.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
    auth = v2.create_authorizer(ApiId=api_id, Name="jwt", AuthorizerType="JWT",
                                IdentitySource=["$request.header.Authorization"],
                                JwtConfiguration={"Issuer": issuer.url, "Audience": audience})
    return api_id, integ, auth


def test_jwt_authorizer(clients, endpoint, issuer):
    v2, lam = clients("apigatewayv2"), clients("lambda", read_timeout=60)
    api_id, integ, auth = jwt_api(v2, lam, issuer, "jwt", "2.0", ["my-app", "other"])
    assert auth["JwtConfiguration"]["Issuer"] == issuer.url
    v2.create_route(ApiId=api_id, RouteKey="GET /open", Target="integrations/" + integ,
                    AuthorizationType="JWT", AuthorizerId=auth["AuthorizerId"])
    v2.create_route(ApiId=api_id, RouteKey="GET /admin", Target="integrations/" + integ,
                    AuthorizationType="JWT", AuthorizerId=auth["AuthorizerId"],
                    AuthorizationScopes=["admin", "root"])

    status, _, body = call(endpoint, api_id, "/open")
    assert (status, json.loads(body)) == (401, {"message": "Unauthorized"})
    status, _, body = call(endpoint, api_id, "/open", "Bearer " + issuer.token(scope="read write"))
    assert status == 200, body
    jwt = json.loads(body)["event"]["requestContext"]["authorizer"]["jwt"]
    assert jwt["claims"]["sub"] == "user-1" and jwt["claims"]["aud"] == "my-app"
    assert jwt["claims"]["exp"].isdigit()
    assert jwt["scopes"] == ["read", "write"]
    # Without "Bearer ", and with client_id instead of aud.
    assert call(endpoint, api_id, "/open", issuer.token(aud=None, client_id="other"))[0] == 200
    assert issuer.jwks_fetches == 1  # the keys are kept

    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = int(time.time())
    for bad in [issuer.token(key=other_key), issuer.token(exp=now - 5),
                issuer.token(nbf=now + 300), issuer.token(aud="someone-else"),
                issuer.token(iss="http://elsewhere"), issuer.token(alg="HS256"),
                "not.a.jwt", issuer.token(kid="unknown")]:
        status, headers, body = call(endpoint, api_id, "/open", "Bearer " + bad)
        assert (status, json.loads(body)) == (401, {"message": "Unauthorized"}), bad
        assert headers["www-authenticate"].startswith("Bearer")

    # Scopes: one of the route's in scope (or scp).
    status, _, body = call(endpoint, api_id, "/admin", issuer.token(scope="read"))
    assert (status, json.loads(body)) == (403, {"message": "Forbidden"})
    assert call(endpoint, api_id, "/admin", issuer.token(scope="read root"))[0] == 200
    assert call(endpoint, api_id, "/admin", issuer.token(scp=["admin"]))[0] == 200

    # A rotated key: a token naming a new kid refetches the JWKS (at most once a second).
    issuer.key, issuer.kid = other_key, "k2"
    time.sleep(1.1)
    assert call(endpoint, api_id, "/open", issuer.token())[0] == 200

    # What CreateAuthorizer refuses.
    for config in [{"Issuer": "ldap://login.example.com", "Audience": ["a"]},
                   {"Issuer": issuer.url, "Audience": []}]:
        with pytest.raises(botocore.exceptions.ClientError) as e:
            v2.create_authorizer(ApiId=api_id, Name="bad", AuthorizerType="JWT",
                                 IdentitySource=["$request.header.Authorization"],
                                 JwtConfiguration=config)
        assert e.value.response["Error"]["Code"] == "BadRequestException"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        v2.create_route(ApiId=api_id, RouteKey="GET /x", Target="integrations/" + integ,
                        AuthorizationType="CUSTOM", AuthorizerId=auth["AuthorizerId"])
    assert e.value.response["Error"]["Code"] == "BadRequestException"


def test_jwt_claims_reach_payload_10(clients, endpoint, issuer):
    v2, lam = clients("apigatewayv2"), clients("lambda", read_timeout=60)
    api_id, integ, auth = jwt_api(v2, lam, issuer, "jwt10", "1.0", ["my-app"])
    v2.create_route(ApiId=api_id, RouteKey="$default", Target="integrations/" + integ,
                    AuthorizationType="JWT", AuthorizerId=auth["AuthorizerId"])
    status, _, body = call(endpoint, api_id, "/x", "Bearer " + issuer.token(groups=["a", "b"]))
    assert status == 200, body
    authorizer = json.loads(body)["event"]["requestContext"]["authorizer"]
    assert authorizer["claims"]["groups"] == "[a b]" and authorizer["scopes"] is None
