"""Lambda Managed Instances with boto3: capacity providers (create, get, list, update, delete,
tags, their function versions) and functions configured with one, which run locally."""

import json

import botocore.exceptions
import pytest

from harness import ACCOUNT, REGION, make_client
from lambda_helpers import zip_one

ROLE = "arn:aws:iam::%s:role/lambda-role" % ACCOUNT
OPERATOR = "arn:aws:iam::%s:role/operator" % ACCOUNT
HANDLER = "def handler(event, context):\n    return {'echo': event}\n"


def lam_client(endpoint):
    return make_client(endpoint, service="lambda", read_timeout=60)


def create_provider(lam, name, **extra):
    return lam.create_capacity_provider(
        CapacityProviderName=name, VpcConfig={"SubnetIds": ["subnet-0123"], "SecurityGroupIds": ["sg-0123"]},
        PermissionsConfig={"CapacityProviderOperatorRoleArn": OPERATOR}, **extra)["CapacityProvider"]


def lmi(arn, **extra):
    return {"LambdaManagedInstancesCapacityProviderConfig": {"CapacityProviderArn": arn, **extra}}


def create_function(lam, name, **extra):
    out = lam.create_function(FunctionName=name, Runtime="python3.12", Role=ROLE,
                              Handler="app.handler", Code={"ZipFile": zip_one("app.py", HANDLER)},
                              **extra)
    lam.get_waiter("function_active_v2").wait(FunctionName=name)
    return out


def code(e):
    return e.value.response["Error"]["Code"]


def test_capacity_provider_lifecycle(endpoint):
    lam = lam_client(endpoint)
    created = create_provider(lam, "cp-one", Tags={"team": "a"})
    arn = "arn:aws:lambda:%s:%s:capacity-provider:cp-one" % (REGION, ACCOUNT)
    assert created["CapacityProviderArn"] == arn
    assert created["State"] == "Pending"
    assert created["VpcConfig"]["SubnetIds"] == ["subnet-0123"]
    assert created["PermissionsConfig"]["CapacityProviderOperatorRoleArn"] == OPERATOR
    assert created["InstanceRequirements"]["Architectures"] == ["x86_64"]
    assert created["CapacityProviderScalingConfig"]["ScalingMode"] == "Auto"
    got = lam.get_capacity_provider(CapacityProviderName="cp-one")["CapacityProvider"]
    assert got["State"] == "Active"
    assert lam.get_capacity_provider(CapacityProviderName=arn)["CapacityProvider"][
        "CapacityProviderArn"] == arn
    with pytest.raises(botocore.exceptions.ClientError) as e:
        create_provider(lam, "cp-one")
    assert code(e) == "ResourceConflictException"

    updated = lam.update_capacity_provider(
        CapacityProviderName="cp-one",
        CapacityProviderScalingConfig={"ScalingMode": "Manual", "MaxVCpuCount": 64,
                                       "ScalingPolicies": [{
                                           "PredefinedMetricType":
                                               "LambdaCapacityProviderAverageCPUUtilization",
                                           "TargetValue": 50.0}]})["CapacityProvider"]
    assert updated["CapacityProviderScalingConfig"]["ScalingMode"] == "Manual"
    assert updated["CapacityProviderScalingConfig"]["MaxVCpuCount"] == 64
    assert lam.get_capacity_provider(CapacityProviderName="cp-one")["CapacityProvider"][
        "CapacityProviderScalingConfig"]["ScalingPolicies"][0]["TargetValue"] == 50.0

    assert lam.list_tags(Resource=arn)["Tags"] == {"team": "a"}
    lam.tag_resource(Resource=arn, Tags={"env": "dev"})
    lam.untag_resource(Resource=arn, TagKeys=["team"])
    assert lam.list_tags(Resource=arn)["Tags"] == {"env": "dev"}

    deleted = lam.delete_capacity_provider(CapacityProviderName="cp-one")["CapacityProvider"]
    assert deleted["State"] == "Deleting"
    for call in (lambda: lam.get_capacity_provider(CapacityProviderName="cp-one"),
                 lambda: lam.delete_capacity_provider(CapacityProviderName="cp-one"),
                 lambda: lam.update_capacity_provider(CapacityProviderName="cp-one"),
                 lambda: lam.list_tags(Resource=arn),
                 lambda: lam.list_function_versions_by_capacity_provider(
                     CapacityProviderName="cp-one")):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            call()
        assert code(e) == "ResourceNotFoundException"


