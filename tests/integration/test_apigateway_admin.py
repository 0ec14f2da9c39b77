"""API Gateway's management odds and ends with boto3 and the aws CLI: tags by ARN (REST APIs,
stages, API keys, usage plans), GetAccount/UpdateAccount, UpdateDeployment, GetModelTemplate,
ImportApiKeys (the documented CSV format, failOnWarnings) and UpdateUsage (a grant to a key's
remaining quota, enforced at invoke time)."""

import json

import botocore.exceptions
import pytest

from apigateway_helpers import build_mock_api, invoke_path, request
from cli_helpers import aws_cli_runner
from harness import make_client

ARN = "arn:aws:apigateway:us-east-1::"
KEY_A = "importedkey-aaaaaaaaaaaaaaaa"
KEY_B = "importedkey-bbbbbbbbbbbbbbbb"


@pytest.fixture
def apigw(endpoint):
    return make_client(endpoint, service="apigateway", access_key="000000000000")


def error_code(excinfo):
    return excinfo.value.response["Error"]["Code"]


def keyed_api(apigw):
    """The mock API with GET /hello requiring an API key, deployed to `dev`."""
    api_id = build_mock_api(apigw, name="keyed")
    hello = [r for r in apigw.get_resources(restApiId=api_id)["items"] if r["path"] == "/hello"]
    apigw.update_method(restApiId=api_id, resourceId=hello[0]["id"], httpMethod="GET",
                        patchOperations=[{"op": "replace", "path": "/apiKeyRequired",
                                          "value": "true"}])
    apigw.create_deployment(restApiId=api_id, stageName="dev")
    return api_id


def test_tags_by_arn(apigw):
    api_id = build_mock_api(apigw, name="tagged")
    api_arn = "%s/restapis/%s" % (ARN, api_id)
    apigw.tag_resource(resourceArn=api_arn, tags={"team": "a", "env": "dev"})
    assert apigw.get_tags(resourceArn=api_arn)["tags"] == {"team": "a", "env": "dev"}
    assert apigw.get_rest_api(restApiId=api_id)["tags"] == {"team": "a", "env": "dev"}
    apigw.untag_resource(resourceArn=api_arn, tagKeys=["env", "absent"])
    assert apigw.get_tags(resourceArn=api_arn)["tags"] == {"team": "a"}

    stage_arn = api_arn + "/stages/dev"
    apigw.tag_resource(resourceArn=stage_arn, tags={"tier": "1"})
    assert apigw.get_stage(restApiId=api_id, stageName="dev")["tags"] == {"tier": "1"}
    assert apigw.get_tags(resourceArn=stage_arn)["tags"] == {"tier": "1"}
    apigw.untag_resource(resourceArn=stage_arn, tagKeys=["tier"])
    assert apigw.get_tags(resourceArn=stage_arn)["tags"] == {}
    assert "tags" not in apigw.get_stage(restApiId=api_id, stageName="dev")

    key = apigw.create_api_key(name="k", tags={"a": "1"})
    key_arn = "%s/apikeys/%s" % (ARN, key["id"])
    apigw.tag_resource(resourceArn=key_arn, tags={"b": "2"})
    assert apigw.get_tags(resourceArn=key_arn)["tags"] == {"a": "1", "b": "2"}
    assert apigw.get_api_key(apiKey=key["id"])["tags"] == {"a": "1", "b": "2"}
    plan = apigw.create_usage_plan(name="p")
    plan_arn = "%s/usageplans/%s" % (ARN, plan["id"])
    apigw.tag_resource(resourceArn=plan_arn, tags={"cost": "x"})
    assert apigw.get_usage_plan(usagePlanId=plan["id"])["tags"] == {"cost": "x"}

    with pytest.raises(botocore.exceptions.ClientError) as e:
        apigw.get_tags(resourceArn="%s/restapis/nope" % ARN)
    assert error_code(e) == "NotFoundException"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        apigw.get_tags(resourceArn=api_arn + "/stages/nope")
    assert error_code(e) == "NotFoundException"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        apigw.tag_resource(resourceArn=api_arn, tags={"aws:reserved": "x"})
    assert error_code(e) == "BadRequestException"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        apigw.tag_resource(resourceArn="arn:aws:apigateway:eu-west-1::/restapis/" + api_id,
                           tags={"a": "b"})
    assert error_code(e) == "BadRequestException"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        apigw.tag_resource(resourceArn=api_arn + "/resources/x", tags={"a": "b"})
    assert error_code(e) == "BadRequestException"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        apigw.tag_resource(resourceArn=api_arn, tags={"t%d" % i: "v" for i in range(50)})
    assert error_code(e) == "BadRequestException"
    assert apigw.get_tags(resourceArn=api_arn)["tags"] == {"team": "a"}


