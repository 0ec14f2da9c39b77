"""CloudFormation through boto3: stacks created, described, updated (in place and with
replacement), rolled back and deleted through the services' own operations; change sets;
exports and imports; AWS's errors; a SAM template without functions."""

import json
import time

import botocore.exceptions
import pytest

from harness import make_client

QUEUE_TEMPLATE = {
    "AWSTemplateFormatVersion": "2010-09-09",
    "Description": "a queue and a topic",
    "Parameters": {
        "Visibility": {"Type": "Number", "Default": "30"},
        "Secret": {"Type": "String", "NoEcho": True, "Default": "hush"},
    },
    "Resources": {
        "Queue": {"Type": "AWS::SQS::Queue",
                  "Properties": {"VisibilityTimeout": {"Ref": "Visibility"}}},
        "Topic": {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": "hello"}},
        "Sub": {"Type": "AWS::SNS::Subscription",
                "Properties": {"TopicArn": {"Ref": "Topic"}, "Protocol": "sqs",
                               "Endpoint": {"Fn::GetAtt": ["Queue", "Arn"]}}},
    },
    "Outputs": {
        "QueueUrl": {"Value": {"Ref": "Queue"}, "Description": "the queue"},
        "QueueArn": {"Value": {"Fn::GetAtt": ["Queue", "Arn"]},
                     "Export": {"Name": {"Fn::Sub": "${AWS::StackName}-queue-arn"}}},
    },
}


@pytest.fixture
def cfn(endpoint):
    return make_client(endpoint, "cloudformation")


@pytest.fixture
def sqs(endpoint):
    return make_client(endpoint, "sqs")


def error_of(excinfo):
    err = excinfo.value.response["Error"]
    return err["Code"], err["Message"]


def wait_terminal(cfn, stack, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        s = cfn.describe_stacks(StackName=stack)["Stacks"][0]
        if not s["StackStatus"].endswith("_IN_PROGRESS"):
            return s
        time.sleep(0.1)
    raise AssertionError("stack %s still in progress" % stack)


def failures(cfn, stack):
    """The reasons of the stack's failed resource events (for assertion messages)."""
    return [(e["LogicalResourceId"], e.get("ResourceStatusReason"))
            for e in cfn.describe_stack_events(StackName=stack)["StackEvents"]
            if e["ResourceStatus"].endswith("_FAILED")]


def statuses(cfn, stack):
    events = cfn.describe_stack_events(StackName=stack)["StackEvents"]
    return [(e["LogicalResourceId"], e["ResourceStatus"]) for e in reversed(events)]


def test_create_describe_update_delete(cfn, sqs):
    stack_id = cfn.create_stack(StackName="app", TemplateBody=json.dumps(QUEUE_TEMPLATE),
                                Tags=[{"Key": "team", "Value": "core"}])["StackId"]
    assert stack_id.startswith("arn:aws:cloudformation:us-east-1:000000000000:stack/app/")
    cfn.get_waiter("stack_create_complete").wait(StackName="app",
                                                WaiterConfig={"Delay": 1})
    stack = cfn.describe_stacks(StackName="app")["Stacks"][0]
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    assert stack["Description"] == "a queue and a topic"
    params = {p["ParameterKey"]: p["ParameterValue"] for p in stack["Parameters"]}
    assert params == {"Visibility": "30", "Secret": "****"}
    assert stack["Tags"] == [{"Key": "team", "Value": "core"}]
    outputs = {o["OutputKey"]: o for o in stack["Outputs"]}
    url = outputs["QueueUrl"]["OutputValue"]
    assert outputs["QueueUrl"]["Description"] == "the queue"
    assert outputs["QueueArn"]["ExportName"] == "app-queue-arn"
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attrs["VisibilityTimeout"] == "30"
    assert attrs["QueueArn"] == outputs["QueueArn"]["OutputValue"]
    # A generated name: <stack>-<logical id>-<13 characters>.
    name = url.rsplit("/", 1)[1]
    assert name.startswith("app-Queue-") and len(name) == len("app-Queue-") + 13

    events = statuses(cfn, "app")
    assert events[0] == ("app", "CREATE_IN_PROGRESS")
    assert events[-1] == ("app", "CREATE_COMPLETE")
    assert events.index(("Queue", "CREATE_COMPLETE")) < events.index(("Sub", "CREATE_IN_PROGRESS"))

    resources = cfn.list_stack_resources(StackName="app")["StackResourceSummaries"]
    by_id = {r["LogicalResourceId"]: r for r in resources}
    assert by_id["Queue"]["PhysicalResourceId"] == url
    assert by_id["Topic"]["ResourceType"] == "AWS::SNS::Topic"
    detail = cfn.describe_stack_resource(StackName="app",
                                         LogicalResourceId="Topic")["StackResourceDetail"]
    assert detail["ResourceStatus"] == "CREATE_COMPLETE"
    assert cfn.get_template(StackName="app")["TemplateBody"] == QUEUE_TEMPLATE

    # Update in place: the same queue, a new visibility timeout.
    cfn.update_stack(StackName="app", UsePreviousTemplate=True,
                     Parameters=[{"ParameterKey": "Visibility", "ParameterValue": "45"},
                                 {"ParameterKey": "Secret", "UsePreviousValue": True}])
    cfn.get_waiter("stack_update_complete").wait(StackName="app", WaiterConfig={"Delay": 1})
    assert sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["VisibilityTimeout"])[
        "Attributes"]["VisibilityTimeout"] == "45"

    # No change: AWS's error.
    with pytest.raises(botocore.exceptions.ClientError) as e:
        cfn.update_stack(StackName="app", UsePreviousTemplate=True,
                         Parameters=[{"ParameterKey": "Visibility", "UsePreviousValue": True},
                                     {"ParameterKey": "Secret", "UsePreviousValue": True}])
    assert error_of(e) == ("ValidationError", "No updates are to be performed.")

    # Replacement: a queue name is "Update requires: Replacement".
    replaced = json.loads(json.dumps(QUEUE_TEMPLATE))
    replaced["Resources"]["Queue"]["Properties"]["QueueName"] = "named-queue"
    cfn.update_stack(StackName="app", TemplateBody=json.dumps(replaced))
    final = wait_terminal(cfn, "app")
    assert final["StackStatus"] == "UPDATE_COMPLETE"
    new_url = {o["OutputKey"]: o["OutputValue"] for o in final["Outputs"]}["QueueUrl"]
    assert new_url.endswith("/named-queue")
    urls = sqs.list_queues().get("QueueUrls", [])
    assert new_url in urls and url not in urls
    assert ("app", "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS") in statuses(cfn, "app")

    cfn.delete_stack(StackName="app")
    cfn.get_waiter("stack_delete_complete").wait(StackName="app", WaiterConfig={"Delay": 1})
    assert sqs.list_queues().get("QueueUrls", []) == []
    # A deleted stack: gone by name, still there by id.
    with pytest.raises(botocore.exceptions.ClientError) as e:
        cfn.describe_stacks(StackName="app")
    assert error_of(e) == ("ValidationError", "Stack with id app does not exist")
    gone = cfn.describe_stacks(StackName=stack_id)["Stacks"][0]
    assert gone["StackStatus"] == "DELETE_COMPLETE"
    listed = cfn.list_stacks(StackStatusFilter=["DELETE_COMPLETE"])["StackSummaries"]
    assert [s["StackId"] for s in listed] == [stack_id]


FAILING = {
    "Resources": {
        "Good": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "good"}},
        "Bad": {"Type": "AWS::SQS::Queue", "DependsOn": "Good",
                "Properties": {"QueueName": "bad", "Unsupported": 1}},
    },
}