def test_list_capacity_providers_pages_and_filters(endpoint):
    lam = lam_client(endpoint)
    for name in ("cp-b", "cp-a", "cp-c"):
        create_provider(lam, name, InstanceRequirements={"Architectures": ["arm64"]})
    names = []
    marker = None
    while True:
        kwargs = {"MaxItems": 2}
        if marker:
            kwargs["Marker"] = marker
        page = lam.list_capacity_providers(**kwargs)
        assert len(page["CapacityProviders"]) <= 2
        names += [p["CapacityProviderArn"].rsplit(":", 1)[1] for p in page["CapacityProviders"]]
        marker = page.get("NextMarker")
        if not marker:
            break
    assert names == ["cp-a", "cp-b", "cp-c"]
    assert len(lam.list_capacity_providers(State="Active")["CapacityProviders"]) == 3
    assert lam.list_capacity_providers(State="Failed")["CapacityProviders"] == []
    paginated = [p for page in lam.get_paginator("list_capacity_providers").paginate()
                 for p in page["CapacityProviders"]]
    assert len(paginated) == 3
    assert paginated[0]["InstanceRequirements"]["Architectures"] == ["arm64"]


def test_functions_on_a_capacity_provider(endpoint):
    lam = lam_client(endpoint)
    arn = create_provider(lam, "cp-fn")["CapacityProviderArn"]
    out = create_function(lam, "on-cp", MemorySize=2048, CapacityProviderConfig=lmi(
        arn, PerExecutionEnvironmentMaxConcurrency=1, ExecutionEnvironmentMemoryGiBPerVCpu=2.0))
    assert out["CapacityProviderConfig"]["LambdaManagedInstancesCapacityProviderConfig"][
        "CapacityProviderArn"] == arn
    conf = lam.get_function(FunctionName="on-cp")["Configuration"]
    assert conf["CapacityProviderConfig"] == lmi(
        arn, PerExecutionEnvironmentMaxConcurrency=1, ExecutionEnvironmentMemoryGiBPerVCpu=2.0)
    # It runs, as a local process like any other function.
    got = lam.invoke(FunctionName="on-cp", Payload=json.dumps({"a": 1}))
    assert json.loads(got["Payload"].read()) == {"echo": {"a": 1}}
    version = lam.publish_version(FunctionName="on-cp")["Version"]

    # A second function joins through UpdateFunctionConfiguration.
    create_function(lam, "joins-cp")
    lam.update_function_configuration(FunctionName="joins-cp", CapacityProviderConfig=lmi(arn))
    lam.get_waiter("function_updated_v2").wait(FunctionName="joins-cp")

    fn_arn = "arn:aws:lambda:%s:%s:function:" % (REGION, ACCOUNT)
    listed = lam.list_function_versions_by_capacity_provider(CapacityProviderName="cp-fn")
    assert listed["CapacityProviderArn"] == arn
    assert sorted(v["FunctionArn"] for v in listed["FunctionVersions"]) == [
        fn_arn + "joins-cp:$LATEST", fn_arn + "on-cp:$LATEST", fn_arn + "on-cp:" + version]
    assert {v["State"] for v in listed["FunctionVersions"]} == {"Active"}
    first = lam.list_function_versions_by_capacity_provider(CapacityProviderName="cp-fn",
                                                           MaxItems=2)
    assert len(first["FunctionVersions"]) == 2 and first["NextMarker"]
    rest = lam.list_function_versions_by_capacity_provider(CapacityProviderName="cp-fn",
                                                          Marker=first["NextMarker"])
    assert len(rest["FunctionVersions"]) == 1 and "NextMarker" not in rest

    # A provider with function versions cannot go.
    with pytest.raises(botocore.exceptions.ClientError) as e:
        lam.delete_capacity_provider(CapacityProviderName="cp-fn")
    assert code(e) == "ResourceConflictException"
    lam.delete_function(FunctionName="on-cp")
    lam.delete_function(FunctionName="joins-cp")
    assert lam.list_function_versions_by_capacity_provider(
        CapacityProviderName="cp-fn")["FunctionVersions"] == []
    lam.delete_capacity_provider(CapacityProviderName="cp-fn")


