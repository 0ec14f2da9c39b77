"""Lambda versions, aliases (with weighted routing) and resource policies, with boto3 and the
aws CLI: what `sam deploy` with AutoPublishAlias and a canary deployment call."""

import json
import os
import subprocess

import botocore.exceptions
import pytest

from harness import make_client
from lambda_helpers import sandbox_pids, zip_one

ROLE = "arn:aws:iam::000000000000:role/lambda-role"

HANDLER = """
import os
def handler(event, context):
    return {"tag": TAG, "version": os.environ["AWS_LAMBDA_FUNCTION_VERSION"],
            "arn": context.invoked_function_arn}
"""


def code(tag):
    return zip_one("app.py", f"TAG = {tag!r}\n" + HANDLER)


@pytest.fixture
def lam(endpoint):
    return make_client(endpoint, service="lambda", access_key="000000000000", read_timeout=60)


def invoke(lam, name, qualifier=None):
    kwargs = {"FunctionName": name, "Payload": b"{}"}
    if qualifier:
        kwargs["Qualifier"] = qualifier
    out = lam.invoke(**kwargs)
    assert "FunctionError" not in out, out["Payload"].read()
    return out["ExecutedVersion"], json.loads(out["Payload"].read())


def create(lam, name, tag="v1", **extra):
    lam.create_function(FunctionName=name, Runtime="python3.12", Role=ROLE, Handler="app.handler",
                        Code={"ZipFile": code(tag)}, **extra)
    lam.get_waiter("function_active_v2").wait(FunctionName=name)


def error_code(excinfo):
    return excinfo.value.response["Error"]["Code"]


def test_versions_are_immutable_snapshots(lam):
    create(lam, "ver-fn", Publish=True)
    v1 = lam.get_function_configuration(FunctionName="ver-fn", Qualifier="1")
    assert v1["Version"] == "1"
    assert v1["FunctionArn"].endswith(":function:ver-fn:1")

    # Publishing again without a change returns the same version.
    again = lam.publish_version(FunctionName="ver-fn")
    assert again["Version"] == "1"

    lam.update_function_code(FunctionName="ver-fn", ZipFile=code("v2"))
    lam.get_waiter("function_updated_v2").wait(FunctionName="ver-fn")
    v2 = lam.publish_version(FunctionName="ver-fn", Description="second")
    assert v2["Version"] == "2" and v2["Description"] == "second"
    lam.update_function_code(FunctionName="ver-fn", ZipFile=code("v3"))
    lam.get_waiter("function_updated_v2").wait(FunctionName="ver-fn")

    assert invoke(lam, "ver-fn") == ("$LATEST", {"tag": "v3", "version": "$LATEST",
                                                 "arn": v1["FunctionArn"][:-2]})
    executed, body = invoke(lam, "ver-fn", "1")
    assert executed == "1" and body["tag"] == "v1" and body["version"] == "1"
    assert body["arn"].endswith(":function:ver-fn:1")
    # A qualified ARN names the version too.
    executed, body = invoke(lam, v2["FunctionArn"])
    assert executed == "2" and body["tag"] == "v2"

    versions = [v["Version"] for p in lam.get_paginator("list_versions_by_function").paginate(
        FunctionName="ver-fn", PaginationConfig={"PageSize": 1}) for v in p["Versions"]]
    assert versions == ["$LATEST", "1", "2"]
    names = [f["FunctionArn"] for f in lam.list_functions(FunctionVersion="ALL")["Functions"]
             if f["FunctionName"] == "ver-fn"]
    assert len(names) == 3

    with pytest.raises(botocore.exceptions.ClientError) as e:
        lam.publish_version(FunctionName="ver-fn", CodeSha256="nope")
    assert error_code(e) == "InvalidParameterValueException"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        invoke(lam, "ver-fn", "9")
    assert error_code(e) == "ResourceNotFoundException"

    lam.delete_function(FunctionName="ver-fn", Qualifier="1")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        lam.get_function(FunctionName="ver-fn", Qualifier="1")
    assert error_code(e) == "ResourceNotFoundException"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        lam.delete_function(FunctionName="ver-fn", Qualifier="$LATEST")
    assert error_code(e) == "InvalidParameterValueException"
    lam.delete_function(FunctionName="ver-fn")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        lam.get_function(FunctionName="ver-fn", Qualifier="2")
    assert error_code(e) == "ResourceNotFoundException"


