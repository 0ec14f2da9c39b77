"""REST API documentation with boto3 and the aws CLI: documentation parts (locations checked
per type, defaults filled, duplicates a ConflictException), filters and paging, patches,
ImportDocumentationParts (merge, overwrite, warnings, failOnWarnings), documentation versions
(snapshots, a stage's documentationVersion), OpenAPI import of
x-amazon-apigateway-documentation and GetExport writing the stage's version."""

import json

import botocore.exceptions
import pytest

from apigateway_helpers import build_mock_api
from cli_helpers import aws_cli_runner
from harness import make_client


@pytest.fixture
def apigw(endpoint):
    return make_client(endpoint, service="apigateway", access_key="000000000000")


def error(excinfo):
    err = excinfo.value.response["Error"]
    return err["Code"], err["Message"]


def test_parts_lifecycle_and_location_rules(apigw):
    api_id = apigw.create_rest_api(name="docs")["id"]
    part = apigw.create_documentation_part(
        restApiId=api_id, location={"type": "METHOD", "path": "/pets"},
        properties='{"summary": "list pets"}')
    assert part["location"] == {"type": "METHOD", "path": "/pets", "method": "*"}
    got = apigw.get_documentation_part(restApiId=api_id, documentationPartId=part["id"])
    fields = ("id", "location", "properties")
    assert {k: got[k] for k in fields} == {k: part[k] for k in fields}
    # The same location after defaults: a ConflictException naming it.
    with pytest.raises(botocore.exceptions.ClientError) as e:
        apigw.create_documentation_part(
            restApiId=api_id, location={"type": "METHOD", "path": "/pets", "method": "*"},
            properties="{}")
    assert error(e) == ("ConflictException",
                        "Documentation part already exists for the specified location: "
                        "type 'METHOD', path '/pets', method '*'.")
    for location, message in [
            ({"type": "API", "path": "/"}, "'path' is not a valid field for type 'API'"),
            ({"type": "MODEL"}, "'name' is required for type 'MODEL'"),
            ({"type": "RESPONSE", "path": "pets"}, "invalid path 'pets'")]:
        with pytest.raises(botocore.exceptions.ClientError) as e:
            apigw.create_documentation_part(restApiId=api_id, location=location,
                                            properties="{}")
        assert error(e) == ("BadRequestException",
                            "Invalid documentation part location: " + message)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        apigw.create_documentation_part(restApiId=api_id, location={"type": "API"},
                                        properties="not json")
    assert error(e)[0] == "BadRequestException"

    updated = apigw.update_documentation_part(
        restApiId=api_id, documentationPartId=part["id"],
        patchOperations=[{"op": "replace", "path": "/properties",
                          "value": '{"summary": "all pets"}'}])
    assert updated["properties"] == '{"summary": "all pets"}'
    with pytest.raises(botocore.exceptions.ClientError) as e:
        apigw.update_documentation_part(
            restApiId=api_id, documentationPartId=part["id"],
            patchOperations=[{"op": "replace", "path": "/location/path", "value": "/x"}])
    assert error(e)[0] == "BadRequestException"
    apigw.delete_documentation_part(restApiId=api_id, documentationPartId=part["id"])
    with pytest.raises(botocore.exceptions.ClientError) as e:
        apigw.get_documentation_part(restApiId=api_id, documentationPartId=part["id"])
    assert error(e) == ("NotFoundException", "Invalid Documentation part identifier specified")


