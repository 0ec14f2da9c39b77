"""IAM through boto3: roles, managed and inline policies, attachments, instance profiles,
users, groups and access keys; paginators, waiters and AWS's errors (query protocol XML)."""

import json

import botocore.exceptions
import pytest

from harness import make_client

TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                   "Action": "sts:AssumeRole"}],
}
LOGS = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["logs:CreateLogGroup", "logs:PutLogEvents"],
                   "Resource": "*"}],
}
BASIC = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"


@pytest.fixture
def iam(endpoint):
    return make_client(endpoint, "iam")


def error_of(excinfo):
    err = excinfo.value.response["Error"]
    return err["Code"], err["Message"], excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"]


def test_role_lifecycle(iam):
    role = iam.create_role(RoleName="lambda-ex", AssumeRolePolicyDocument=json.dumps(TRUST),
                           Description="exec", Tags=[{"Key": "team", "Value": "a"}])["Role"]
    assert role["Arn"] == "arn:aws:iam::000000000000:role/lambda-ex"
    assert role["RoleId"].startswith("AROA") and len(role["RoleId"]) == 21
    assert role["Path"] == "/"
    # botocore URL-decodes and parses the policy document, as it does against AWS.
    assert role["AssumeRolePolicyDocument"] == TRUST
    iam.get_waiter("role_exists").wait(RoleName="lambda-ex")
    got = iam.get_role(RoleName="lambda-ex")["Role"]
    assert got["RoleId"] == role["RoleId"]
    assert got["Description"] == "exec"
    assert got["MaxSessionDuration"] == 3600
    assert got["Tags"] == [{"Key": "team", "Value": "a"}]

    iam.update_role(RoleName="lambda-ex", Description="new", MaxSessionDuration=7200)
    new_trust = dict(TRUST, Statement=[dict(TRUST["Statement"][0],
                                            Principal={"Service": "states.amazonaws.com"})])
    iam.update_assume_role_policy(RoleName="lambda-ex", PolicyDocument=json.dumps(new_trust))
    got = iam.get_role(RoleName="lambda-ex")["Role"]
    assert got["Description"] == "new" and got["MaxSessionDuration"] == 7200
    assert got["AssumeRolePolicyDocument"] == new_trust

    iam.tag_role(RoleName="lambda-ex", Tags=[{"Key": "env", "Value": "dev"}])
    iam.untag_role(RoleName="lambda-ex", TagKeys=["team"])
    assert iam.list_role_tags(RoleName="lambda-ex")["Tags"] == [{"Key": "env", "Value": "dev"}]

    iam.attach_role_policy(RoleName="lambda-ex", PolicyArn=BASIC)
    attached = iam.list_attached_role_policies(RoleName="lambda-ex")["AttachedPolicies"]
    assert attached == [{"PolicyName": "AWSLambdaBasicExecutionRole", "PolicyArn": BASIC}]
    iam.put_role_policy(RoleName="lambda-ex", PolicyName="logs", PolicyDocument=json.dumps(LOGS))
    assert iam.list_role_policies(RoleName="lambda-ex")["PolicyNames"] == ["logs"]
    inline = iam.get_role_policy(RoleName="lambda-ex", PolicyName="logs")
    assert inline["PolicyDocument"] == LOGS and inline["RoleName"] == "lambda-ex"

    with pytest.raises(botocore.exceptions.ClientError) as e:
        iam.delete_role(RoleName="lambda-ex")
    assert error_of(e) == ("DeleteConflict",
                           "Cannot delete entity, must detach all policies first.", 409)
    iam.detach_role_policy(RoleName="lambda-ex", PolicyArn=BASIC)
    with pytest.raises(iam.exceptions.DeleteConflictException):
        iam.delete_role(RoleName="lambda-ex")
    iam.delete_role_policy(RoleName="lambda-ex", PolicyName="logs")
    iam.delete_role(RoleName="lambda-ex")
    with pytest.raises(iam.exceptions.NoSuchEntityException) as e:
        iam.get_role(RoleName="lambda-ex")
    assert error_of(e) == ("NoSuchEntity", "The role with name lambda-ex cannot be found.", 404)