def test_failed_create_rolls_back(cfn, sqs):
    cfn.create_stack(StackName="broken", TemplateBody=json.dumps(FAILING))
    stack = wait_terminal(cfn, "broken")
    assert stack["StackStatus"] == "ROLLBACK_COMPLETE"
    events = cfn.describe_stack_events(StackName="broken")["StackEvents"]
    failed = [e for e in events if e["ResourceStatus"] == "CREATE_FAILED"][0]
    assert failed["LogicalResourceId"] == "Bad"
    assert failed["ResourceStatusReason"].startswith(
        'Resource handler returned message: "Property Unsupported of AWS::SQS::Queue is not '
        'supported by tidepool" (RequestToken: ')
    assert failed["ResourceStatusReason"].endswith(", HandlerErrorCode: InvalidRequest)")
    rollback = [e for e in events if e["ResourceStatus"] == "ROLLBACK_IN_PROGRESS"][0]
    assert rollback["ResourceStatusReason"].startswith(
        "The following resource(s) failed to create: [Bad]. ")
    assert sqs.list_queues().get("QueueUrls", []) == []
    with pytest.raises(botocore.exceptions.ClientError) as e:
        cfn.update_stack(StackName="broken", TemplateBody=json.dumps(FAILING))
    assert "is in ROLLBACK_COMPLETE state and can not be updated." in error_of(e)[1]
    cfn.delete_stack(StackName="broken")
    cfn.get_waiter("stack_delete_complete").wait(StackName="broken", WaiterConfig={"Delay": 1})


