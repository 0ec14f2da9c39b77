"""Lambda function URLs with AuthType AWS_IAM: requests signed by botocore's SigV4Auth for the
`lambda` service (header and presigned query), tampered and wrongly scoped ones.

AWS's behaviour: an unsigned request gets 403 {"Message":"Forbidden"}; a signature that does not
verify 403 {"message": "The request signature we calculated does not match ..."}; a verified
caller reaches the function as requestContext.authorizer.iam (payload format 2.0) and
requestContext.accountId is the caller's account."""

import json

import pytest

from apigateway_helpers import create_echo_function, send_signed
from harness import make_client


@pytest.fixture
def clients(endpoint):
    def client(service, **config):
        return make_client(endpoint, service=service, access_key="000000000000", **config)
    return client


def send(endpoint, method, path, body=b"", key=None, service="lambda", **options):
    return send_signed(endpoint, method, path, body, key, service, **options)


@pytest.fixture
def iam_url(clients):
    """(url path prefix, the function URL's id, an IAM user, its key) for an AWS_IAM URL."""
    lam = clients("lambda", read_timeout=60)
    create_echo_function(lam, name="iam-url")
    lam.get_waiter("function_active_v2").wait(FunctionName="iam-url")
    url = lam.create_function_url_config(FunctionName="iam-url",
                                         AuthType="AWS_IAM")["FunctionUrl"]
    url_id = url.split("//")[1].split(".")[0]
    iam = clients("iam")
    user = iam.create_user(UserName="url-caller")["User"]
    key = iam.create_access_key(UserName="url-caller")["AccessKey"]
    return "/_tidepool/lambda-url/" + url_id, user, (key["AccessKeyId"],
                                                     key["SecretAccessKey"])


def test_a_signed_request_reaches_the_function_as_its_caller(endpoint, iam_url):
    base, user, key = iam_url
    status, _, body = send(endpoint, "POST", base + "/items?x=1", b'{"k": 1}', key=key)
    assert status == 200, body
    context = json.loads(body)["event"]["requestContext"]
    assert context["accountId"] == "000000000000"
    who = context["authorizer"]["iam"]
    assert who["accessKey"] == key[0]
    assert who["userArn"] == user["Arn"]
    assert who["userId"] == who["callerId"] == user["UserId"]
    assert who["accountId"] == "000000000000"
    # A presigned URL (query signature) verifies too.
    status, _, body = send(endpoint, "GET", base + "/items", key=key, presign=True)
    assert status == 200, body


def test_unsigned_tampered_and_misscoped_requests_are_refused(endpoint, iam_url):
    base, _, key = iam_url
    status, _, body = send(endpoint, "GET", base + "/items")
    assert status == 403 and json.loads(body) == {"Message": "Forbidden"}

    # The body changed after signing: its hash no longer matches the signed one.
    status, headers, body = send(endpoint, "POST", base + "/items", b'{"k": 1}', key=key,
                                 tamper=lambda h, b: (h, b'{"k": 2}'))
    assert status == 403, body
    assert "signature we calculated does not match" in json.loads(body)["message"]
    assert headers["x-amzn-errortype"] == "InvalidSignatureException"

    # A signed header changed after signing.
    status, _, body = send(endpoint, "GET", base + "/items", key=key,
                           tamper=lambda h, b: (dict(h, **{"Content-Type": "text/plain"}), b))
    assert status == 403, body
    assert "signature we calculated does not match" in json.loads(body)["message"]
    forged = send(endpoint, "GET", base + "/items", key=(key[0], key[1] + "x"))
    assert forged[0] == 403
    assert "signature we calculated does not match" in json.loads(forged[2])["message"]

    # Signed for API Gateway rather than Lambda.
    status, _, body = send(endpoint, "GET", base + "/items", key=key, service="execute-api")
    assert status == 403
    assert json.loads(body)["message"] == \
        "Credential should be scoped to correct service: 'lambda'. "
