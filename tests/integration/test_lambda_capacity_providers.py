"""Lambda Managed Instances with boto3: capacity providers (create, get, list, update, delete,
tags, their function versions) and functions configured with one, which run locally."""

import json
import threading
import time

import botocore.exceptions
import pytest

from harness import ACCOUNT, REGION, make_client
from lambda_helpers import sandbox_pids, zip_one

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


SLEEPER = ("import time\n"
           "def handler(event, context):\n"
           "    time.sleep(event.get('sleep', 0))\n"
           "    return 'ok'\n")


def scaled_function(lam, provider, name):
    """A published version of a sleeping function on capacity provider `provider`."""
    arn = create_provider(lam, provider)["CapacityProviderArn"]
    lam.create_function(FunctionName=name, Runtime="python3.12", Role=ROLE, Handler="app.handler",
                        Code={"ZipFile": zip_one("app.py", SLEEPER)},
                        CapacityProviderConfig=lmi(arn))
    lam.get_waiter("function_active_v2").wait(FunctionName=name)
    return lam.publish_version(FunctionName=name)["Version"]


def wait_for(predicate, seconds=15):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


def test_function_scaling_config_put_get_and_errors(endpoint):
    lam = lam_client(endpoint)
    version = scaled_function(lam, "cp-scale", "scaled")
    fn_arn = "arn:aws:lambda:%s:%s:function:scaled" % (REGION, ACCOUNT)
    # Nothing set yet: the version's ARN and no config.
    got = lam.get_function_scaling_config(FunctionName="scaled", Qualifier=version)
    assert got["FunctionArn"] == fn_arn + ":" + version
    assert "RequestedFunctionScalingConfig" not in got
    out = lam.put_function_scaling_config(
        FunctionName="scaled", Qualifier=version,
        FunctionScalingConfig={"MinExecutionEnvironments": 0, "MaxExecutionEnvironments": 4})
    assert out["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert out["FunctionState"] == "Active"
    got = lam.get_function_scaling_config(FunctionName=fn_arn, Qualifier=version)
    assert got["RequestedFunctionScalingConfig"] == {"MinExecutionEnvironments": 0,
                                                     "MaxExecutionEnvironments": 4}
    assert got["AppliedFunctionScalingConfig"] == got["RequestedFunctionScalingConfig"]

    def error(call, **kw):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            call(**kw)
        return code(e), e.value.response["Error"]["Message"]

    put = lam.put_function_scaling_config
    assert error(put, FunctionName="scaled", Qualifier=version, FunctionScalingConfig={
        "MinExecutionEnvironments": 5, "MaxExecutionEnvironments": 2})[0] == \
        "InvalidParameterValueException"
    assert error(put, FunctionName="scaled", Qualifier="99", FunctionScalingConfig={})[0] == \
        "ResourceNotFoundException"
    assert error(put, FunctionName="missing", Qualifier="1", FunctionScalingConfig={})[0] == \
        "ResourceNotFoundException"
    # $LATEST and aliases are not published versions; $LATEST.PUBLISHED is refused by name.
    for qualifier in ("$LATEST", "live"):
        err, message = error(put, FunctionName="scaled", Qualifier=qualifier,
                             FunctionScalingConfig={})
        assert err == "ValidationException" and "regular expression" in message, message
    err, message = error(put, FunctionName="scaled", Qualifier="$LATEST.PUBLISHED",
                         FunctionScalingConfig={})
    assert err == "InvalidParameterValueException" and "$LATEST.PUBLISHED" in message
    # A function without a capacity provider has no execution environments to scale.
    create_function(lam, "not-lmi")
    plain = lam.publish_version(FunctionName="not-lmi")["Version"]
    err, message = error(put, FunctionName="not-lmi", Qualifier=plain, FunctionScalingConfig={})
    assert err == "InvalidParameterValueException" and "CapacityProviderConfig" in message
    # The model's range is checked.
    with pytest.raises(botocore.exceptions.ParamValidationError):
        put(FunctionName="scaled", Qualifier=version,
            FunctionScalingConfig={"MaxExecutionEnvironments": -1})


def test_scaling_minimum_starts_sandboxes_and_maximum_throttles(server):
    lam = lam_client(server.endpoint)
    version = scaled_function(lam, "cp-minmax", "minmax")
    before = len(sandbox_pids(server.proc.pid))
    lam.put_function_scaling_config(
        FunctionName="minmax", Qualifier=version,
        FunctionScalingConfig={"MinExecutionEnvironments": 1, "MaxExecutionEnvironments": 1})
    # The minimum runs before any invocation.
    assert wait_for(lambda: len(sandbox_pids(server.proc.pid)) == before + 1)
    # The maximum: while the one environment is busy, a second invocation is throttled.
    results = []

    def slow():
        results.append(lam.invoke(FunctionName="minmax", Qualifier=version,
                                  Payload=json.dumps({"sleep": 2}))["StatusCode"])

    worker = threading.Thread(target=slow)
    worker.start()
    time.sleep(0.5)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        lam.invoke(FunctionName="minmax", Qualifier=version, Payload=b"{}")
    assert code(e) == "TooManyRequestsException"
    assert e.value.response["Reason"] == "ReservedFunctionConcurrentInvocationLimitExceeded"
    worker.join()
    assert results == [200]
    assert len(sandbox_pids(server.proc.pid)) == before + 1
    # $LATEST is not capped by the version's maximum.
    assert lam.invoke(FunctionName="minmax", Payload=b"{}")["StatusCode"] == 200
    # Raising the maximum lets two run at once.
    lam.put_function_scaling_config(
        FunctionName="minmax", Qualifier=version,
        FunctionScalingConfig={"MinExecutionEnvironments": 1, "MaxExecutionEnvironments": 2})
    worker = threading.Thread(target=slow)
    worker.start()
    time.sleep(0.5)
    assert lam.invoke(FunctionName="minmax", Qualifier=version,
                      Payload=b"{}")["StatusCode"] == 200
    worker.join()
    # Deleting the version ends its warm sandboxes.
    lam.delete_function(FunctionName="minmax", Qualifier=version)
    lam.delete_function(FunctionName="minmax")
    assert wait_for(lambda: len(sandbox_pids(server.proc.pid)) <= before)


def test_capacity_providers_survive_a_restart(tidepool_factory, tmp_path):
    data = tmp_path / "data"
    server = tidepool_factory(durability="sync", data_dir=data)
    lam = lam_client(server.endpoint)
    arn = create_provider(lam, "cp-durable", Tags={"k": "v"},
                          CapacityProviderScalingConfig={"MaxVCpuCount": 8})["CapacityProviderArn"]
    create_function(lam, "durable-cp", CapacityProviderConfig=lmi(arn))
    version = lam.publish_version(FunctionName="durable-cp")["Version"]
    scaling = {"MinExecutionEnvironments": 2, "MaxExecutionEnvironments": 3}
    lam.put_function_scaling_config(FunctionName="durable-cp", Qualifier=version,
                                    FunctionScalingConfig=scaling)
    server.kill()
    server = tidepool_factory(durability="sync", data_dir=data)
    lam = lam_client(server.endpoint)
    got = lam.get_capacity_provider(CapacityProviderName="cp-durable")["CapacityProvider"]
    assert got["CapacityProviderScalingConfig"] == {"ScalingMode": "Auto", "MaxVCpuCount": 8}
    assert lam.list_tags(Resource=arn)["Tags"] == {"k": "v"}
    assert [v["FunctionArn"].split(":function:")[1] for v in
            lam.list_function_versions_by_capacity_provider(
                CapacityProviderName="cp-durable")["FunctionVersions"]] == [
                    "durable-cp:$LATEST", "durable-cp:" + version]
    got = lam.get_function_scaling_config(FunctionName="durable-cp", Qualifier=version)
    assert got["RequestedFunctionScalingConfig"] == scaling
    # The minimum is warm again after the restart, before any invocation.
    assert wait_for(lambda: len(sandbox_pids(server.proc.pid)) == 2)