def test_aliases_and_weighted_routing(lam):
    create(lam, "alias-fn", Publish=True)
    lam.update_function_code(FunctionName="alias-fn", ZipFile=code("v2"), Publish=True)
    lam.get_waiter("function_updated_v2").wait(FunctionName="alias-fn")

    live = lam.create_alias(FunctionName="alias-fn", Name="live", FunctionVersion="1",
                            Description="prod")
    assert live["AliasArn"].endswith(":function:alias-fn:live")
    assert invoke(lam, "alias-fn", "live")[0] == "1"
    assert invoke(lam, "alias-fn:live")[1]["arn"].endswith(":alias-fn:live")
    conf = lam.get_function_configuration(FunctionName="alias-fn", Qualifier="live")
    assert conf["Version"] == "1" and conf["FunctionArn"].endswith(":alias-fn:live")

    # A canary: 30% of invocations go to version 2.
    lam.update_alias(FunctionName="alias-fn", Name="live",
                     RoutingConfig={"AdditionalVersionWeights": {"2": 0.3}})
    counts = {"1": 0, "2": 0}
    for _ in range(200):
        counts[invoke(lam, "alias-fn", "live")[0]] += 1
    assert 20 <= counts["2"] <= 110, counts
    assert counts["1"] + counts["2"] == 200

    got = lam.get_alias(FunctionName="alias-fn", Name="live")
    assert got["RoutingConfig"]["AdditionalVersionWeights"] == {"2": 0.3}
    lam.create_alias(FunctionName="alias-fn", Name="dev", FunctionVersion="$LATEST")
    names = [a["Name"] for a in lam.list_aliases(FunctionName="alias-fn")["Aliases"]]
    assert names == ["dev", "live"]
    assert [a["Name"] for a in lam.list_aliases(FunctionName="alias-fn",
                                                FunctionVersion="1")["Aliases"]] == ["live"]

    for kwargs, code_ in [
        ({"Name": "live", "FunctionVersion": "1"}, "ResourceConflictException"),
        ({"Name": "x", "FunctionVersion": "7"}, "ResourceNotFoundException"),
        ({"Name": "123", "FunctionVersion": "1"}, "ValidationException"),
        ({"Name": "y", "FunctionVersion": "$LATEST",
          "RoutingConfig": {"AdditionalVersionWeights": {"1": 0.5}}},
         "InvalidParameterValueException"),
    ]:
        with pytest.raises(botocore.exceptions.ClientError) as e:
            lam.create_alias(FunctionName="alias-fn", **kwargs)
        assert error_code(e) in (code_, "InvalidParameterValueException"), kwargs

    # A version an alias routes to cannot be deleted.
    with pytest.raises(botocore.exceptions.ClientError) as e:
        lam.delete_function(FunctionName="alias-fn", Qualifier="2")
    assert error_code(e) == "ResourceConflictException"
    lam.delete_alias(FunctionName="alias-fn", Name="live")
    lam.delete_function(FunctionName="alias-fn", Qualifier="2")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        lam.get_alias(FunctionName="alias-fn", Name="live")
    assert error_code(e) == "ResourceNotFoundException"


def test_versions_and_aliases_survive_restart(tidepool_factory, tmp_path):
    server = tidepool_factory(durability="sync", data_dir=tmp_path / "data")
    lam = make_client(server.endpoint, service="lambda", access_key="000000000000",
                      read_timeout=60)
    create(lam, "durable-fn", Publish=True)
    lam.update_function_code(FunctionName="durable-fn", ZipFile=code("v2"))
    lam.get_waiter("function_updated_v2").wait(FunctionName="durable-fn")
    lam.create_alias(FunctionName="durable-fn", Name="live", FunctionVersion="1")
    lam.add_permission(FunctionName="durable-fn", StatementId="s3", Action="lambda:InvokeFunction",
                       Principal="s3.amazonaws.com", SourceArn="arn:aws:s3:::bucket")
    server.kill()
    server = tidepool_factory(durability="sync", data_dir=tmp_path / "data")
    lam = make_client(server.endpoint, service="lambda", access_key="000000000000",
                      read_timeout=60)
    assert invoke(lam, "durable-fn", "live") == ("1", {"tag": "v1", "version": "1", "arn": (
        lam.get_alias(FunctionName="durable-fn", Name="live")["AliasArn"])})
    assert invoke(lam, "durable-fn")[1]["tag"] == "v2"
    policy = json.loads(lam.get_policy(FunctionName="durable-fn")["Policy"])
    assert policy["Statement"][0]["Sid"] == "s3"
    # The next version number continues after a restart.
    assert lam.publish_version(FunctionName="durable-fn")["Version"] == "2"


def test_permissions(lam):
    create(lam, "perm-fn")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        lam.get_policy(FunctionName="perm-fn")
    assert error_code(e) == "ResourceNotFoundException"
    out = lam.add_permission(FunctionName="perm-fn", StatementId="sns", Action="lambda:InvokeFunction",
                             Principal="sns.amazonaws.com",
                             SourceArn="arn:aws:sns:us-east-1:000000000000:topic",
                             SourceAccount="000000000000")
    statement = json.loads(out["Statement"])
    assert statement == {
        "Sid": "sns", "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"},
        "Action": "lambda:InvokeFunction",
        "Resource": statement["Resource"],
        "Condition": {"StringEquals": {"AWS:SourceAccount": "000000000000"},
                      "ArnLike": {"AWS:SourceArn": "arn:aws:sns:us-east-1:000000000000:topic"}}}
    assert statement["Resource"].endswith(":function:perm-fn")
    lam.add_permission(FunctionName="perm-fn", StatementId="acct", Action="lambda:*",
                       Principal="111122223333")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        lam.add_permission(FunctionName="perm-fn", StatementId="acct", Action="lambda:*",
                           Principal="111122223333")
    assert error_code(e) == "ResourceConflictException"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        lam.add_permission(FunctionName="perm-fn", StatementId="bad", Action="s3:GetObject",
                           Principal="*")
    assert error_code(e) in ("InvalidParameterValueException", "ValidationException")
    policy = json.loads(lam.get_policy(FunctionName="perm-fn")["Policy"])
    assert [s["Sid"] for s in policy["Statement"]] == ["sns", "acct"]
    assert policy["Statement"][1]["Principal"] == {"AWS": "arn:aws:iam::111122223333:root"}
    lam.remove_permission(FunctionName="perm-fn", StatementId="sns")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        lam.remove_permission(FunctionName="perm-fn", StatementId="sns")
    assert error_code(e) == "ResourceNotFoundException"