def test_disable_rollback_keeps_resources_until_rolled_back(cfn, sqs):
    cfn.create_stack(StackName="kept", TemplateBody=json.dumps(FAILING), DisableRollback=True)
    assert wait_terminal(cfn, "kept")["StackStatus"] == "CREATE_FAILED"
    assert [u.rsplit("/", 1)[1] for u in sqs.list_queues()["QueueUrls"]] == ["good"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        cfn.continue_update_rollback(StackName="kept")
    assert error_of(e)[0] == "ValidationError"
    cfn.rollback_stack(StackName="kept")
    assert wait_terminal(cfn, "kept")["StackStatus"] == "ROLLBACK_COMPLETE"
    assert sqs.list_queues().get("QueueUrls", []) == []
    cfn.delete_stack(StackName="kept")
    cfn.get_waiter("stack_delete_complete").wait(StackName="kept", WaiterConfig={"Delay": 1})


def test_on_failure_delete(cfn, sqs):
    stack_id = cfn.create_stack(StackName="gone", TemplateBody=json.dumps(FAILING),
                                OnFailure="DELETE")["StackId"]
    assert wait_terminal(cfn, stack_id)["StackStatus"] == "DELETE_COMPLETE"
    assert ("gone", "CREATE_FAILED") in statuses(cfn, stack_id)
    assert sqs.list_queues().get("QueueUrls", []) == []


def test_failed_update_rolls_back(cfn, sqs):
    template = {"Resources": {"Q": {"Type": "AWS::SQS::Queue",
                                    "Properties": {"QueueName": "stable"}}}}
    cfn.create_stack(StackName="upd", TemplateBody=json.dumps(template))
    assert wait_terminal(cfn, "upd")["StackStatus"] == "CREATE_COMPLETE"
    broken = {"Resources": {
        "Q": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "stable"}},
        "Extra": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "extra"}},
        "Bad": {"Type": "AWS::SQS::Queue", "DependsOn": "Extra",
                "Properties": {"KmsMasterKeyId": "alias/x"}},
    }}
    cfn.update_stack(StackName="upd", TemplateBody=json.dumps(broken))
    stack = wait_terminal(cfn, "upd")
    assert stack["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE"
    seen = statuses(cfn, "upd")
    assert ("upd", "UPDATE_ROLLBACK_IN_PROGRESS") in seen
    assert ("Extra", "DELETE_COMPLETE") in seen
    assert [u.rsplit("/", 1)[1] for u in sqs.list_queues()["QueueUrls"]] == ["stable"]
    assert json.loads(json.dumps(cfn.get_template(StackName="upd")["TemplateBody"])) == template
    cfn.delete_stack(StackName="upd")
    cfn.get_waiter("stack_delete_complete").wait(StackName="upd", WaiterConfig={"Delay": 1})


def test_errors(cfn):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        cfn.create_stack(StackName="ec2", TemplateBody=json.dumps(
            {"Resources": {"I": {"Type": "AWS::EC2::Instance"}}}))
    assert error_of(e) == ("ValidationError",
                           "Template format error: Unrecognized resource types: "
                           "[AWS::EC2::Instance]")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        cfn.create_stack(StackName="att", TemplateBody=json.dumps(
            {"Resources": {"Q": {"Type": "AWS::SQS::Queue"}},
             "Outputs": {"O": {"Value": {"Fn::GetAtt": ["Q", "Nope"]}}}}))
    assert error_of(e) == ("ValidationError", "Template error: resource Q does not support "
                           "attribute type Nope in Fn::GetAtt")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        cfn.describe_stacks(StackName="nope")
    assert error_of(e) == ("ValidationError", "Stack with id nope does not exist")
    cfn.create_stack(StackName="dup", TemplateBody=json.dumps(
        {"Resources": {"H": {"Type": "AWS::CloudFormation::WaitConditionHandle"}}}))
    with pytest.raises(botocore.exceptions.ClientError) as e:
        cfn.create_stack(StackName="dup", TemplateBody=json.dumps(
            {"Resources": {"H": {"Type": "AWS::CloudFormation::WaitConditionHandle"}}}))
    assert error_of(e) == ("AlreadyExistsException", "Stack [dup] already exists")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        cfn.create_stack(StackName="role", TemplateBody=json.dumps(
            {"Resources": {"R": {"Type": "AWS::IAM::Role", "Properties": {
                "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": []}}}}}))
    assert error_of(e) == ("InsufficientCapabilitiesException",
                           "Requires capabilities : [CAPABILITY_IAM]")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        cfn.create_stack(StackName="notify", TemplateBody=json.dumps(
            {"Resources": {"H": {"Type": "AWS::CloudFormation::WaitConditionHandle"}}}),
            NotificationARNs=["arn:aws:sns:us-east-1:000000000000:t"])
    assert error_of(e)[0] == "ValidationError"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        cfn.list_stack_sets()
    assert error_of(e)[0] == "ValidationError"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        cfn.create_stack(StackName="9lives", TemplateBody="{}")
    assert error_of(e) == ("ValidationError", "1 validation error detected: Value '9lives' at "
                           "'stackName' failed to satisfy constraint: Member must satisfy "
                           "regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        cfn.create_change_set(StackName="dup", ChangeSetName="bad_name", UsePreviousTemplate=True)
    assert "at 'changeSetName' failed to satisfy constraint" in error_of(e)[1]
    # Deleting a stack that does not exist succeeds, as on AWS.
    cfn.delete_stack(StackName="never-was")
    wait_terminal(cfn, "dup")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        cfn.cancel_update_stack(StackName="dup")
    assert error_of(e) == ("ValidationError",
                           "CancelUpdateStack cannot be called from current stack status")
    cfn.update_termination_protection(StackName="dup", EnableTerminationProtection=True)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        cfn.delete_stack(StackName="dup")
    assert error_of(e) == ("ValidationError",
                           "Stack [dup] cannot be deleted while TerminationProtection is enabled")


def test_validate_template_and_summary(cfn):
    out = cfn.validate_template(TemplateBody=json.dumps(QUEUE_TEMPLATE))
    assert out["Description"] == "a queue and a topic"
    assert {p["ParameterKey"]: p.get("DefaultValue") for p in out["Parameters"]} == {
        "Visibility": "30", "Secret": "hush"}
    summary = cfn.get_template_summary(TemplateBody=json.dumps(QUEUE_TEMPLATE))
    assert sorted(summary["ResourceTypes"]) == ["AWS::SNS::Subscription", "AWS::SNS::Topic",
                                                "AWS::SQS::Queue"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        cfn.validate_template(TemplateBody="Resources: [")
    assert error_of(e)[0] == "ValidationError"
    assert error_of(e)[1].startswith("Template format error")


def test_change_sets(cfn, sqs):
    created = cfn.create_change_set(StackName="cs", ChangeSetName="first", ChangeSetType="CREATE",
                                    TemplateBody=json.dumps(QUEUE_TEMPLATE))
    cfn.get_waiter("change_set_create_complete").wait(ChangeSetName=created["Id"],
                                                      WaiterConfig={"Delay": 1})
    stack = cfn.describe_stacks(StackName="cs")["Stacks"][0]
    assert stack["StackStatus"] == "REVIEW_IN_PROGRESS"
    described = cfn.describe_change_set(StackName="cs", ChangeSetName="first")
    assert described["Status"] == "CREATE_COMPLETE"
    assert described["ExecutionStatus"] == "AVAILABLE"
    actions = sorted((c["ResourceChange"]["LogicalResourceId"], c["ResourceChange"]["Action"])
                     for c in described["Changes"])
    assert actions == [("Queue", "Add"), ("Sub", "Add"), ("Topic", "Add")]
    assert [s["ChangeSetName"] for s in cfn.list_change_sets(StackName="cs")["Summaries"]] == [
        "first"]
    cfn.execute_change_set(StackName="cs", ChangeSetName="first")
    cfn.get_waiter("stack_create_complete").wait(StackName="cs", WaiterConfig={"Delay": 1})

    changed = json.loads(json.dumps(QUEUE_TEMPLATE))
    changed["Resources"]["Queue"]["Properties"]["QueueName"] = "renamed"
    changed["Resources"]["Topic"]["Properties"]["DisplayName"] = "bye"
    del changed["Resources"]["Sub"]
    cfn.create_change_set(StackName="cs", ChangeSetName="second",
                          TemplateBody=json.dumps(changed))
    cfn.get_waiter("change_set_create_complete").wait(StackName="cs", ChangeSetName="second",
                                                      WaiterConfig={"Delay": 1})
    changes = {c["ResourceChange"]["LogicalResourceId"]: c["ResourceChange"]
               for c in cfn.describe_change_set(StackName="cs",
                                                ChangeSetName="second")["Changes"]}
    assert changes["Queue"]["Action"] == "Modify"
    assert changes["Queue"]["Replacement"] == "True"
    assert changes["Queue"]["Details"][0]["Target"] == {
        "Attribute": "Properties", "Name": "QueueName", "RequiresRecreation": "Always"}
    assert changes["Topic"]["Replacement"] == "False"
    assert changes["Sub"]["Action"] == "Remove"

    # An identical template: a FAILED change set with AWS's reason.
    cfn.create_change_set(StackName="cs", ChangeSetName="same",
                          TemplateBody=json.dumps(QUEUE_TEMPLATE))
    same = cfn.describe_change_set(StackName="cs", ChangeSetName="same")
    assert same["Status"] == "FAILED"
    assert same["StatusReason"].startswith("The submitted information didn't contain changes.")
    cfn.delete_change_set(StackName="cs", ChangeSetName="same")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        cfn.describe_change_set(StackName="cs", ChangeSetName="same")
    assert error_of(e)[0] == "ChangeSetNotFound"

    cfn.execute_change_set(StackName="cs", ChangeSetName="second")
    cfn.get_waiter("stack_update_complete").wait(StackName="cs", WaiterConfig={"Delay": 1})
    names = [u.rsplit("/", 1)[1] for u in sqs.list_queues()["QueueUrls"]]
    assert names == ["renamed"]
    cfn.delete_stack(StackName="cs")
    cfn.get_waiter("stack_delete_complete").wait(StackName="cs", WaiterConfig={"Delay": 1})


def test_exports_and_imports(cfn):
    cfn.create_stack(StackName="exporter", TemplateBody=json.dumps(QUEUE_TEMPLATE))
    assert wait_terminal(cfn, "exporter")["StackStatus"] == "CREATE_COMPLETE"
    exports = cfn.list_exports()["Exports"]
    assert [e["Name"] for e in exports] == ["exporter-queue-arn"]
    importer = {"Resources": {"H": {"Type": "AWS::CloudFormation::WaitConditionHandle"}},
                "Outputs": {"Imported": {"Value": {"Fn::ImportValue": "exporter-queue-arn"}}}}
    cfn.create_stack(StackName="importer", TemplateBody=json.dumps(importer))
    stack = wait_terminal(cfn, "importer")
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    assert stack["Outputs"][0]["OutputValue"] == exports[0]["Value"]
    assert cfn.list_imports(ExportName="exporter-queue-arn")["Imports"] == ["importer"]
    cfn.delete_stack(StackName="exporter")
    stack = wait_terminal(cfn, "exporter")
    assert stack["StackStatus"] == "DELETE_FAILED"
    assert stack["StackStatusReason"] == (
        "Export exporter-queue-arn cannot be deleted as it is in use by importer")
    # Once the importer stops importing it, the export may go.
    cfn.update_stack(StackName="importer", TemplateBody=json.dumps(
        {"Resources": {"H": {"Type": "AWS::CloudFormation::WaitConditionHandle"}}}))
    assert wait_terminal(cfn, "importer")["StackStatus"] == "UPDATE_COMPLETE"
    assert cfn.list_imports(ExportName="exporter-queue-arn")["Imports"] == []
    cfn.delete_stack(StackName="exporter")
    cfn.get_waiter("stack_delete_complete").wait(StackName="exporter", WaiterConfig={"Delay": 1})
    cfn.delete_stack(StackName="importer")
    cfn.get_waiter("stack_delete_complete").wait(StackName="importer", WaiterConfig={"Delay": 1})


def test_retain_and_conditions(cfn, sqs):
    template = {
        "Parameters": {"Env": {"Type": "String", "AllowedValues": ["dev", "prod"]}},
        "Conditions": {"IsProd": {"Fn::Equals": [{"Ref": "Env"}, "prod"]}},
        "Resources": {
            "Kept": {"Type": "AWS::SQS::Queue", "DeletionPolicy": "Retain",
                     "Properties": {"QueueName": "kept"}},
            "ProdOnly": {"Type": "AWS::SQS::Queue", "Condition": "IsProd",
                         "Properties": {"QueueName": "prod-only"}},
        },
    }
    cfn.create_stack(StackName="cond", TemplateBody=json.dumps(template),
                     Parameters=[{"ParameterKey": "Env", "ParameterValue": "dev"}])
    assert wait_terminal(cfn, "cond")["StackStatus"] == "CREATE_COMPLETE"
    assert [u.rsplit("/", 1)[1] for u in sqs.list_queues()["QueueUrls"]] == ["kept"]
    cfn.delete_stack(StackName="cond")
    cfn.get_waiter("stack_delete_complete").wait(StackName="cond", WaiterConfig={"Delay": 1})
    assert [u.rsplit("/", 1)[1] for u in sqs.list_queues()["QueueUrls"]] == ["kept"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        cfn.create_stack(StackName="cond2", TemplateBody=json.dumps(template),
                         Parameters=[{"ParameterKey": "Env", "ParameterValue": "qa"}])
    assert error_of(e)[0] == "ValidationError"


def test_core_resources(cfn, endpoint):
    template = {
        "Resources": {
            "Table": {"Type": "AWS::DynamoDB::Table", "Properties": {
                "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                         {"AttributeName": "g", "AttributeType": "S"}],
                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                "BillingMode": "PAY_PER_REQUEST",
                "GlobalSecondaryIndexes": [{"IndexName": "byG", "KeySchema": [
                    {"AttributeName": "g", "KeyType": "HASH"}],
                    "Projection": {"ProjectionType": "ALL"}}],
                "StreamSpecification": {"StreamViewType": "NEW_AND_OLD_IMAGES"},
                "TimeToLiveSpecification": {"AttributeName": "ttl", "Enabled": True}}},
            "Stream": {"Type": "AWS::Kinesis::Stream", "Properties": {"ShardCount": 2}},
            "Bucket": {"Type": "AWS::S3::Bucket", "Properties": {
                "VersioningConfiguration": {"Status": "Enabled"}}},
            "Logs": {"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": 7}},
            "Role": {"Type": "AWS::IAM::Role", "Properties": {
                "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
                    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                     "Action": "sts:AssumeRole"}]},
                "Policies": [{"PolicyName": "inline", "PolicyDocument": {
                    "Version": "2012-10-17", "Statement": [
                        {"Effect": "Allow", "Action": "sqs:*", "Resource": "*"}]}}]}},
        },
        "Outputs": {
            "TableStream": {"Value": {"Fn::GetAtt": ["Table", "StreamArn"]}},
            "StreamArn": {"Value": {"Fn::GetAtt": ["Stream", "Arn"]}},
            "RoleArn": {"Value": {"Fn::GetAtt": ["Role", "Arn"]}},
            "LogArn": {"Value": {"Fn::GetAtt": ["Logs", "Arn"]}},
            "BucketName": {"Value": {"Ref": "Bucket"}},
        },
    }
    cfn.create_stack(StackName="core", TemplateBody=json.dumps(template),
                     Capabilities=["CAPABILITY_IAM"])
    stack = wait_terminal(cfn, "core")
    assert stack["StackStatus"] == "CREATE_COMPLETE", failures(cfn, "core")
    out = {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]}
    ddb = make_client(endpoint, "dynamodb")
    table = ddb.describe_table(TableName=out["TableStream"].split("/")[1])["Table"]
    assert table["LatestStreamArn"] == out["TableStream"]
    assert table["GlobalSecondaryIndexes"][0]["IndexName"] == "byG"
    assert ddb.describe_time_to_live(TableName=table["TableName"])[
        "TimeToLiveDescription"]["TimeToLiveStatus"] == "ENABLED"
    kinesis = make_client(endpoint, "kinesis")
    summary = kinesis.describe_stream_summary(StreamARN=out["StreamArn"])
    assert summary["StreamDescriptionSummary"]["OpenShardCount"] == 2
    s3 = make_client(endpoint, "s3")
    bucket = out["BucketName"]
    assert bucket == bucket.lower() and bucket.startswith("core-bucket-")
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    iam = make_client(endpoint, "iam")
    role = out["RoleArn"].rsplit("/", 1)[1]
    assert iam.list_role_policies(RoleName=role)["PolicyNames"] == ["inline"]
    logs = make_client(endpoint, "logs")
    group = logs.describe_log_groups(logGroupNamePrefix="core-Logs")["logGroups"][0]
    assert group["retentionInDays"] == 7
    cfn.delete_stack(StackName="core")
    cfn.get_waiter("stack_delete_complete").wait(StackName="core", WaiterConfig={"Delay": 1})
    assert ddb.list_tables()["TableNames"] == []
    assert iam.list_roles()["Roles"] == []


