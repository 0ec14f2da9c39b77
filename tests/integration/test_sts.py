"""STS through boto3: GetCallerIdentity, AssumeRole, AssumeRoleWithWebIdentity,
GetSessionToken; the credentials STS issues work against tidepool's other services, in the
default mode and with --auth strict (signature, session token and expiry checked)."""

import base64
import datetime
import json

import botocore.exceptions
import pytest

from harness import make_client

TRUST = json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::000000000000:root"},
                   "Action": "sts:AssumeRole"}],
})


def client_from(endpoint, service, creds):
    import boto3
    from harness import client_config
    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id=creds["AccessKeyId"],
                        aws_secret_access_key=creds["SecretAccessKey"],
                        aws_session_token=creds["SessionToken"], config=client_config())


def test_caller_identity_of_the_default_keys(endpoint):
    who = make_client(endpoint, "sts").get_caller_identity()
    assert who == {**who, "Account": "000000000000", "Arn": "arn:aws:iam::000000000000:root",
                   "UserId": "000000000000"}
    # A 12-digit access key id names the account, as everywhere in tidepool.
    who = make_client(endpoint, "sts", access_key="123456789012").get_caller_identity()
    assert who["Account"] == "123456789012"
    assert who["Arn"] == "arn:aws:iam::123456789012:root"


def test_assume_role_credentials_work_against_sqs(endpoint):
    iam = make_client(endpoint, "iam")
    role = iam.create_role(RoleName="worker", AssumeRolePolicyDocument=TRUST,
                           MaxSessionDuration=7200)["Role"]
    sts = make_client(endpoint, "sts")
    before = datetime.datetime.now(datetime.timezone.utc)
    out = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="job-1", DurationSeconds=1800)
    creds = out["Credentials"]
    assert creds["AccessKeyId"].startswith("ASIA") and len(creds["AccessKeyId"]) == 20
    assert len(creds["SecretAccessKey"]) == 40 and creds["SessionToken"]
    lifetime = (creds["Expiration"] - before).total_seconds()
    assert 1790 <= lifetime <= 1810
    assert out["AssumedRoleUser"] == {
        "AssumedRoleId": role["RoleId"] + ":job-1",
        "Arn": "arn:aws:sts::000000000000:assumed-role/worker/job-1"}

    who = client_from(endpoint, "sts", creds).get_caller_identity()
    assert who["Arn"] == "arn:aws:sts::000000000000:assumed-role/worker/job-1"
    assert who["UserId"] == role["RoleId"] + ":job-1"
    sqs = client_from(endpoint, "sqs", creds)
    url = sqs.create_queue(QueueName="from-role")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="hi")
    assert sqs.receive_message(QueueUrl=url)["Messages"][0]["Body"] == "hi"

    with pytest.raises(botocore.exceptions.ClientError) as e:
        sts.assume_role(RoleArn=role["Arn"], RoleSessionName="s1", DurationSeconds=10000)
    assert e.value.response["Error"]["Code"] == "ValidationError"
    assert e.value.response["Error"]["Message"] == (
        "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
    unvalidated = make_client(endpoint, "sts", parameter_validation=False)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        unvalidated.assume_role(RoleArn=role["Arn"], RoleSessionName="s1", DurationSeconds=100)
    assert e.value.response["Error"]["Code"] == "ValidationError"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        unvalidated.assume_role(RoleArn="arn:aws:s3:::not-a-role-at-all", RoleSessionName="s1")
    assert e.value.response["Error"]["Code"] == "ValidationError"


def test_any_well_formed_role_arn_may_be_assumed(endpoint):
    sts = make_client(endpoint, "sts")
    out = sts.assume_role(RoleArn="arn:aws:iam::111122223333:role/path/cdk-deploy",
                          RoleSessionName="cdk")
    assert out["AssumedRoleUser"]["Arn"] == \
        "arn:aws:sts::111122223333:assumed-role/cdk-deploy/cdk"
    # The session belongs to the role's account.
    who = client_from(endpoint, "sts", out["Credentials"]).get_caller_identity()
    assert who["Account"] == "111122223333"


def test_session_token_and_web_identity(endpoint):
    sts = make_client(endpoint, "sts")
    creds = sts.get_session_token(DurationSeconds=900)["Credentials"]
    assert creds["AccessKeyId"].startswith("ASIA")
    who = client_from(endpoint, "sts", creds).get_caller_identity()
    assert who["Arn"] == "arn:aws:iam::000000000000:root"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        client_from(endpoint, "sts", creds).get_session_token()
    assert e.value.response["Error"]["Code"] == "AccessDenied"

    def b64(obj):
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()
    token = ".".join([b64({"alg": "RS256"}), b64({"sub": "user-7", "aud": "my-app",
                                                  "iss": "https://issuer.example"}), "sig"])
    out = sts.assume_role_with_web_identity(RoleArn="arn:aws:iam::000000000000:role/web",
                                            RoleSessionName="w1", WebIdentityToken=token)
    assert out["SubjectFromWebIdentityToken"] == "user-7"
    assert out["Audience"] == "my-app" and out["Provider"] == "https://issuer.example"
    assert out["Credentials"]["AccessKeyId"].startswith("ASIA")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sts.assume_role_with_web_identity(RoleArn="arn:aws:iam::000000000000:role/web",
                                          RoleSessionName="w1", WebIdentityToken="x" * 20)
    assert e.value.response["Error"]["Code"] == "InvalidIdentityToken"
    assert sts.get_access_key_info(AccessKeyId=creds["AccessKeyId"])["Account"] == "000000000000"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sts.decode_authorization_message(EncodedMessage="x")
    assert e.value.response["Error"]["Code"] == "InvalidAction"


def test_strict_auth_accepts_issued_credentials_only(tidepool_factory, tmp_path):
    credentials = tmp_path / "credentials"
    credentials.write_text("[admin]\naws_access_key_id = AKIAADMINADMINADMIN0\n"
                           "aws_secret_access_key = admin-secret\n")
    server = tidepool_factory(args=["--auth", "strict", "--credentials-file", str(credentials)])
    endpoint = server.endpoint
    admin = dict(access_key="AKIAADMINADMINADMIN0", secret_key="admin-secret")
    iam = make_client(endpoint, "iam", **admin)
    iam.create_user(UserName="bob")
    key = iam.create_access_key(UserName="bob")["AccessKey"]
    bob_sqs = make_client(endpoint, "sqs", access_key=key["AccessKeyId"],
                          secret_key=key["SecretAccessKey"])
    bob_sqs.create_queue(QueueName="bobs")

    wrong = make_client(endpoint, "sqs", access_key=key["AccessKeyId"], secret_key="wrong")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        wrong.list_queues()
    assert e.value.response["Error"]["Code"] in ("InvalidSignatureException", "SignatureDoesNotMatch")

    creds = make_client(endpoint, "sts", **admin).assume_role(
        RoleArn="arn:aws:iam::000000000000:role/any", RoleSessionName="s1")["Credentials"]
    client_from(endpoint, "sqs", creds).list_queues()
    forged = dict(creds, SessionToken="IQoJforged")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        client_from(endpoint, "sqs", forged).list_queues()
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] in (400, 403)

    iam.update_access_key(UserName="bob", AccessKeyId=key["AccessKeyId"], Status="Inactive")
    with pytest.raises(botocore.exceptions.ClientError):
        bob_sqs.list_queues()