def test_account_settings(apigw):
    account = apigw.get_account()
    assert account["throttleSettings"] == {"burstLimit": 5000, "rateLimit": 10000.0}
    assert account["features"] == ["UsagePlans"]
    assert "cloudwatchRoleArn" not in account
    role = "arn:aws:iam::000000000000:role/apigw-cloudwatch"
    out = apigw.update_account(patchOperations=[
        {"op": "replace", "path": "/cloudwatchRoleArn", "value": role}])
    assert out["cloudwatchRoleArn"] == role
    assert apigw.get_account()["cloudwatchRoleArn"] == role
    for ops in ([{"op": "replace", "path": "/cloudwatchRoleArn", "value": "not-an-arn"}],
                [{"op": "replace", "path": "/throttleSettings/rateLimit", "value": "5"}],
                [{"op": "add", "path": "/features", "value": "Bogus"}]):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            apigw.update_account(patchOperations=ops)
        assert error_code(e) == "BadRequestException"
    assert apigw.get_account()["cloudwatchRoleArn"] == role
    apigw.update_account(patchOperations=[
        {"op": "replace", "path": "/cloudwatchRoleArn", "value": ""}])
    assert "cloudwatchRoleArn" not in apigw.get_account()
    # Settings are per account.
    other = make_client(apigw.meta.endpoint_url, service="apigateway", access_key="111111111111")
    other.update_account(patchOperations=[
        {"op": "replace", "path": "/cloudwatchRoleArn",
         "value": "arn:aws:iam::111111111111:role/x"}])
    assert "cloudwatchRoleArn" not in apigw.get_account()


def test_update_deployment_description(apigw, endpoint):
    api_id = build_mock_api(apigw)
    deployment = apigw.get_deployments(restApiId=api_id)["items"][0]
    out = apigw.update_deployment(restApiId=api_id, deploymentId=deployment["id"],
                                  patchOperations=[{"op": "replace", "path": "/description",
                                                    "value": "second look"}])
    assert out["description"] == "second look" and out["id"] == deployment["id"]
    assert apigw.get_deployment(restApiId=api_id, deploymentId=deployment["id"])[
        "description"] == "second look"
    # The stage still serves the deployment's snapshot.
    assert request(endpoint, "GET", invoke_path(api_id, "dev", "/hello"))[0] == 200
    with pytest.raises(botocore.exceptions.ClientError) as e:
        apigw.update_deployment(restApiId=api_id, deploymentId=deployment["id"],
                                patchOperations=[{"op": "replace", "path": "/id", "value": "x"}])
    assert error_code(e) == "BadRequestException"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        apigw.update_deployment(restApiId=api_id, deploymentId="nope", patchOperations=[])
    assert error_code(e) == "NotFoundException"


def test_model_template(apigw):
    api_id = apigw.create_rest_api(name="models")["id"]
    apigw.create_model(restApiId=api_id, name="Pet", contentType="application/json",
                       schema=json.dumps({"type": "object", "properties": {
                           "id": {"type": "integer"}, "type": {"type": "string"}}}))
    apigw.create_model(restApiId=api_id, name="Pets", contentType="application/json",
                       schema=json.dumps({"type": "array", "items": {
                           "$ref": "https://apigateway.amazonaws.com/restapis/%s/models/Pet"
                                   % api_id}}))
    value = apigw.get_model_template(restApiId=api_id, modelName="Pets")["value"]
    assert value.startswith("#set($inputRoot = $input.path('$'))\n[\n#foreach($elem in "
                            "$inputRoot)\n"), value
    assert '"id" : $elem.id' in value and '"type" : "$elem.type"' in value
    with pytest.raises(botocore.exceptions.ClientError) as e:
        apigw.get_model_template(restApiId=api_id, modelName="Nope")
    assert error_code(e) == "NotFoundException"


