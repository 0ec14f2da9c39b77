"""IAM and STS through the aws CLI: the Lambda walkthrough's execution role, a customer
managed policy from a file, errors as the CLI prints them, and get-caller-identity."""

import json

from cli_helpers import aws_cli_runner

TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                   "Action": "sts:AssumeRole"}],
}


def test_lambda_walkthrough_execution_role(endpoint, tmp_path):
    aws = aws_cli_runner(endpoint, tmp_path)
    trust = tmp_path / "trust-policy.json"
    trust.write_text(json.dumps(TRUST))
    role = aws("iam", "create-role", "--role-name", "lambda-ex",
               "--assume-role-policy-document", "file://%s" % trust)["Role"]
    assert role["Arn"] == "arn:aws:iam::000000000000:role/lambda-ex"
    assert role["AssumeRolePolicyDocument"] == TRUST
    aws("iam", "wait", "role-exists", "--role-name", "lambda-ex")
    assert aws("iam", "attach-role-policy", "--role-name", "lambda-ex", "--policy-arn",
               "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole") is None
    attached = aws("iam", "list-attached-role-policies", "--role-name", "lambda-ex")
    assert [p["PolicyName"] for p in attached["AttachedPolicies"]] == \
        ["AWSLambdaBasicExecutionRole"]
    got = aws("iam", "get-role", "--role-name", "lambda-ex")["Role"]
    assert got["RoleId"] == role["RoleId"]
    roles = aws("iam", "list-roles")["Roles"]
    assert [r["RoleName"] for r in roles] == ["lambda-ex"]

    who = aws("sts", "get-caller-identity")
    assert who["Account"] == "000000000000"
    assert who["Arn"] == "arn:aws:iam::000000000000:root"

    aws("iam", "detach-role-policy", "--role-name", "lambda-ex", "--policy-arn",
        "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")
    aws("iam", "delete-role", "--role-name", "lambda-ex")
    missing = aws("iam", "get-role", "--role-name", "lambda-ex", check=False)
    assert missing.returncode in (254, 255)
    assert "An error occurred (NoSuchEntity) when calling the GetRole operation: " \
           "The role with name lambda-ex cannot be found." in missing.stderr


def test_managed_policy_from_file_and_paging(endpoint, tmp_path):
    aws = aws_cli_runner(endpoint, tmp_path)
    doc = {"Version": "2012-10-17",
           "Statement": [{"Effect": "Allow", "Action": "sqs:*", "Resource": "*"}]}
    path = tmp_path / "policy.json"
    path.write_text(json.dumps(doc))
    policy = aws("iam", "create-policy", "--policy-name", "queues", "--policy-document",
                 "file://%s" % path)["Policy"]
    version = aws("iam", "get-policy-version", "--policy-arn", policy["Arn"], "--version-id",
                  "v1")["PolicyVersion"]
    assert version["Document"] == doc
    for i in range(5):
        aws("iam", "create-user", "--user-name", "user-%d" % i)
    # The CLI pages through Marker/IsTruncated itself.
    users = aws("iam", "list-users", "--page-size", "2")["Users"]
    assert [u["UserName"] for u in users] == ["user-%d" % i for i in range(5)]
    aws_policies = aws("iam", "list-policies", "--scope", "AWS", "--query",
                       "Policies[].PolicyName")
    assert "AdministratorAccess" in aws_policies and "AWSLambdaRole" in aws_policies

    bad = tmp_path / "bad.json"
    bad.write_text('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow"}]}')
    out = aws("iam", "create-policy", "--policy-name", "bad", "--policy-document",
              "file://%s" % bad, check=False)
    assert out.returncode in (254, 255)
    assert "(MalformedPolicyDocument)" in out.stderr
    assert "Policy statement must contain actions." in out.stderr

    creds = aws("sts", "assume-role", "--role-arn", "arn:aws:iam::000000000000:role/any",
                "--role-session-name", "cli", "--duration-seconds", "900")["Credentials"]
    assert creds["AccessKeyId"].startswith("ASIA")
