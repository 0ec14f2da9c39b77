"""API Gateway API keys and usage plans with boto3: a method with apiKeyRequired refuses
requests without a key of a plan that covers the stage (403), usage plan throttles (429 Too Many
Requests) and quotas (429 Limit Exceeded), GetUsage, stage method throttling, and the
management API of keys, plans and plan keys."""

import datetime
import time

import botocore.exceptions
import pytest

from apigateway_helpers import body_json, build_mock_api, invoke_path, request
from harness import make_client


@pytest.fixture
def apigw(endpoint):
    return make_client(endpoint, service="apigateway", access_key="000000000000")


def keyed_mock_api(apigw):
    """The mock API with GET /hello requiring an API key, redeployed to `dev`."""
    api_id = build_mock_api(apigw, name="keyed")
    hello = [r for r in apigw.get_resources(restApiId=api_id)["items"] if r["path"] == "/hello"]
    apigw.update_method(restApiId=api_id, resourceId=hello[0]["id"], httpMethod="GET",
                        patchOperations=[{"op": "replace", "path": "/apiKeyRequired",
                                          "value": "true"}])
    apigw.create_deployment(restApiId=api_id, stageName="dev")
    return api_id


def test_api_key_management(apigw):
    key = apigw.create_api_key(name="k1", enabled=True, value="a" * 24, customerId="c1")
    assert key["value"] == "a" * 24 and key["enabled"] is True
    generated = apigw.create_api_key(name="k2")
    assert len(generated["value"]) >= 20 and generated["enabled"] is False
    assert "value" not in apigw.get_api_key(apiKey=key["id"])
    assert apigw.get_api_key(apiKey=key["id"], includeValue=True)["value"] == "a" * 24
    assert {k["name"] for k in apigw.get_api_keys()["items"]} == {"k1", "k2"}
    assert [k["name"] for k in apigw.get_api_keys(nameQuery="k2")["items"]] == ["k2"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        apigw.create_api_key(name="dup", value="a" * 24)
    assert e.value.response["Error"]["Code"] == "ConflictException"
    updated = apigw.update_api_key(apiKey=generated["id"], patchOperations=[
        {"op": "replace", "path": "/enabled", "value": "true"},
        {"op": "replace", "path": "/description", "value": "now on"}])
    assert updated["enabled"] is True and updated["description"] == "now on"
    apigw.delete_api_key(apiKey=generated["id"])
    with pytest.raises(botocore.exceptions.ClientError) as e:
        apigw.get_api_key(apiKey=generated["id"])
    assert e.value.response["Error"]["Code"] == "NotFoundException"


def test_usage_plan_management(apigw):
    api_id = build_mock_api(apigw)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        apigw.create_usage_plan(name="bad", apiStages=[{"apiId": api_id, "stage": "nope"}])
    assert e.value.response["Error"]["Code"] == "BadRequestException"
    plan = apigw.create_usage_plan(name="gold", apiStages=[{"apiId": api_id, "stage": "dev"}],
                                   throttle={"rateLimit": 10.0, "burstLimit": 20},
                                   quota={"limit": 1000, "period": "DAY"})
    assert plan["apiStages"] == [{"apiId": api_id, "stage": "dev"}]
    key = apigw.create_api_key(name="k", enabled=True)
    pk = apigw.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"], keyType="API_KEY")
    assert pk == {"id": key["id"], "type": "API_KEY", "value": key["value"], "name": "k",
                  "ResponseMetadata": pk["ResponseMetadata"]}
    assert [k["id"] for k in apigw.get_usage_plan_keys(usagePlanId=plan["id"])["items"]] == \
        [key["id"]]
    assert apigw.get_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"])["name"] == "k"
    assert [p["id"] for p in apigw.get_usage_plans(keyId=key["id"])["items"]] == [plan["id"]]
    updated = apigw.update_usage_plan(usagePlanId=plan["id"], patchOperations=[
        {"op": "replace", "path": "/quota/limit", "value": "5"},
        {"op": "replace", "path": "/throttle/rateLimit", "value": "2.5"},
        {"op": "remove", "path": "/apiStages", "value": api_id + ":dev"}])
    assert updated["quota"]["limit"] == 5 and updated["throttle"]["rateLimit"] == 2.5
    assert updated.get("apiStages", []) == []
    apigw.delete_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"])
    assert apigw.get_usage_plan_keys(usagePlanId=plan["id"])["items"] == []
    apigw.delete_usage_plan(usagePlanId=plan["id"])
    with pytest.raises(botocore.exceptions.ClientError) as e:
        apigw.get_usage_plan(usagePlanId=plan["id"])
    assert e.value.response["Error"]["Code"] == "NotFoundException"


def test_api_key_required(apigw, endpoint):
    api_id = keyed_mock_api(apigw)
    path = invoke_path(api_id, "dev", "/hello")
    status, _, body = request(endpoint, "GET", path)
    assert (status, body_json(body)) == (403, {"message": "Forbidden"})
    key = apigw.create_api_key(name="k", enabled=True)
    # A valid key of no plan that covers the stage is still refused.
    status, _, _ = request(endpoint, "GET", path, headers={"x-api-key": key["value"]})
    assert status == 403
    plan = apigw.create_usage_plan(name="p", apiStages=[{"apiId": api_id, "stage": "dev"}])
    apigw.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"], keyType="API_KEY")
    status, _, body = request(endpoint, "GET", path, headers={"x-api-key": key["value"]})
    assert status == 200 and body_json(body) == {"hello": "world"}
    status, _, _ = request(endpoint, "GET", path, headers={"x-api-key": "wrong" * 5})
    assert status == 403
    apigw.update_api_key(apiKey=key["id"], patchOperations=[
        {"op": "replace", "path": "/enabled", "value": "false"}])
    status, _, _ = request(endpoint, "GET", path, headers={"x-api-key": key["value"]})
    assert status == 403


def test_usage_plan_throttle_quota_and_usage(apigw, endpoint):
    api_id = keyed_mock_api(apigw)
    path = invoke_path(api_id, "dev", "/hello")
    throttled = apigw.create_usage_plan(name="slow", apiStages=[{"apiId": api_id, "stage": "dev"}],
                                        throttle={"rateLimit": 0.1, "burstLimit": 2})
    k1 = apigw.create_api_key(name="k1", enabled=True)
    apigw.create_usage_plan_key(usagePlanId=throttled["id"], keyId=k1["id"], keyType="API_KEY")
    codes = [request(endpoint, "GET", path, headers={"x-api-key": k1["value"]}) for _ in range(3)]
    assert [c[0] for c in codes] == [200, 200, 429]
    assert body_json(codes[2][2]) == {"message": "Too Many Requests"}

    quota = apigw.create_usage_plan(name="quota", apiStages=[{"apiId": api_id, "stage": "dev"}],
                                    quota={"limit": 3, "period": "DAY"})
    k2 = apigw.create_api_key(name="k2", enabled=True)
    apigw.create_usage_plan_key(usagePlanId=quota["id"], keyId=k2["id"], keyType="API_KEY")
    codes = [request(endpoint, "GET", path, headers={"x-api-key": k2["value"]}) for _ in range(4)]
    assert [c[0] for c in codes] == [200, 200, 200, 429]
    assert body_json(codes[3][2]) == {"message": "Limit Exceeded"}

    today = datetime.datetime.now(datetime.timezone.utc).date()
    usage = apigw.get_usage(usagePlanId=quota["id"], startDate=str(today - datetime.timedelta(1)),
                            endDate=str(today))
    assert usage["items"][k2["id"]] == [[0, 0], [3, 0]]


def test_stage_method_throttling(apigw, endpoint):
    api_id = build_mock_api(apigw)
    apigw.update_stage(restApiId=api_id, stageName="dev", patchOperations=[
        {"op": "replace", "path": "/*/*/throttling/rateLimit", "value": "0.1"},
        {"op": "replace", "path": "/*/*/throttling/burstLimit", "value": "1"}])
    path = invoke_path(api_id, "dev", "/hello")
    assert request(endpoint, "GET", path)[0] == 200
    status, _, body = request(endpoint, "GET", path)
    assert (status, body_json(body)) == (429, {"message": "Too Many Requests"})