def test_import_api_keys(apigw, endpoint):
    api_id = keyed_api(apigw)
    plan = apigw.create_usage_plan(name="imported", apiStages=[{"apiId": api_id, "stage": "dev"}])
    body = ("Name,key,description,Enabled,usageplanIds\n"
            "first,%s,an imported key,TRUE,%s\n"
            "second,%s,,false,\n" % (KEY_A, plan["id"], KEY_B))
    out = apigw.import_api_keys(body=body.encode(), format="csv")
    assert len(out["ids"]) == 2 and out.get("warnings", []) == []
    first = apigw.get_api_key(apiKey=out["ids"][0], includeValue=True)
    assert (first["name"], first["value"], first["description"], first["enabled"]) == \
        ("first", KEY_A, "an imported key", True)
    assert apigw.get_api_key(apiKey=out["ids"][1])["enabled"] is False
    assert [k["id"] for k in apigw.get_usage_plan_keys(usagePlanId=plan["id"])["items"]] == \
        [out["ids"][0]]
    path = invoke_path(api_id, "dev", "/hello")
    assert request(endpoint, "GET", path, headers={"x-api-key": KEY_A})[0] == 200
    assert request(endpoint, "GET", path, headers={"x-api-key": KEY_B})[0] == 403

    # The same key again overwrites it (same id); a bad row is a warning and is left out.
    again = apigw.import_api_keys(
        body=("key,name,enabled\n%s,renamed,true\nshort,bad,true\n" % KEY_B).encode(),
        format="csv")
    assert again["ids"] == [out["ids"][1]]
    assert len(again["warnings"]) == 1 and "Line 3" in again["warnings"][0]
    assert apigw.get_api_key(apiKey=out["ids"][1])["name"] == "renamed"
    assert apigw.get_api_key(apiKey=out["ids"][1])["enabled"] is True

    # failOnWarnings refuses the whole file; so does a file without the Key column.
    before = len(apigw.get_api_keys()["items"])
    for body, kwargs in (("name,key\nok,%s-new\nbad,short\n" % KEY_A, {"failOnWarnings": True}),
                         ("name,key\nok,%s-new,,,\n" % KEY_A, {"failOnWarnings": True}),
                         ("name,value\nok,%s\n" % KEY_A, {})):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            apigw.import_api_keys(body=body.encode(), format="csv", **kwargs)
        assert error_code(e) == "BadRequestException"
    assert len(apigw.get_api_keys()["items"]) == before
    # A plan id that is not the caller's is a warning.
    out = apigw.import_api_keys(body=("name,key,usageplanids\nx,%s-xx,nope\n" % KEY_A).encode(),
                                format="csv")
    assert out["ids"] == [] and "nope" in out["warnings"][0]


def test_update_usage_grants_remaining_quota(apigw, endpoint):
    api_id = keyed_api(apigw)
    key = apigw.create_api_key(name="q", enabled=True)
    plan = apigw.create_usage_plan(name="q", apiStages=[{"apiId": api_id, "stage": "dev"}],
                                   quota={"limit": 2, "period": "DAY"})
    apigw.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"], keyType="API_KEY")
    path = invoke_path(api_id, "dev", "/hello")

    def call():
        return request(endpoint, "GET", path, headers={"x-api-key": key["value"]})[0]

    assert [call(), call(), call()] == [200, 200, 429]
    out = apigw.update_usage(usagePlanId=plan["id"], keyId=key["id"], patchOperations=[
        {"op": "replace", "path": "/remaining", "value": "3"}])
    assert out["usagePlanId"] == plan["id"]
    assert out["items"][key["id"]] == [[2, 3]]
    assert [call() for _ in range(4)] == [200, 200, 200, 429]
    out = apigw.update_usage(usagePlanId=plan["id"], keyId=key["id"], patchOperations=[
        {"op": "replace", "path": "/remaining", "value": "0"}])
    assert out["items"][key["id"]][0][1] == 0
    for ops in ([{"op": "add", "path": "/remaining", "value": "1"}],
                [{"op": "replace", "path": "/remaining", "value": "-1"}],
                [{"op": "replace", "path": "/used", "value": "1"}]):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            apigw.update_usage(usagePlanId=plan["id"], keyId=key["id"], patchOperations=ops)
        assert error_code(e) == "BadRequestException"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        apigw.update_usage(usagePlanId=plan["id"], keyId="nope", patchOperations=[
            {"op": "replace", "path": "/remaining", "value": "1"}])
    assert error_code(e) == "NotFoundException"


def test_cli_tags_account_and_key_import(endpoint, tmp_path):
    aws = aws_cli_runner(endpoint, tmp_path)
    api_id = aws("apigateway", "create-rest-api", "--name", "cli-admin")["id"]
    arn = "%s/restapis/%s" % (ARN, api_id)
    aws("apigateway", "tag-resource", "--resource-arn", arn, "--tags", "team=blue")
    assert aws("apigateway", "get-tags", "--resource-arn", arn)["tags"] == {"team": "blue"}
    assert aws("apigateway", "get-account")["throttleSettings"]["burstLimit"] == 5000
    keys = tmp_path / "keys.csv"
    keys.write_text("Name,Key\ncli-key,%s\n" % KEY_A)
    out = aws("apigateway", "import-api-keys", "--body", "fileb://%s" % keys, "--format", "csv",
              "--fail-on-warnings")
    assert len(out["ids"]) == 1
    listed = aws("apigateway", "get-api-keys", "--include-values")["items"]
    assert [(k["name"], k["value"]) for k in listed] == [("cli-key", KEY_A)]
