"""CloudFormation and kill -9: a deployment killed at any resource loses nothing and leaves
nothing behind.

The server runs with --durability sync. A stack of named and unnamed resources is created and
the server killed right after the Nth resource's CREATE_IN_PROGRESS event shows (N over every
resource); after the restart the create rolls back to ROLLBACK_COMPLETE and no resource of the
stack remains in its service. The Kinesis stream stays CREATING for a while
(--kinesis-status-delay-ms), so the kill at its event lands while its create is under way: the
case an interrupted create's saved name exists for. A DeleteStack killed midway finishes after
the restart; an UpdateStack killed while a replacement is being created rolls back to the old
resources, which still work.
"""

import json
import time

from harness import make_client
from test_cloudformation_stacks import wait_terminal

STATUS_DELAY_MS = 1500
ARGS = ["--kinesis-status-delay-ms", str(STATUS_DELAY_MS)]
ROLE = "arn:aws:iam::000000000000:role/lambda-role"
HANDLER = "def handler(event, context):\n    return len(event['Records'])\n"

# Creation order (a DependsOn chain), so "the Nth resource" is the same every run.
ORDER = ["Queue", "Topic", "Sub", "Table", "Bucket", "Stream", "Fn", "Mapping"]


def full_template(stack):
    return {"Resources": {
        "Queue": {"Type": "AWS::SQS::Queue",
                  "Properties": {"QueueName": stack + "-named-queue"}},
        "Topic": {"Type": "AWS::SNS::Topic", "DependsOn": "Queue"},
        "Sub": {"Type": "AWS::SNS::Subscription",
                "Properties": {"TopicArn": {"Ref": "Topic"}, "Protocol": "sqs",
                               "Endpoint": {"Fn::GetAtt": ["Queue", "Arn"]}}},
        "Table": {"Type": "AWS::DynamoDB::Table", "DependsOn": "Sub", "Properties": {
            "TableName": stack + "-named-table", "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]}},
        "Bucket": {"Type": "AWS::S3::Bucket", "DependsOn": "Table"},
        "Stream": {"Type": "AWS::Kinesis::Stream", "DependsOn": "Bucket",
                   "Properties": {"ShardCount": 1}},
        "Fn": {"Type": "AWS::Lambda::Function", "DependsOn": "Stream", "Properties": {
            "Runtime": "python3.12", "Handler": "index.handler", "Role": ROLE,
            "Code": {"ZipFile": HANDLER}}},
        "Mapping": {"Type": "AWS::Lambda::EventSourceMapping", "Properties": {
            "FunctionName": {"Ref": "Fn"}, "StartingPosition": "TRIM_HORIZON",
            "EventSourceArn": {"Fn::GetAtt": ["Stream", "Arn"]}}},
    }}


class Cluster:
    """One data directory; the server on it started, killed and started again."""

    def __init__(self, factory, data_dir):
        self.factory = factory
        self.data_dir = data_dir
        self.server = None
        self.start()

    def start(self):
        self.server = self.factory("sync", args=ARGS, data_dir=self.data_dir)

    def client(self, service):
        return make_client(self.server.endpoint, service)

    def kill_and_restart(self):
        self.server.kill()
        self.start()


def events(cfn, stack):
    return cfn.describe_stack_events(StackName=stack)["StackEvents"]  # newest first


def kill_after_event(cluster, stack, logical_id, status, since=None, timeout=60):
    """Kills the server as soon as `logical_id` shows `status` (an event newer than `since`).
    Returns the events seen at the kill, oldest first."""
    cfn = cluster.client("cloudformation")
    deadline = time.time() + timeout
    while time.time() < deadline:
        seen = events(cfn, stack)
        if any(e["LogicalResourceId"] == logical_id and e["ResourceStatus"] == status and
               (since is None or e["Timestamp"] > since) for e in seen):
            cluster.kill_and_restart()
            return list(reversed(seen))
        time.sleep(0.01)
    raise AssertionError("%s never showed %s for %s" % (stack, status, logical_id))


def leftovers(cluster, stack):
    """Every resource of any service whose name or ARN belongs to `stack`, by service."""
    c = cluster.client
    prefix = stack + "-"
    found = {
        "queues": c("sqs").list_queues(QueueNamePrefix=prefix).get("QueueUrls", []),
        "topics": [t["TopicArn"] for t in c("sns").list_topics()["Topics"]
                   if t["TopicArn"].split(":")[-1].startswith(prefix)],
        "subscriptions": [s["SubscriptionArn"] for s in c("sns").list_subscriptions()
                          ["Subscriptions"] if (":" + prefix) in s["TopicArn"]],
        "tables": [t for t in c("dynamodb").list_tables()["TableNames"] if t.startswith(prefix)],
        "buckets": [b["Name"] for b in c("s3").list_buckets()["Buckets"]
                    if b["Name"].startswith(prefix.lower())],
        # A deleted stream stays DELETING for --kinesis-status-delay-ms: it is gone.
        "streams": [s for s in c("kinesis").list_streams()["StreamNames"]
                    if s.startswith(prefix) and c("kinesis").describe_stream_summary(
                        StreamName=s)["StreamDescriptionSummary"]["StreamStatus"] != "DELETING"],
        "functions": [f["FunctionName"] for f in c("lambda").list_functions()["Functions"]
                      if f["FunctionName"].startswith(prefix)],
        "mappings": [m["UUID"] for m in c("lambda").list_event_source_mappings()
                     ["EventSourceMappings"]
                     if (":function:" + prefix) in m.get("FunctionArn", "") or
                     ("/" + prefix) in m.get("EventSourceArn", "")],
    }
    return {k: v for k, v in found.items() if v}


def test_a_create_killed_at_any_resource_rolls_back_and_leaves_nothing(tidepool_factory,
                                                                       tmp_path):
    cluster = Cluster(tidepool_factory, tmp_path / "data")
    for n, logical_id in enumerate(ORDER):
        stack = "crash-n%d" % n
        stack_id = cluster.client("cloudformation").create_stack(
            StackName=stack, TemplateBody=json.dumps(full_template(stack)))["StackId"]
        seen = kill_after_event(cluster, stack, logical_id, "CREATE_IN_PROGRESS")
        cfn = cluster.client("cloudformation")
        final = wait_terminal(cfn, stack_id)
        created = {e["LogicalResourceId"] for e in seen if e["ResourceStatus"] == "CREATE_COMPLETE"}
        if final["StackStatus"] == "CREATE_COMPLETE":
            # The rest of the create finished before the kill landed: only possible once the
            # slow stream is created.
            assert n > ORDER.index("Stream"), final
            cfn.delete_stack(StackName=stack)
            final = wait_terminal(cfn, stack_id)
            assert final["StackStatus"] == "DELETE_COMPLETE", final
        else:
            assert final["StackStatus"] == "ROLLBACK_COMPLETE", final
        if logical_id == "Stream":
            assert "Stream" not in created, "the kill was meant to land during the stream's create"
        assert leftovers(cluster, stack) == {}, "killed after %s's CREATE_IN_PROGRESS" % logical_id


def test_a_delete_killed_midway_finishes_after_the_restart(tidepool_factory, tmp_path):
    cluster = Cluster(tidepool_factory, tmp_path / "data")
    for logical_id in ("Mapping", "Stream", "Queue"):
        stack = "crash-del-" + logical_id.lower()
        cfn = cluster.client("cloudformation")
        stack_id = cfn.create_stack(StackName=stack,
                                    TemplateBody=json.dumps(full_template(stack)))["StackId"]
        assert wait_terminal(cfn, stack)["StackStatus"] == "CREATE_COMPLETE"
        assert len(leftovers(cluster, stack)) == 8  # every kind of resource is there
        cfn.delete_stack(StackName=stack)
        kill_after_event(cluster, stack_id, logical_id, "DELETE_IN_PROGRESS")
        cfn = cluster.client("cloudformation")
        final = wait_terminal(cfn, stack_id)  # a deleted stack is described by id only
        assert final["StackStatus"] == "DELETE_COMPLETE", final
        assert leftovers(cluster, stack) == {}, "killed after %s's DELETE_IN_PROGRESS" % logical_id


def replaced_template(suffix):
    return {"Resources": {
        "Queue": {"Type": "AWS::SQS::Queue",
                  "Properties": {"QueueName": "crash-upd-q" + suffix}},
        "Stream": {"Type": "AWS::Kinesis::Stream", "DependsOn": "Queue",
                   "Properties": {"Name": "crash-upd-s" + suffix, "ShardCount": 1}},
    }}


def test_an_update_killed_during_a_replacement_rolls_back_to_the_old_resources(
        tidepool_factory, tmp_path):
    cluster = Cluster(tidepool_factory, tmp_path / "data")
    stack = "crash-upd"
    cfn = cluster.client("cloudformation")
    cfn.create_stack(StackName=stack, TemplateBody=json.dumps(replaced_template("1")))
    assert wait_terminal(cfn, stack)["StackStatus"] == "CREATE_COMPLETE"
    since = events(cfn, stack)[0]["Timestamp"]
    cfn.update_stack(StackName=stack, TemplateBody=json.dumps(replaced_template("2")))
    # The queue's replacement is created; the kill lands while the stream's is.
    seen = kill_after_event(cluster, stack, "Stream", "UPDATE_IN_PROGRESS", since=since)
    assert not any(e["LogicalResourceId"] == "Stream" and e["ResourceStatus"] == "UPDATE_COMPLETE"
                   and e["Timestamp"] > since for e in seen)
    cfn = cluster.client("cloudformation")
    final = wait_terminal(cfn, stack)
    assert final["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE", final
    assert sorted(leftovers(cluster, stack).items()) == [
        ("queues", [cluster.client("sqs").get_queue_url(QueueName="crash-upd-q1")["QueueUrl"]]),
        ("streams", ["crash-upd-s1"])]
    # The old resources still work.
    sqs = cluster.client("sqs")
    url = sqs.get_queue_url(QueueName="crash-upd-q1")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="still here")
    got = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1)["Messages"]
    assert [m["Body"] for m in got] == ["still here"]
    kinesis = cluster.client("kinesis")
    deadline = time.time() + 10
    while kinesis.describe_stream_summary(StreamName="crash-upd-s1")[
            "StreamDescriptionSummary"]["StreamStatus"] != "ACTIVE":
        assert time.time() < deadline
        time.sleep(0.1)
    kinesis.put_record(StreamName="crash-upd-s1", Data=b"x", PartitionKey="k")
    resources = cfn.describe_stack_resources(StackName=stack)["StackResources"]
    assert {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in resources}["Stream"] == \
        "crash-upd-s1"