def test_role_errors(iam, endpoint):
    iam.create_role(RoleName="r1", AssumeRolePolicyDocument=json.dumps(TRUST))
    with pytest.raises(iam.exceptions.EntityAlreadyExistsException) as e:
        iam.create_role(RoleName="R1", AssumeRolePolicyDocument=json.dumps(TRUST))
    assert error_of(e) == ("EntityAlreadyExists", "Role with name R1 already exists.", 409)
    with pytest.raises(iam.exceptions.MalformedPolicyDocumentException) as e:
        iam.create_role(RoleName="r2", AssumeRolePolicyDocument="{not json")
    assert error_of(e) == ("MalformedPolicyDocument", "Syntax errors in policy.", 400)
    with pytest.raises(iam.exceptions.MalformedPolicyDocumentException) as e:
        iam.put_role_policy(RoleName="r1", PolicyName="p", PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*"}]}))
    assert error_of(e)[1] == "Policy statement must contain resources."
    with pytest.raises(botocore.exceptions.ClientError) as e:
        iam.create_role(RoleName="x" * 65, AssumeRolePolicyDocument=json.dumps(TRUST))
    code, message, status = error_of(e)
    assert code == "ValidationError" and status == 400
    assert "Member must have length less than or equal to 64" in message
    with pytest.raises(iam.exceptions.NoSuchEntityException) as e:
        iam.attach_role_policy(RoleName="r1", PolicyArn="arn:aws:iam::aws:policy/Nope")
    assert error_of(e)[1] == "Policy arn:aws:iam::aws:policy/Nope does not exist or is not attachable."
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.detach_role_policy(RoleName="r1", PolicyArn=BASIC)
    with pytest.raises(iam.exceptions.NoSuchEntityException) as e:
        iam.get_role_policy(RoleName="r1", PolicyName="nope")
    assert error_of(e)[1] == "The role policy with name nope cannot be found."
    # An operation tidepool does not serve is refused with an AWS-shaped error, never faked.
    with pytest.raises(botocore.exceptions.ClientError) as e:
        iam.create_login_profile(UserName="u", Password="p4ssw0rd!Example")
    assert error_of(e)[0] == "InvalidAction"


def test_roles_paginate_and_filter_by_path(iam):
    for i in range(7):
        iam.create_role(RoleName="svc-%d" % i, Path="/service/",
                        AssumeRolePolicyDocument=json.dumps(TRUST))
    iam.create_role(RoleName="other", AssumeRolePolicyDocument=json.dumps(TRUST))
    pages = list(iam.get_paginator("list_roles").paginate(PaginationConfig={"PageSize": 3}))
    assert [len(p["Roles"]) for p in pages] == [3, 3, 2]
    names = [r["RoleName"] for p in pages for r in p["Roles"]]
    assert names == ["other"] + ["svc-%d" % i for i in range(7)]
    service = iam.list_roles(PathPrefix="/service/")["Roles"]
    assert {r["Arn"] for r in service} == {"arn:aws:iam::000000000000:role/service/svc-%d" % i
                                           for i in range(7)}
    assert "Tags" not in service[0]


def test_managed_policies_and_versions(iam):
    policy = iam.create_policy(PolicyName="app", Path="/app/", PolicyDocument=json.dumps(LOGS),
                               Description="app policy")["Policy"]
    arn = policy["Arn"]
    assert arn == "arn:aws:iam::000000000000:policy/app/app"
    assert policy["PolicyId"].startswith("ANPA") and policy["DefaultVersionId"] == "v1"
    iam.get_waiter("policy_exists").wait(PolicyArn=arn)
    with pytest.raises(iam.exceptions.EntityAlreadyExistsException) as e:
        iam.create_policy(PolicyName="app", PolicyDocument=json.dumps(LOGS))
    assert error_of(e)[1] == "A policy called app already exists. Duplicate names are not allowed."
    for _ in range(4):
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(LOGS))
    with pytest.raises(iam.exceptions.LimitExceededException) as e:
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(LOGS))
    assert error_of(e)[2] == 409
    versions = iam.list_policy_versions(PolicyArn=arn)["Versions"]
    assert [v["VersionId"] for v in versions] == ["v5", "v4", "v3", "v2", "v1"]
    iam.set_default_policy_version(PolicyArn=arn, VersionId="v3")
    assert iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"] == "v3"
    version = iam.get_policy_version(PolicyArn=arn, VersionId="v3")["PolicyVersion"]
    assert version["Document"] == LOGS and version["IsDefaultVersion"] is True
    with pytest.raises(iam.exceptions.DeleteConflictException):
        iam.delete_policy_version(PolicyArn=arn, VersionId="v3")
    for v in ("v1", "v2", "v4", "v5"):
        iam.delete_policy_version(PolicyArn=arn, VersionId=v)

    iam.create_role(RoleName="r", AssumeRolePolicyDocument=json.dumps(TRUST))
    iam.attach_role_policy(RoleName="r", PolicyArn=arn)
    assert iam.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"] == 1
    entities = iam.list_entities_for_policy(PolicyArn=arn)
    assert [r["RoleName"] for r in entities["PolicyRoles"]] == ["r"]
    local = iam.list_policies(Scope="Local", OnlyAttached=True)["Policies"]
    assert [p["Arn"] for p in local] == [arn]
    with pytest.raises(iam.exceptions.DeleteConflictException) as e:
        iam.delete_policy(PolicyArn=arn)
    assert error_of(e)[1] == "Cannot delete a policy attached to entities."
    iam.detach_role_policy(RoleName="r", PolicyArn=arn)
    iam.delete_policy(PolicyArn=arn)
    with pytest.raises(iam.exceptions.NoSuchEntityException) as e:
        iam.get_policy(PolicyArn=arn)
    assert error_of(e)[1] == "Policy %s was not found." % arn


