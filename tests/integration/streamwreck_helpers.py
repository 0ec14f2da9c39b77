"""Seed 001 (streamwreck)'s wiring, shared by its flow test and its reconcile API test."""

from mapping_helpers import map_stream, subscribe_function


def wire_streamwreck(lam, sns, topic):
    """Subscribes function Notified to `topic` and maps stream WreakStream-Dev to function
    StreamProcessor (batch 50, LATEST), returning once the mapping is enabled."""
    subscribe_function(sns, topic, "Notified")
    map_stream(lam, "WreakStream-Dev", "StreamProcessor", StartingPosition="LATEST", BatchSize=50)