def test_capacity_provider_config_is_checked(endpoint):
    lam = lam_client(endpoint)
    arn = create_provider(lam, "cp-check")["CapacityProviderArn"]
    missing = arn.replace("cp-check", "cp-missing")
    for config in (lmi(missing), lmi(arn, PerExecutionEnvironmentMaxConcurrency=8)):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            create_function(lam, "bad-cp", CapacityProviderConfig=config)
        assert code(e) == "InvalidParameterValueException"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        lam.get_function(FunctionName="bad-cp")
    assert code(e) == "ResourceNotFoundException"
    create_function(lam, "plain")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        lam.update_function_configuration(FunctionName="plain", CapacityProviderConfig=lmi(
            arn, PerExecutionEnvironmentMaxConcurrency=2))
    assert "PerExecutionEnvironmentMaxConcurrency" in e.value.response["Error"]["Message"]
    assert "CapacityProviderConfig" not in lam.get_function(FunctionName="plain")["Configuration"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        create_provider(lam, "cp-both", InstanceRequirements={
            "Architectures": ["x86_64"], "AllowedInstanceTypes": ["m7g.large"],
            "ExcludedInstanceTypes": ["c7g.large"]})
    assert code(e) == "InvalidParameterValueException"


def test_publish_to_latest_published_is_refused(endpoint):
    # tidepool keeps no $LATEST.PUBLISHED version: PublishTo is refused, never ignored.
    lam = lam_client(endpoint)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        create_function(lam, "pub-to", PublishTo="LATEST_PUBLISHED")
    assert code(e) == "InvalidParameterValueException"
    assert "PublishTo" in e.value.response["Error"]["Message"]
    create_function(lam, "pub-to")
    for call in (lambda: lam.publish_version(FunctionName="pub-to", PublishTo="LATEST_PUBLISHED"),
                 lambda: lam.update_function_code(FunctionName="pub-to", PublishTo="LATEST_PUBLISHED",
                                                  ZipFile=zip_one("app.py", HANDLER))):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            call()
        assert code(e) == "InvalidParameterValueException"
    assert [v["Version"] for v in lam.list_versions_by_function(FunctionName="pub-to")[
        "Versions"]] == ["$LATEST"]


def test_function_scaling_config_is_not_built(endpoint):
    lam = lam_client(endpoint)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        lam.get_function_scaling_config(FunctionName="any", Qualifier="1")
    assert code(e) == "UnsupportedOperationException"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 501


def test_capacity_providers_survive_a_restart(tidepool_factory, tmp_path):
    data = tmp_path / "data"
    server = tidepool_factory(durability="sync", data_dir=data)
    lam = lam_client(server.endpoint)
    arn = create_provider(lam, "cp-durable", Tags={"k": "v"},
                          CapacityProviderScalingConfig={"MaxVCpuCount": 8})["CapacityProviderArn"]
    create_function(lam, "durable-cp", CapacityProviderConfig=lmi(arn))
    server.kill()
    server = tidepool_factory(durability="sync", data_dir=data)
    lam = lam_client(server.endpoint)
    got = lam.get_capacity_provider(CapacityProviderName="cp-durable")["CapacityProvider"]
    assert got["CapacityProviderScalingConfig"] == {"ScalingMode": "Auto", "MaxVCpuCount": 8}
    assert lam.list_tags(Resource=arn)["Tags"] == {"k": "v"}
    assert [v["FunctionArn"].split(":function:")[1] for v in
            lam.list_function_versions_by_capacity_provider(
                CapacityProviderName="cp-durable")["FunctionVersions"]] == ["durable-cp:$LATEST"]
