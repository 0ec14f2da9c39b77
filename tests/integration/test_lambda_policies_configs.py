"""Layer version policies, code from a version of a versioned S3 bucket, and the function
settings whose behaviour is fixed locally (recursion and runtime management configs), with
boto3: stored and answered as AWS answers them, and durable across kill -9."""

import io
import json
import zipfile

import botocore.exceptions
import pytest

from harness import make_client

ROLE = "arn:aws:iam::000000000000:role/lambda-role"


def make_zip(files):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in files.items():
            z.writestr(name, text)
    return buf.getvalue()


def handler_zip(answer):
    return make_zip({"app.py": "def handler(e, c):\n    return %r\n" % answer})


def lambda_client(endpoint):
    return make_client(endpoint, service="lambda", access_key="000000000000", read_timeout=60)


def error(excinfo):
    return excinfo.value.response["Error"]["Code"], excinfo.value.response["Error"]["Message"]


def create_function(lam, name, **code):
    lam.create_function(FunctionName=name, Runtime="python3.12", Role=ROLE, Handler="app.handler",
                        Code=code or {"ZipFile": handler_zip(name)})
    lam.get_waiter("function_active_v2").wait(FunctionName=name,
                                              WaiterConfig={"Delay": 0.1, "MaxAttempts": 50})


