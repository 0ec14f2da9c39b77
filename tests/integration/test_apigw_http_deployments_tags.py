"""HTTP API deployments (GetDeployment, UpdateDeployment, DeleteDeployment) and tags
(TagResource, UntagResource, GetTags on APIs and stages) with boto3, as Terraform and CDK call
them."""

import botocore.exceptions
import pytest

from harness import make_client


@pytest.fixture
def v2(endpoint):
    return make_client(endpoint, service="apigatewayv2", access_key="000000000000")


def code_of(excinfo):
    return excinfo.value.response["Error"]["Code"]


def test_deployments(v2):
    api_id = v2.create_api(Name="deps", ProtocolType="HTTP")["ApiId"]
    v2.create_stage(ApiId=api_id, StageName="prod")
    dep = v2.create_deployment(ApiId=api_id, Description="first", StageName="prod")
    got = v2.get_deployment(ApiId=api_id, DeploymentId=dep["DeploymentId"])
    assert got["Description"] == "first" and got["DeploymentStatus"] == "DEPLOYED"
    out = v2.update_deployment(ApiId=api_id, DeploymentId=dep["DeploymentId"],
                               Description="renamed")
    assert out["Description"] == "renamed"
    assert v2.get_deployment(ApiId=api_id,
                             DeploymentId=dep["DeploymentId"])["Description"] == "renamed"
    # A deployment a stage serves cannot be deleted.
    with pytest.raises(botocore.exceptions.ClientError) as e:
        v2.delete_deployment(ApiId=api_id, DeploymentId=dep["DeploymentId"])
    assert code_of(e) == "BadRequestException"
    other = v2.create_deployment(ApiId=api_id)["DeploymentId"]
    v2.delete_deployment(ApiId=api_id, DeploymentId=other)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        v2.get_deployment(ApiId=api_id, DeploymentId=other)
    assert code_of(e) == "NotFoundException"
    assert [d["DeploymentId"] for d in v2.get_deployments(ApiId=api_id)["Items"]] == \
        [dep["DeploymentId"]]


def test_tags_on_apis_and_stages(v2):
    api_id = v2.create_api(Name="tagged", ProtocolType="HTTP", Tags={"a": "1"})["ApiId"]
    v2.create_stage(ApiId=api_id, StageName="dev")
    api_arn = "arn:aws:apigateway:us-east-1::/apis/" + api_id
    stage_arn = api_arn + "/stages/dev"
    assert v2.get_tags(ResourceArn=api_arn)["Tags"] == {"a": "1"}
    v2.tag_resource(ResourceArn=api_arn, Tags={"b": "2", "a": "3"})
    assert v2.get_tags(ResourceArn=api_arn)["Tags"] == {"a": "3", "b": "2"}
    assert v2.get_api(ApiId=api_id)["Tags"] == {"a": "3", "b": "2"}
    v2.untag_resource(ResourceArn=api_arn, TagKeys=["a"])
    assert v2.get_tags(ResourceArn=api_arn)["Tags"] == {"b": "2"}
    v2.tag_resource(ResourceArn=stage_arn, Tags={"s": "x"})
    assert v2.get_tags(ResourceArn=stage_arn)["Tags"] == {"s": "x"}
    assert v2.get_stage(ApiId=api_id, StageName="dev")["Tags"] == {"s": "x"}
    with pytest.raises(botocore.exceptions.ClientError) as e:
        v2.get_tags(ResourceArn="arn:aws:apigateway:us-east-1::/apis/nope")
    assert code_of(e) == "NotFoundException"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        v2.tag_resource(ResourceArn="arn:aws:apigateway:us-east-1::/domainnames/x",
                        Tags={"k": "v"})
    assert code_of(e) == "NotFoundException"