def test_cli_publish_and_alias(lam, endpoint, tmp_path):
    create(lam, "cli-ver-fn")
    env_cli = ["aws", "--endpoint-url", endpoint, "--region", "us-east-1", "--output", "json"]
    env = dict(os.environ, AWS_ACCESS_KEY_ID="000000000000", AWS_SECRET_ACCESS_KEY="x",
               AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull)
    env.pop("AWS_PROFILE", None)
    out = json.loads(subprocess.run(env_cli + ["lambda", "publish-version", "--function-name",
                                               "cli-ver-fn"], env=env, check=True,
                                    capture_output=True, text=True).stdout)
    assert out["Version"] == "1"
    out = json.loads(subprocess.run(env_cli + ["lambda", "create-alias", "--function-name",
                                               "cli-ver-fn", "--name", "prod",
                                               "--function-version", "1"], env=env, check=True,
                                    capture_output=True, text=True).stdout)
    assert out["Name"] == "prod"
    result = tmp_path / "out.json"
    subprocess.run(env_cli + ["lambda", "invoke", "--function-name", "cli-ver-fn:prod",
                              str(result)], env=env, check=True, capture_output=True)
    assert json.loads(result.read_text())["version"] == "1"


def sandbox_count(server):
    return len(sandbox_pids(server.proc.pid))


def test_provisioned_concurrency_prestarts_sandboxes(lam, server):
    create(lam, "prov-fn", Publish=True)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        lam.put_provisioned_concurrency_config(FunctionName="prov-fn", Qualifier="$LATEST",
                                               ProvisionedConcurrentExecutions=1)
    assert error_code(e) == "InvalidParameterValueException"
    before = sandbox_count(server)
    out = lam.put_provisioned_concurrency_config(FunctionName="prov-fn", Qualifier="1",
                                                 ProvisionedConcurrentExecutions=2)
    assert out["RequestedProvisionedConcurrentExecutions"] == 2
    assert out["Status"] in ("IN_PROGRESS", "READY")
    got = lam.get_provisioned_concurrency_config(FunctionName="prov-fn", Qualifier="1")
    assert got["Status"] == "READY" and got["AvailableProvisionedConcurrentExecutions"] == 2
    # Two sandboxes run before any invocation.
    assert sandbox_count(server) == before + 2
    assert invoke(lam, "prov-fn", "1")[0] == "1"
    assert sandbox_count(server) == before + 2  # the invocation used a provisioned one
    configs = lam.list_provisioned_concurrency_configs(FunctionName="prov-fn")[
        "ProvisionedConcurrencyConfigs"]
    assert [c["FunctionArn"].rsplit(":", 1)[1] for c in configs] == ["1"]
    lam.delete_provisioned_concurrency_config(FunctionName="prov-fn", Qualifier="1")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        lam.get_provisioned_concurrency_config(FunctionName="prov-fn", Qualifier="1")
    assert error_code(e) == "ProvisionedConcurrencyConfigNotFoundException"


def test_invoke_request_id_is_the_functions(lam):
    lam.create_function(FunctionName="rid-fn", Runtime="python3.12", Role=ROLE,
                        Handler="app.handler", Code={"ZipFile": zip_one(
                            "app.py", "def handler(e, c):\n    return c.aws_request_id\n")})
    out = lam.invoke(FunctionName="rid-fn", Payload=b"{}")
    assert json.loads(out["Payload"].read()) == out["ResponseMetadata"]["RequestId"]


def test_a_configuration_change_alone_publishes_a_new_version(lam):
    create(lam, "desc-fn", Publish=True)
    lam.update_function_configuration(FunctionName="desc-fn", Description="changed")
    lam.get_waiter("function_updated_v2").wait(FunctionName="desc-fn")
    v2 = lam.publish_version(FunctionName="desc-fn")
    assert v2["Version"] == "2" and v2["Description"] == "changed"
    # A permission is not a configuration change: publishing again answers version 2.
    lam.add_permission(FunctionName="desc-fn", StatementId="s", Action="lambda:InvokeFunction",
                       Principal="sns.amazonaws.com")
    assert lam.publish_version(FunctionName="desc-fn")["Version"] == "2"