def test_aws_managed_policies(iam):
    wanted = ["service-role/AWSLambdaBasicExecutionRole", "service-role/AWSLambdaKinesisExecutionRole",
              "service-role/AWSLambdaDynamoDBExecutionRole",
              "service-role/AWSLambdaSQSQueueExecutionRole", "service-role/AWSLambdaRole",
              "AdministratorAccess", "AmazonS3FullAccess", "AmazonDynamoDBFullAccess",
              "AmazonSQSFullAccess", "AmazonSNSFullAccess", "AmazonKinesisFullAccess",
              "AWSStepFunctionsFullAccess", "CloudWatchLogsFullAccess"]
    listed = {p["Arn"] for page in iam.get_paginator("list_policies").paginate(Scope="AWS")
              for p in page["Policies"]}
    for name in wanted:
        arn = "arn:aws:iam::aws:policy/" + name
        assert arn in listed
        policy = iam.get_policy(PolicyArn=arn)["Policy"]
        version = iam.get_policy_version(PolicyArn=arn,
                                         VersionId=policy["DefaultVersionId"])["PolicyVersion"]
        assert version["Document"]["Statement"]
    assert iam.list_policies(Scope="Local")["Policies"] == []
    with pytest.raises(botocore.exceptions.ClientError) as e:
        iam.delete_policy(PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    assert error_of(e)[0] == "UnmodifiableEntity"


def test_instance_profiles(iam):
    iam.create_role(RoleName="ec2", AssumeRolePolicyDocument=json.dumps(TRUST))
    profile = iam.create_instance_profile(InstanceProfileName="web")["InstanceProfile"]
    assert profile["InstanceProfileId"].startswith("AIPA") and profile["Roles"] == []
    iam.get_waiter("instance_profile_exists").wait(InstanceProfileName="web")
    iam.add_role_to_instance_profile(InstanceProfileName="web", RoleName="ec2")
    with pytest.raises(iam.exceptions.LimitExceededException):
        iam.add_role_to_instance_profile(InstanceProfileName="web", RoleName="ec2")
    got = iam.get_instance_profile(InstanceProfileName="web")["InstanceProfile"]
    assert [r["RoleName"] for r in got["Roles"]] == ["ec2"]
    assert got["Roles"][0]["AssumeRolePolicyDocument"] == TRUST
    for_role = iam.list_instance_profiles_for_role(RoleName="ec2")["InstanceProfiles"]
    assert [p["InstanceProfileName"] for p in for_role] == ["web"]
    with pytest.raises(iam.exceptions.DeleteConflictException) as e:
        iam.delete_role(RoleName="ec2")
    assert error_of(e)[1] == "Cannot delete entity, must remove roles from instance profile first."
    with pytest.raises(iam.exceptions.DeleteConflictException):
        iam.delete_instance_profile(InstanceProfileName="web")
    iam.remove_role_from_instance_profile(InstanceProfileName="web", RoleName="ec2")
    iam.delete_instance_profile(InstanceProfileName="web")
    iam.delete_role(RoleName="ec2")
    with pytest.raises(iam.exceptions.NoSuchEntityException) as e:
        iam.get_instance_profile(InstanceProfileName="web")
    assert error_of(e)[1] == "Instance Profile web cannot be found."
    assert iam.list_instance_profiles()["InstanceProfiles"] == []


def test_users_groups_and_access_keys(iam, endpoint):
    user = iam.create_user(UserName="alice", Tags=[{"Key": "k", "Value": "v"}])["User"]
    assert user["UserId"].startswith("AIDA")
    assert user["Arn"] == "arn:aws:iam::000000000000:user/alice"
    iam.get_waiter("user_exists").wait(UserName="alice")
    with pytest.raises(iam.exceptions.EntityAlreadyExistsException):
        iam.create_user(UserName="alice")
    iam.attach_user_policy(UserName="alice", PolicyArn="arn:aws:iam::aws:policy/AmazonSQSFullAccess")
    iam.put_user_policy(UserName="alice", PolicyName="logs", PolicyDocument=json.dumps(LOGS))
    assert iam.list_user_policies(UserName="alice")["PolicyNames"] == ["logs"]
    assert iam.list_user_tags(UserName="alice")["Tags"] == [{"Key": "k", "Value": "v"}]

    group = iam.create_group(GroupName="devs")["Group"]
    assert group["GroupId"].startswith("AGPA")
    iam.add_user_to_group(GroupName="devs", UserName="alice")
    iam.attach_group_policy(GroupName="devs", PolicyArn=BASIC)
    iam.put_group_policy(GroupName="devs", PolicyName="g", PolicyDocument=json.dumps(LOGS))
    got = iam.get_group(GroupName="devs")
    assert [u["UserName"] for u in got["Users"]] == ["alice"]
    assert [g["GroupName"] for g in iam.list_groups_for_user(UserName="alice")["Groups"]] == ["devs"]

    key = iam.create_access_key(UserName="alice")["AccessKey"]
    assert key["AccessKeyId"].startswith("AKIA") and len(key["AccessKeyId"]) == 20
    assert len(key["SecretAccessKey"]) == 40 and key["Status"] == "Active"
    iam.create_access_key(UserName="alice")
    with pytest.raises(iam.exceptions.LimitExceededException) as e:
        iam.create_access_key(UserName="alice")
    assert error_of(e)[1] == "Cannot exceed quota for AccessKeysPerUser: 2"
    listed = iam.list_access_keys(UserName="alice")["AccessKeyMetadata"]
    assert key["AccessKeyId"] in {k["AccessKeyId"] for k in listed}

    # The new key signs requests, and STS knows whose it is.
    as_alice = make_client(endpoint, "sts", access_key=key["AccessKeyId"],
                           secret_key=key["SecretAccessKey"])
    who = as_alice.get_caller_identity()
    assert who["Arn"] == user["Arn"] and who["UserId"] == user["UserId"]
    assert make_client(endpoint, "iam", access_key=key["AccessKeyId"],
                       secret_key=key["SecretAccessKey"]).get_user()["User"]["UserName"] == "alice"

    with pytest.raises(iam.exceptions.DeleteConflictException) as e:
        iam.delete_user(UserName="alice")
    iam.update_access_key(UserName="alice", AccessKeyId=key["AccessKeyId"], Status="Inactive")
    assert {k["Status"] for k in iam.list_access_keys(UserName="alice")["AccessKeyMetadata"]} == {
        "Active", "Inactive"}
    for k in iam.list_access_keys(UserName="alice")["AccessKeyMetadata"]:
        iam.delete_access_key(UserName="alice", AccessKeyId=k["AccessKeyId"])
    with pytest.raises(iam.exceptions.NoSuchEntityException) as e:
        iam.delete_access_key(UserName="alice", AccessKeyId=key["AccessKeyId"])
    assert error_of(e)[1] == "The Access Key with id %s cannot be found." % key["AccessKeyId"]
    iam.detach_user_policy(UserName="alice", PolicyArn="arn:aws:iam::aws:policy/AmazonSQSFullAccess")
    iam.delete_user_policy(UserName="alice", PolicyName="logs")
    with pytest.raises(iam.exceptions.DeleteConflictException) as e:
        iam.delete_user(UserName="alice")
    assert error_of(e)[1] == "Cannot delete entity, must remove users from group first."
    iam.remove_user_from_group(GroupName="devs", UserName="alice")
    iam.update_user(UserName="alice", NewUserName="alice2", NewPath="/people/")
    assert iam.get_user(UserName="alice2")["User"]["Arn"] == \
        "arn:aws:iam::000000000000:user/people/alice2"
    iam.delete_user(UserName="alice2")
    with pytest.raises(iam.exceptions.DeleteConflictException):
        iam.delete_group(GroupName="devs")
    iam.detach_group_policy(GroupName="devs", PolicyArn=BASIC)
    iam.delete_group_policy(GroupName="devs", PolicyName="g")
    iam.delete_group(GroupName="devs")
    assert iam.list_users()["Users"] == [] and iam.list_groups()["Groups"] == []


def test_service_linked_role(iam):
    role = iam.create_service_linked_role(AWSServiceName="lambda.amazonaws.com")["Role"]
    assert role["RoleName"] == "AWSServiceRoleForLambda"
    assert role["Path"] == "/aws-service-role/lambda.amazonaws.com/"
    task = iam.delete_service_linked_role(RoleName="AWSServiceRoleForLambda")["DeletionTaskId"]
    assert task.startswith("task/aws-service-role/")
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.get_role(RoleName="AWSServiceRoleForLambda")


def test_query_error_xml_shape(endpoint):
    import urllib.parse
    import urllib.request
    body = urllib.parse.urlencode({"Action": "GetRole", "Version": "2010-05-08",
                                   "RoleName": "missing"}).encode()
    req = urllib.request.Request(endpoint + "/", data=body, headers={
        "Content-Type": "application/x-www-form-urlencoded",
        "Authorization": "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20240101/us-east-1/iam/"
                         "aws4_request, SignedHeaders=host, Signature=00",
        "X-Amz-Date": "20240101T000000Z"})
    try:
        urllib.request.urlopen(req, timeout=10)
        raise AssertionError("GetRole of a missing role succeeded")
    except urllib.error.HTTPError as e:
        assert e.code == 404
        text = e.read().decode()
    assert '<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">' in text
    assert "<Type>Sender</Type>" in text and "<Code>NoSuchEntity</Code>" in text
    assert "<Message>The role with name missing cannot be found.</Message>" in text