def test_filters_and_paging(apigw):
    api_id = apigw.create_rest_api(name="docs")["id"]
    made = [
        ({"type": "API"}, '{"description": "api"}'),
        ({"type": "MODEL", "name": "Pet"}, '{"description": "a pet"}'),
        ({"type": "MODEL", "name": "PetList"}, "{}"),
        ({"type": "QUERY_PARAMETER", "path": "/pets", "method": "GET", "name": "limit"},
         '{"description": "how many"}'),
        ({"type": "RESOURCE", "path": "/pets"}, "{}"),
    ]
    for location, properties in made:
        apigw.create_documentation_part(restApiId=api_id, location=location,
                                        properties=properties)

    def names(**kw):
        items = apigw.get_documentation_parts(restApiId=api_id, **kw)["items"]
        return sorted(p["location"].get("name", p["location"]["type"]) for p in items)

    assert names(type="MODEL") == ["Pet", "PetList"]
    assert names(nameQuery="List") == ["PetList"]
    assert names(path="/pets") == ["RESOURCE", "limit"]
    assert names(locationStatus="UNDOCUMENTED") == ["PetList", "RESOURCE"]
    assert names(locationStatus="DOCUMENTED") == ["API", "Pet", "limit"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        apigw.get_documentation_parts(restApiId=api_id, type="NOPE")
    # The model's enum, checked by the codec (as every service's constraints are).
    assert error(e)[0] == "ValidationException"
    pages = list(apigw.get_paginator("get_documentation_parts").paginate(
        restApiId=api_id, PaginationConfig={"PageSize": 2}))
    assert [len(p["items"]) for p in pages] == [2, 2, 1]


DOCUMENTED = {
    "openapi": "3.0.1",
    "info": {"title": "documented", "version": "1"},
    "paths": {"/pets": {"get": {
        "parameters": [{"name": "limit", "in": "query", "schema": {"type": "string"}}],
        "responses": {"200": {"description": "200 response"}},
        "x-amazon-apigateway-integration": {
            "type": "mock", "requestTemplates": {"application/json": '{"statusCode": 200}'},
            "responses": {"default": {"statusCode": "200"}}}}}},
    "x-amazon-apigateway-documentation": {"version": "1.0", "documentationParts": [
        {"location": {"type": "API"}, "properties": {"info": {"description": "Pets API"}}},
        {"location": {"type": "METHOD", "path": "/pets", "method": "GET"},
         "properties": {"summary": "List the pets"}},
        {"location": {"type": "QUERY_PARAMETER", "path": "/pets", "method": "GET",
                      "name": "limit"}, "properties": {"description": "At most this many"}},
        {"location": {"type": "RESPONSE", "path": "/pets", "method": "GET",
                      "statusCode": "200"}, "properties": {"description": "The pets"}},
    ]},
}


def test_import_documentation_parts_merge_overwrite_and_warnings(apigw):
    api_id = apigw.create_rest_api(name="docs")["id"]
    kept = apigw.create_documentation_part(restApiId=api_id, location={"type": "API"},
                                           properties='{"description": "old"}')
    other = apigw.create_documentation_part(restApiId=api_id,
                                            location={"type": "RESOURCE", "path": "/"},
                                            properties="{}")
    body = dict(DOCUMENTED)
    body["x-amazon-apigateway-documentation"] = {"documentationParts": [
        {"location": {"type": "API"}, "properties": {"description": "new"}},
        {"location": {"type": "MODEL"}, "properties": {}},
    ]}
    # failOnWarnings: nothing imported.
    with pytest.raises(botocore.exceptions.ClientError) as e:
        apigw.import_documentation_parts(restApiId=api_id, body=json.dumps(body),
                                         failOnWarnings=True)
    assert error(e)[0] == "BadRequestException"
    assert "'name' is required for type 'MODEL'" in error(e)[1]
    assert apigw.get_documentation_part(restApiId=api_id, documentationPartId=kept["id"])[
        "properties"] == '{"description": "old"}'
    # merge: the part at the API location keeps its id and takes the new content.
    out = apigw.import_documentation_parts(restApiId=api_id, body=json.dumps(body),
                                           mode="merge")
    assert out["ids"] == [kept["id"]]
    assert out["warnings"] == ["documentationParts[1]: Invalid documentation part location: "
                               "'name' is required for type 'MODEL'"]
    parts = apigw.get_documentation_parts(restApiId=api_id)["items"]
    assert {p["id"]: p["properties"] for p in parts} == {
        kept["id"]: '{"description":"new"}', other["id"]: "{}"}
    # overwrite: only the imported parts remain.
    out = apigw.import_documentation_parts(restApiId=api_id, body=json.dumps(DOCUMENTED),
                                           mode="overwrite")
    assert len(out["ids"]) == 4 and "warnings" not in out
    parts = apigw.get_documentation_parts(restApiId=api_id)["items"]
    assert sorted(p["location"]["type"] for p in parts) == \
        ["API", "METHOD", "QUERY_PARAMETER", "RESPONSE"]


def test_versions_stage_and_export(apigw):
    api_id = apigw.import_rest_api(body=json.dumps(DOCUMENTED))["id"]
    parts = apigw.get_documentation_parts(restApiId=api_id)["items"]
    assert len(parts) == 4
    apigw.create_deployment(restApiId=api_id, stageName="dev")
    # A stage may not name a version that does not exist.
    with pytest.raises(botocore.exceptions.ClientError) as e:
        apigw.update_stage(restApiId=api_id, stageName="dev", patchOperations=[
            {"op": "replace", "path": "/documentationVersion", "value": "9"}])
    assert error(e)[0] == "BadRequestException"
    version = apigw.create_documentation_version(restApiId=api_id, documentationVersion="v1",
                                                 description="first", stageName="dev")
    assert version["version"] == "v1" and version["description"] == "first"
    assert apigw.get_stage(restApiId=api_id, stageName="dev")["documentationVersion"] == "v1"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        apigw.create_documentation_version(restApiId=api_id, documentationVersion="v1")
    assert error(e)[0] == "ConflictException"

    # A later change of the parts is not in v1 (a snapshot).
    method = next(p for p in parts if p["location"]["type"] == "METHOD")
    apigw.update_documentation_part(restApiId=api_id, documentationPartId=method["id"],
                                    patchOperations=[{"op": "replace", "path": "/properties",
                                                      "value": '{"summary": "changed"}'}])
    exported = json.loads(apigw.get_export(restApiId=api_id, stageName="dev",
                                           exportType="oas30")["body"].read())
    assert exported["info"]["description"] == "Pets API"
    get = exported["paths"]["/pets"]["get"]
    assert get["summary"] == "List the pets"
    assert get["parameters"][0]["description"] == "At most this many"
    assert get["responses"]["200"]["description"] == "The pets"
    assert "x-amazon-apigateway-documentation" not in exported
    exported = json.loads(apigw.get_export(restApiId=api_id, stageName="dev",
                                           exportType="swagger",
                                           parameters={"extensions": "documentation"})
                          ["body"].read())
    ext = exported["x-amazon-apigateway-documentation"]
    assert ext["version"] == "v1"
    assert [p["location"]["type"] for p in ext["documentationParts"]] == \
        ["API", "METHOD", "QUERY_PARAMETER", "RESPONSE"]
    assert ext["documentationParts"][1]["properties"] == {"summary": "List the pets"}

    # The round trip: the exported document imports with its documentation.
    again = apigw.import_rest_api(body=json.dumps(exported))["id"]
    assert len(apigw.get_documentation_parts(restApiId=again)["items"]) == 4

    updated = apigw.update_documentation_version(
        restApiId=api_id, documentationVersion="v1",
        patchOperations=[{"op": "replace", "path": "/description", "value": "renamed"}])
    assert updated["description"] == "renamed"
    apigw.create_documentation_version(restApiId=api_id, documentationVersion="v2")
    assert sorted(v["version"] for v in
                  apigw.get_documentation_versions(restApiId=api_id)["items"]) == ["v1", "v2"]
    # v1 is the stage's: not deleted; v2 is.
    with pytest.raises(botocore.exceptions.ClientError) as e:
        apigw.delete_documentation_version(restApiId=api_id, documentationVersion="v1")
    assert error(e)[0] == "ConflictException"
    apigw.delete_documentation_version(restApiId=api_id, documentationVersion="v2")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        apigw.get_documentation_version(restApiId=api_id, documentationVersion="v2")
    assert error(e)[0] == "NotFoundException"


def test_import_rest_api_fail_on_warnings(apigw):
    body = dict(DOCUMENTED)
    body["x-amazon-apigateway-documentation"] = {"documentationParts": [
        {"location": {"type": "AUTHORIZER"}, "properties": {}}]}
    with pytest.raises(botocore.exceptions.ClientError) as e:
        apigw.import_rest_api(body=json.dumps(body), failOnWarnings=True)
    assert error(e)[0] == "BadRequestException"
    api = apigw.import_rest_api(body=json.dumps(body))
    assert api["warnings"] == ["documentationParts[0]: Invalid documentation part location: "
                               "'name' is required for type 'AUTHORIZER'"]


def test_cli(endpoint, apigw, tmp_path):
    run = aws_cli_runner(endpoint, tmp_path)
    api_id = build_mock_api(apigw, name="cli-docs")
    part = run("apigateway", "create-documentation-part", "--rest-api-id", api_id,
               "--location", "type=RESOURCE,path=/hello",
               "--properties", '{"description": "Says hello"}')
    assert part["location"] == {"type": "RESOURCE", "path": "/hello"}
    doc = tmp_path / "doc.json"
    doc.write_text(json.dumps(DOCUMENTED))
    out = run("apigateway", "import-documentation-parts", "--rest-api-id", api_id,
              "--mode", "merge", "--body", "fileb://%s" % doc)
    assert len(out["ids"]) == 4
    listed = run("apigateway", "get-documentation-parts", "--rest-api-id", api_id,
                 "--type", "RESOURCE")
    assert [p["id"] for p in listed["items"]] == [part["id"]]
    run("apigateway", "create-documentation-version", "--rest-api-id", api_id,
        "--documentation-version", "1.0", "--stage-name", "dev")
    versions = run("apigateway", "get-documentation-versions", "--rest-api-id", api_id)
    assert [v["version"] for v in versions["items"]] == ["1.0"]
