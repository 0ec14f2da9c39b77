"""Seed 001 (streamwreck)'s wiring, shared by its flow test and its reconcile API test."""

from harness import ACCOUNT, REGION
from mapping_helpers import wait_mapping_state


def wire_streamwreck(lam, sns, topic):
    """Subscribes function Notified to `topic` and maps stream WreakStream-Dev to function
    StreamProcessor (batch 50, LATEST), returning once the mapping is enabled."""
    sns.subscribe(TopicArn=topic, Protocol="lambda",
                  Endpoint="arn:aws:lambda:%s:%s:function:Notified" % (REGION, ACCOUNT))
    m = lam.create_event_source_mapping(
        EventSourceArn="arn:aws:kinesis:%s:%s:stream/WreakStream-Dev" % (REGION, ACCOUNT),
        FunctionName="StreamProcessor", StartingPosition="LATEST", BatchSize=50)
    wait_mapping_state(lam, m["UUID"], "Enabled")