def test_layer_version_permissions(endpoint):
    lam = lambda_client(endpoint)
    layer = lam.publish_layer_version(LayerName="shared", Content={"ZipFile": make_zip(
        {"python/helper.py": "X = 1\n"})})
    arn = layer["LayerVersionArn"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        lam.get_layer_version_policy(LayerName="shared", VersionNumber=1)
    assert error(e) == ("ResourceNotFoundException",
                        "No policy is associated with the given resource.")
    added = lam.add_layer_version_permission(
        LayerName="shared", VersionNumber=1, StatementId="xaccount",
        Action="lambda:GetLayerVersion", Principal="123456789012")
    assert json.loads(added["Statement"]) == {
        "Sid": "xaccount", "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
        "Action": "lambda:GetLayerVersion", "Resource": arn}
    rev = added["RevisionId"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        lam.add_layer_version_permission(
            LayerName="shared", VersionNumber=1, StatementId="xaccount",
            Action="lambda:GetLayerVersion", Principal="*")
    assert error(e)[0] == "ResourceConflictException"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        lam.add_layer_version_permission(
            LayerName="shared", VersionNumber=1, StatementId="org", RevisionId="stale",
            Action="lambda:GetLayerVersion", Principal="*")
    assert error(e)[0] == "PreconditionFailedException"
    org = lam.add_layer_version_permission(
        LayerName=arn.rsplit(":", 1)[0], VersionNumber=1, StatementId="org", RevisionId=rev,
        Action="lambda:GetLayerVersion", Principal="*", OrganizationId="o-abcdefghij")
    assert json.loads(org["Statement"])["Condition"] == {
        "StringEquals": {"aws:PrincipalOrgID": "o-abcdefghij"}}
    assert json.loads(org["Statement"])["Principal"] == "*"
    got = lam.get_layer_version_policy(LayerName="shared", VersionNumber=1)
    assert got["RevisionId"] == org["RevisionId"] != rev
    policy = json.loads(got["Policy"])
    assert policy["Version"] == "2012-10-17" and policy["Id"] == "default"
    assert [s["Sid"] for s in policy["Statement"]] == ["xaccount", "org"]
    # The model's pattern allows lambda:GetLayerVersion only.
    with pytest.raises(botocore.exceptions.ClientError) as e:
        lam.add_layer_version_permission(LayerName="shared", VersionNumber=1, StatementId="bad",
                                         Action="lambda:InvokeFunction", Principal="*")
    assert error(e)[0] == "ValidationException"
    for version in (2, 1):
        if version == 1:
            lam.delete_layer_version(LayerName="shared", VersionNumber=1)
        with pytest.raises(botocore.exceptions.ClientError) as e:
            lam.add_layer_version_permission(
                LayerName="shared", VersionNumber=version, StatementId="s",
                Action="lambda:GetLayerVersion", Principal="*")
        assert error(e) == ("ResourceNotFoundException",
                            "Layer version %s:%d does not exist." % (arn.rsplit(":", 1)[0],
                                                                     version))


def test_removing_layer_version_permissions(endpoint):
    lam = lambda_client(endpoint)
    lam.publish_layer_version(LayerName="rm", Content={"ZipFile": make_zip({"a": "1"})})
    for sid in ("one", "two"):
        rev = lam.add_layer_version_permission(
            LayerName="rm", VersionNumber=1, StatementId=sid, Action="lambda:GetLayerVersion",
            Principal="*")["RevisionId"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        lam.remove_layer_version_permission(LayerName="rm", VersionNumber=1, StatementId="one",
                                            RevisionId="stale")
    assert error(e)[0] == "PreconditionFailedException"
    lam.remove_layer_version_permission(LayerName="rm", VersionNumber=1, StatementId="one",
                                        RevisionId=rev)
    left = json.loads(lam.get_layer_version_policy(LayerName="rm", VersionNumber=1)["Policy"])
    assert [s["Sid"] for s in left["Statement"]] == ["two"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        lam.remove_layer_version_permission(LayerName="rm", VersionNumber=1, StatementId="one")
    assert error(e) == ("ResourceNotFoundException",
                        "Statement one is not found in resource policy.")
    lam.remove_layer_version_permission(LayerName="rm", VersionNumber=1, StatementId="two")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        lam.get_layer_version_policy(LayerName="rm", VersionNumber=1)
    assert error(e)[0] == "ResourceNotFoundException"


def test_code_from_a_version_of_a_versioned_bucket(endpoint):
    lam = lambda_client(endpoint)
    s3 = make_client(endpoint, service="s3", access_key="000000000000")
    s3.create_bucket(Bucket="versioned-code")
    s3.put_bucket_versioning(Bucket="versioned-code",
                             VersioningConfiguration={"Status": "Enabled"})
    v1 = s3.put_object(Bucket="versioned-code", Key="fn.zip", Body=handler_zip("one"))["VersionId"]
    v2 = s3.put_object(Bucket="versioned-code", Key="fn.zip", Body=handler_zip("two"))["VersionId"]
    assert v1 != v2
    create_function(lam, "versioned-fn", S3Bucket="versioned-code", S3Key="fn.zip",
                    S3ObjectVersion=v1)
    assert json.loads(lam.invoke(FunctionName="versioned-fn")["Payload"].read()) == "one"
    lam.update_function_code(FunctionName="versioned-fn", S3Bucket="versioned-code",
                             S3Key="fn.zip", S3ObjectVersion=v2)
    lam.get_waiter("function_updated_v2").wait(FunctionName="versioned-fn")
    assert json.loads(lam.invoke(FunctionName="versioned-fn")["Payload"].read()) == "two"
    layer = lam.publish_layer_version(LayerName="versioned-layer", Content={
        "S3Bucket": "versioned-code", "S3Key": "fn.zip", "S3ObjectVersion": v1})
    assert layer["Version"] == 1
    # A version that is gone answers S3's error, as AWS quotes it.
    s3.delete_object(Bucket="versioned-code", Key="fn.zip", VersionId=v1)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        create_function(lam, "gone-version", S3Bucket="versioned-code", S3Key="fn.zip",
                        S3ObjectVersion=v1)
    code, message = error(e)
    assert code == "InvalidParameterValueException"
    assert "S3 Error Code: NoSuchVersion" in message, message


def test_runtime_management_config(endpoint):
    lam = lambda_client(endpoint)
    create_function(lam, "managed")
    fn_arn = lam.get_function(FunctionName="managed")["Configuration"]["FunctionArn"]
    got = lam.get_runtime_management_config(FunctionName="managed")
    assert got["UpdateRuntimeOn"] == "Auto" and got["FunctionArn"] == fn_arn
    assert "RuntimeVersionArn" not in got
    runtime = "arn:aws:lambda:us-east-1::runtime:0123456789abcdef"
    put = lam.put_runtime_management_config(FunctionName="managed", UpdateRuntimeOn="Manual",
                                            RuntimeVersionArn=runtime)
    assert put["UpdateRuntimeOn"] == "Manual" and put["RuntimeVersionArn"] == runtime
    got = lam.get_runtime_management_config(FunctionName="managed")
    assert got["UpdateRuntimeOn"] == "Manual" and got["RuntimeVersionArn"] == runtime
    with pytest.raises(botocore.exceptions.ClientError) as e:
        lam.put_runtime_management_config(FunctionName="managed", UpdateRuntimeOn="Manual")
    assert error(e)[0] == "InvalidParameterValueException"
    # Per qualifier: a published version keeps its own setting.
    lam.publish_version(FunctionName="managed")
    put = lam.put_runtime_management_config(FunctionName="managed", Qualifier="1",
                                            UpdateRuntimeOn="FunctionUpdate")
    assert put["FunctionArn"] == fn_arn + ":1"
    assert lam.get_runtime_management_config(
        FunctionName="managed", Qualifier="1")["UpdateRuntimeOn"] == "FunctionUpdate"
    assert lam.get_runtime_management_config(
        FunctionName="managed")["UpdateRuntimeOn"] == "Manual"
    # The function still runs on the machine's runtime.
    assert json.loads(lam.invoke(FunctionName="managed")["Payload"].read()) == "managed"


def test_policies_and_configs_survive_kill_9(tidepool_factory):
    server = tidepool_factory(durability="sync")
    lam = lambda_client(server.endpoint)
    lam.publish_layer_version(LayerName="durable", Content={"ZipFile": make_zip({"a": "1"})})
    rev = lam.add_layer_version_permission(
        LayerName="durable", VersionNumber=1, StatementId="keep",
        Action="lambda:GetLayerVersion", Principal="*")["RevisionId"]
    create_function(lam, "durable-fn")
    lam.put_runtime_management_config(FunctionName="durable-fn", UpdateRuntimeOn="FunctionUpdate")
    server.kill()
    server = tidepool_factory(durability="sync", data_dir=server.data_dir)
    lam = lambda_client(server.endpoint)
    got = lam.get_layer_version_policy(LayerName="durable", VersionNumber=1)
    assert got["RevisionId"] == rev
    assert [s["Sid"] for s in json.loads(got["Policy"])["Statement"]] == ["keep"]
    assert lam.get_runtime_management_config(
        FunctionName="durable-fn")["UpdateRuntimeOn"] == "FunctionUpdate"
