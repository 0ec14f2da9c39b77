"""API Gateway with YAML OpenAPI definitions: ImportRestApi and PutRestApi read YAML (anchors,
merge keys, numeric response codes as keys), GetExport writes application/yaml (boto3 and the
aws CLI) that PyYAML reads and that imports back; a malformed YAML body is refused with its
line and column."""

import json

import botocore.exceptions
import pytest
import yaml

from apigateway_helpers import body_json, invoke_path, request
from cli_helpers import aws_cli_runner
from harness import make_client

DEFINITION = b"""\
openapi: 3.0.1
info:
  title: from yaml
  version: '1.2'
x-mock: &mock
  type: mock
  requestTemplates:
    application/json: '{"statusCode": 200}'
paths:
  /pets/{petId}:
    get:
      operationId: getPet
      parameters:
        - name: petId
          in: path
          required: true
      responses:
        200:
          description: ok
      x-amazon-apigateway-integration:
        <<: *mock
        responses:
          default:
            statusCode: "200"
            responseTemplates:
              application/json: |
                {"id": "$input.params('petId')", "yaml": true}
"""


@pytest.fixture
def apigw(endpoint):
    return make_client(endpoint, service="apigateway", access_key="000000000000")


def test_import_yaml_deploy_invoke_export_and_put(apigw, endpoint, tmp_path):
    api = apigw.import_rest_api(body=DEFINITION)
    api_id = api["id"]
    assert (api["name"], api["version"]) == ("from yaml", "1.2")
    get = apigw.get_method(restApiId=api_id, httpMethod="GET", resourceId=[
        r["id"] for r in apigw.get_resources(restApiId=api_id)["items"]
        if r["path"] == "/pets/{petId}"][0])
    assert get["operationName"] == "getPet"
    assert get["methodIntegration"]["type"] == "MOCK"
    apigw.create_deployment(restApiId=api_id, stageName="v1")
    status, _, body = request(endpoint, "GET", invoke_path(api_id, "v1", "/pets/7"))
    assert (status, body_json(body)) == (200, {"id": "7", "yaml": True})

    out = apigw.get_export(restApiId=api_id, stageName="v1", exportType="oas30",
                           parameters={"extensions": "integrations"},
                           accepts="application/yaml")
    assert out["contentType"] == "application/yaml"
    assert out["contentDisposition"].endswith('.yaml"')
    text = out["body"].read()
    assert not text.lstrip().startswith(b"{")
    doc = yaml.safe_load(text)
    json_doc = json.loads(apigw.get_export(
        restApiId=api_id, stageName="v1", exportType="oas30",
        parameters={"extensions": "integrations"})["body"].read())
    assert doc == json_doc
    assert doc["paths"]["/pets/{petId}"]["get"]["x-amazon-apigateway-integration"]["type"] == "mock"

    # The YAML export imports back, and PutRestApi overwrites from YAML.
    copy = apigw.import_rest_api(body=text)
    apigw.create_deployment(restApiId=copy["id"], stageName="v1")
    status, _, body = request(endpoint, "GET", invoke_path(copy["id"], "v1", "/pets/8"))
    assert (status, body_json(body)) == (200, {"id": "8", "yaml": True})
    apigw.put_rest_api(restApiId=api_id, mode="overwrite", body=b"""\
swagger: '2.0'
info: {title: replaced}
paths:
  /owners:
    get:
      x-amazon-apigateway-integration: {type: mock, responses: {default: {statusCode: '200'}}}
""")
    paths = {r["path"] for r in apigw.get_resources(restApiId=api_id)["items"]}
    assert paths == {"/", "/owners"}

    aws = aws_cli_runner(endpoint, tmp_path)
    target = tmp_path / "export.yaml"
    meta = aws("apigateway", "get-export", "--rest-api-id", copy["id"], "--stage-name", "v1",
               "--export-type", "swagger", "--accepts", "application/yaml", str(target))
    assert meta["contentType"] == "application/yaml"
    assert yaml.safe_load(target.read_text())["swagger"] == "2.0"


def test_malformed_yaml_is_refused_with_its_position(apigw):
    for body, words in ((b"openapi: 3.0.1\ninfo:\n  title: [x\n", ["YAML", "line "]),
                        (b"openapi: 3.0.1\ninfo: {title: a}\ninfo: {title: b}\n",
                         ["duplicate mapping key 'info'", "line 3, column 1"]),
                        (b"openapi: 3.0.1\ninfo: {title: !Ref x}\n", ["tag !Ref"]),
                        (b"a: &a [x, x]\nb: &b [*a, *a]\n" + b"".join(
                            b"c%d: &c%d [%s]\n" % (i, i, b", ".join([b"*b" if i == 0 else
                                                                   b"*c%d" % (i - 1)] * 9))
                            for i in range(12)), ["too large"])):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            apigw.import_rest_api(body=body)
        assert e.value.response["Error"]["Code"] == "BadRequestException"
        for word in words:
            assert word in e.value.response["Error"]["Message"], e.value.response["Error"]
    assert apigw.get_rest_apis()["items"] == []