def test_sam_simple_table(cfn, endpoint):
    pytest.importorskip("samtranslator")
    template = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Things:
    Type: AWS::Serverless::SimpleTable
    Properties:
      PrimaryKey: {Name: id, Type: String}
Outputs:
  TableName:
    Value: !Ref Things
"""
    with pytest.raises(botocore.exceptions.ClientError) as e:
        cfn.create_stack(StackName="sam", TemplateBody=template)
    assert error_of(e) == ("InsufficientCapabilitiesException",
                           "Requires capabilities : [CAPABILITY_AUTO_EXPAND]")
    cfn.create_stack(StackName="sam", TemplateBody=template,
                     Capabilities=["CAPABILITY_AUTO_EXPAND"])
    stack = wait_terminal(cfn, "sam")
    assert stack["StackStatus"] == "CREATE_COMPLETE", failures(cfn, "sam")
    name = stack["Outputs"][0]["OutputValue"]
    assert make_client(endpoint, "dynamodb").describe_table(TableName=name)["Table"][
        "KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}]
    original = cfn.get_template(StackName="sam", TemplateStage="Original")["TemplateBody"]
    assert "AWS::Serverless::SimpleTable" in original
    processed = cfn.get_template(StackName="sam", TemplateStage="Processed")["TemplateBody"]
    assert processed["Resources"]["Things"]["Type"] == "AWS::DynamoDB::Table"


POLICY = {"Version": "2012-10-17",
          "Statement": [{"Effect": "Allow", "Action": "sqs:*", "Resource": "*"}]}


def test_core_resources_wired_together_and_updated(cfn, sqs, endpoint):
    template = {
        "Parameters": {"Shards": {"Type": "Number", "Default": "1"},
                       "Retention": {"Type": "Number", "Default": "7"}},
        "Resources": {
            "Inbox": {"Type": "AWS::SQS::Queue"},
            "InboxPolicy": {"Type": "AWS::SQS::QueuePolicy", "Properties": {
                "Queues": [{"Ref": "Inbox"}], "PolicyDocument": POLICY}},
            "Uploads": {"Type": "AWS::S3::Bucket", "DependsOn": "InboxPolicy", "Properties": {
                "NotificationConfiguration": {"QueueConfigurations": [{
                    "Event": "s3:ObjectCreated:*",
                    "Queue": {"Fn::GetAtt": ["Inbox", "Arn"]}}]}}},
            "Topic": {"Type": "AWS::SNS::Topic"},
            "TopicPolicy": {"Type": "AWS::SNS::TopicPolicy", "Properties": {
                "Topics": [{"Ref": "Topic"}], "PolicyDocument": POLICY}},
            "Stream": {"Type": "AWS::Kinesis::Stream",
                       "Properties": {"ShardCount": {"Ref": "Shards"}}},
            "Consumer": {"Type": "AWS::Kinesis::StreamConsumer", "Properties": {
                "ConsumerName": "reader", "StreamARN": {"Fn::GetAtt": ["Stream", "Arn"]}}},
            "Logs": {"Type": "AWS::Logs::LogGroup",
                     "Properties": {"RetentionInDays": {"Ref": "Retention"}}},
            "Role": {"Type": "AWS::IAM::Role", "Properties": {
                "RoleName": "cfn-role",
                "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
                    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                     "Action": "sts:AssumeRole"}]}}},
            "Managed": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {
                "PolicyDocument": POLICY, "Roles": [{"Ref": "Role"}]}},
            "Inline": {"Type": "AWS::IAM::Policy", "Properties": {
                "PolicyName": "extra", "PolicyDocument": POLICY, "Roles": [{"Ref": "Role"}]}},
        },
        "Outputs": {"Bucket": {"Value": {"Ref": "Uploads"}},
                    "Consumer": {"Value": {"Ref": "Consumer"}},
                    "Managed": {"Value": {"Ref": "Managed"}},
                    "Stream": {"Value": {"Ref": "Stream"}},
                    "Logs": {"Value": {"Ref": "Logs"}},
                    "Inbox": {"Value": {"Ref": "Inbox"}}},
    }
    cfn.create_stack(StackName="wired", TemplateBody=json.dumps(template),
                     Capabilities=["CAPABILITY_NAMED_IAM"])
    stack = wait_terminal(cfn, "wired")
    assert stack["StackStatus"] == "CREATE_COMPLETE", failures(cfn, "wired")
    out = {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]}
    assert "Policy" in sqs.get_queue_attributes(QueueUrl=out["Inbox"],
                                                AttributeNames=["Policy"])["Attributes"]
    # The bucket's notification reaches the queue.
    s3 = make_client(endpoint, "s3")
    s3.put_object(Bucket=out["Bucket"], Key="hello.txt", Body=b"hi")
    deadline = time.time() + 10
    records = []
    while not records and time.time() < deadline:
        for m in sqs.receive_message(QueueUrl=out["Inbox"], WaitTimeSeconds=1).get("Messages",
                                                                                  []):
            body = json.loads(m["Body"])
            records += [r["s3"]["object"]["key"] for r in body.get("Records", [])]
    assert records == ["hello.txt"]
    kinesis = make_client(endpoint, "kinesis")
    assert kinesis.describe_stream_consumer(ConsumerARN=out["Consumer"])[
        "ConsumerDescription"]["ConsumerName"] == "reader"
    iam = make_client(endpoint, "iam")
    assert [p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName="cfn-role")[
        "AttachedPolicies"]] == [out["Managed"]]
    assert iam.list_role_policies(RoleName="cfn-role")["PolicyNames"] == ["extra"]

    # In place: more shards, a shorter retention.
    cfn.update_stack(StackName="wired", UsePreviousTemplate=True,
                     Capabilities=["CAPABILITY_NAMED_IAM"],
                     Parameters=[{"ParameterKey": "Shards", "ParameterValue": "2"},
                                 {"ParameterKey": "Retention", "ParameterValue": "3"}])
    stack = wait_terminal(cfn, "wired")
    assert stack["StackStatus"] == "UPDATE_COMPLETE", failures(cfn, "wired")
    assert kinesis.describe_stream_summary(StreamName=out["Stream"])[
        "StreamDescriptionSummary"]["OpenShardCount"] == 2
    logs = make_client(endpoint, "logs")
    assert logs.describe_log_groups(logGroupNamePrefix=out["Logs"])["logGroups"][0][
        "retentionInDays"] == 3
    assert {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]} == out

    s3.delete_object(Bucket=out["Bucket"], Key="hello.txt")
    cfn.delete_stack(StackName="wired")
    cfn.get_waiter("stack_delete_complete").wait(StackName="wired", WaiterConfig={"Delay": 1})
    assert iam.list_roles()["Roles"] == []
    assert iam.list_policies(Scope="Local")["Policies"] == []
    assert kinesis.list_streams()["StreamNames"] == []


def test_table_updated_in_place_and_replaced(cfn, endpoint):
    def table(**extra):
        props = {"TableName": "orders",
                 "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
                 "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                 "BillingMode": "PAY_PER_REQUEST"}
        if "GlobalSecondaryIndexes" in extra:
            props["AttributeDefinitions"].append({"AttributeName": "g", "AttributeType": "S"})
        props.update(extra)
        return json.dumps({"Resources": {"T": {"Type": "AWS::DynamoDB::Table",
                                               "Properties": props}},
                           "Outputs": {"Arn": {"Value": {"Fn::GetAtt": ["T", "Arn"]}}}})

    ddb = make_client(endpoint, "dynamodb")
    cfn.create_stack(StackName="tbl", TemplateBody=table(
        StreamSpecification={"StreamViewType": "KEYS_ONLY"}))
    assert wait_terminal(cfn, "tbl")["StackStatus"] == "CREATE_COMPLETE", failures(cfn, "tbl")
    assert "LatestStreamArn" in ddb.describe_table(TableName="orders")["Table"]
    cfn.update_stack(StackName="tbl", TemplateBody=table(
        GlobalSecondaryIndexes=[{"IndexName": "byG",
                                 "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                 "Projection": {"ProjectionType": "KEYS_ONLY"}}],
        TimeToLiveSpecification={"AttributeName": "exp", "Enabled": True}))
    assert wait_terminal(cfn, "tbl")["StackStatus"] == "UPDATE_COMPLETE", failures(cfn, "tbl")
    described = ddb.describe_table(TableName="orders")["Table"]
    assert [i["IndexName"] for i in described["GlobalSecondaryIndexes"]] == ["byG"]
    assert described.get("StreamSpecification", {}).get("StreamEnabled") in (None, False)
    assert ddb.describe_time_to_live(TableName="orders")["TimeToLiveDescription"][
        "TimeToLiveStatus"] == "ENABLED"
    # A new key schema needs a new table; the same name cannot hold both, so the replacement
    # fails as on AWS and the stack rolls back to the table it had.
    replaced = json.loads(table())
    replaced["Resources"]["T"]["Properties"]["KeySchema"] = [
        {"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}]
    replaced["Resources"]["T"]["Properties"]["AttributeDefinitions"].append(
        {"AttributeName": "sk", "AttributeType": "S"})
    cfn.update_stack(StackName="tbl", TemplateBody=json.dumps(replaced))
    stack = wait_terminal(cfn, "tbl")
    assert stack["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE"
    reasons = [r for _, r in failures(cfn, "tbl")]
    assert any("HandlerErrorCode: AlreadyExists" in (r or "") for r in reasons), reasons
    assert ddb.describe_table(TableName="orders")["Table"]["KeySchema"] == [
        {"AttributeName": "pk", "KeyType": "HASH"}]
    resource = cfn.describe_stack_resource(StackName="tbl", LogicalResourceId="T")
    assert resource["StackResourceDetail"]["ResourceStatus"] == "UPDATE_COMPLETE"
    cfn.delete_stack(StackName="tbl")
    cfn.get_waiter("stack_delete_complete").wait(StackName="tbl", WaiterConfig={"Delay": 1})
    assert ddb.list_tables()["TableNames"] == []
