"""Crash safety: every acknowledged record survives kill -9, exactly once, in order.

A writer thread loops PutRecords and PutRecord with unique payloads and records each
acknowledgement (payload -> shard, sequence number). The test kills the server with SIGKILL at a
random moment, restarts it on the same data dir and reads every shard from TRIM_HORIZON.
Records in flight at the kill may be present or not, but never twice.
The random seed is printed; set TIDEPOOL_CRASH_SEED to replay one.
"""

import os
import random
import threading
import time

import botocore.exceptions
import pytest

from harness import make_client
from kinesis_helpers import list_all_shards, read_shard, wait_active

TOTAL_BUDGET_S = 50.0


class Writer(threading.Thread):
    """Writes until the server dies. `acked` is appended to only by this thread."""

    def __init__(self, endpoint, stream, prefix, rng):
        super().__init__(daemon=True)
        self.client = make_client(endpoint, connect_timeout=2, read_timeout=10)
        self.stream = stream
        self.prefix = prefix
        self.rng = rng
        self.acked = []  # (payload, shard_id, sequence_number) in acknowledgement order
        self.killed = threading.Event()
        self.unexpected = []
        self.count = 0

    def next_payload(self):
        self.count += 1
        return ("%s-%06d-" % (self.prefix, self.count)).encode() + b"x" * self.rng.randrange(200)

    def run(self):
        while True:
            try:
                if self.rng.random() < 0.5:
                    batch = [{"Data": self.next_payload(),
                              "PartitionKey": "pk%d" % self.rng.randrange(1000)}
                             for _ in range(self.rng.randrange(1, 60))]
                    resp = self.client.put_records(StreamName=self.stream, Records=batch)
                    for rec, res in zip(batch, resp["Records"]):
                        if "ErrorCode" in res:
                            self.unexpected.append(("per-record failure", res))
                        else:
                            self.acked.append((rec["Data"], res["ShardId"], res["SequenceNumber"]))
                else:
                    payload = self.next_payload()
                    res = self.client.put_record(StreamName=self.stream, Data=payload,
                                                 PartitionKey="pk%d" % self.rng.randrange(1000))
                    self.acked.append((payload, res["ShardId"], res["SequenceNumber"]))
            except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
                if not self.killed.is_set():
                    # Give the kill a moment to be flagged: the error may have raced it.
                    time.sleep(0.2)
                    if not self.killed.is_set():
                        self.unexpected.append(("error before the kill", repr(e)))
                return


def read_everything(client, stream):
    """payload -> list of (shard_id, sequence number), and per-shard sequence lists."""
    seen, per_shard = {}, {}
    for shard in list_all_shards(client, stream):
        records, _ = read_shard(client, stream, shard["ShardId"])
        seqs = [int(r["SequenceNumber"]) for r in records]
        assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs), \
            "shard %s: sequence numbers not strictly increasing" % shard["ShardId"]
        per_shard[shard["ShardId"]] = seqs
        for r in records:
            seen.setdefault(r["Data"], []).append((shard["ShardId"], r["SequenceNumber"]))
    return seen, per_shard


def check_acked(client, stream, acked):
    seen, per_shard = read_everything(client, stream)
    duplicates = {p: v for p, v in seen.items() if len(v) > 1}
    assert not duplicates, "records present more than once: %r" % list(duplicates.items())[:5]
    missing = [a for a in acked if a[0] not in seen]
    assert not missing, "%d acknowledged records lost, e.g. %r" % (len(missing), missing[:3])
    moved = [(a, seen[a[0]]) for a in acked if seen[a[0]][0] != (a[1], a[2])]
    assert not moved, "acknowledged records came back elsewhere: %r" % moved[:3]
    # Acknowledgements came in order from one writer, so per shard they must be increasing.
    last = {}
    for payload, shard, seq in acked:
        assert int(seq) > last.get(shard, -1), "acknowledged order broken on %s" % shard
        last[shard] = int(seq)
    return per_shard


def crash_rounds(tidepool_factory, data_dir, durability, rounds, rng, deadline):
    server = tidepool_factory(durability, data_dir=data_dir)
    client = make_client(server.endpoint)
    client.create_stream(StreamName="crash", ShardCount=2)
    wait_active(client, "crash")
    acked = []
    for round_no in range(rounds):
        if time.monotonic() > deadline:
            break
        writer = Writer(server.endpoint, "crash", "%s%d" % (durability, round_no), rng)
        writer.start()
        time.sleep(rng.uniform(0.3, 1.5))
        writer.killed.set()
        server.kill()
        writer.join(timeout=20)
        assert not writer.is_alive(), "writer still blocked 20 s after the kill"
        assert not writer.unexpected, writer.unexpected[:3]
        assert writer.acked, "round %d acknowledged nothing before the kill" % round_no
        acked.extend(writer.acked)
        print("%s round %d: %d records acknowledged before the kill" % (durability, round_no,
                                                                       len(writer.acked)))

        server = tidepool_factory(durability, data_dir=data_dir)
        client = make_client(server.endpoint)
        summary = wait_active(client, "crash")
        assert summary["OpenShardCount"] == 2
        per_shard = check_acked(client, "crash", acked)

        for shard_id, seqs in per_shard.items():
            res = client.put_record(StreamName="crash", Data=b"after-%d-%s" % (
                round_no, shard_id.encode()), PartitionKey="p",
                ExplicitHashKey="0" if shard_id.endswith("0") else str(2**128 - 1))
            assert res["ShardId"] == shard_id
            if seqs:
                assert int(res["SequenceNumber"]) > seqs[-1], \
                    "sequence number went backwards after restart on %s" % shard_id
            acked.append((b"after-%d-%s" % (round_no, shard_id.encode()), shard_id,
                          res["SequenceNumber"]))
    check_acked(client, "crash", acked)
    return len(acked)


@pytest.fixture
def rng():
    seed = int(os.environ.get("TIDEPOOL_CRASH_SEED", time.time_ns() % 1_000_000))
    print("crash test seed: TIDEPOOL_CRASH_SEED=%d" % seed)
    return random.Random(seed)


def test_kill9_sync_loses_no_acknowledged_record(tidepool_factory, tmp_path, rng):
    deadline = time.monotonic() + TOTAL_BUDGET_S * 0.7
    n = crash_rounds(tidepool_factory, tmp_path / "sync-data", "sync", 3, rng, deadline)
    assert n > 0


def test_kill9_async_loses_no_acknowledged_record(tidepool_factory, tmp_path, rng):
    deadline = time.monotonic() + TOTAL_BUDGET_S * 0.3
    n = crash_rounds(tidepool_factory, tmp_path / "async-data", "async", 1, rng, deadline)
    assert n > 0


def test_graceful_restart_keeps_state(tidepool_factory, tmp_path):
    """SIGTERM then restart: streams, tags, retention and records all come back (sync)."""
    data_dir = tmp_path / "graceful"
    server = tidepool_factory("sync", data_dir=data_dir)
    client = make_client(server.endpoint)
    client.create_stream(StreamName="keep", ShardCount=3, Tags={"k": "v"})
    wait_active(client, "keep")
    client.increase_stream_retention_period(StreamName="keep", RetentionPeriodHours=72)
    client.split_shard(StreamName="keep", ShardToSplit="shardId-000000000000",
                       NewStartingHashKey="1000")
    wait_active(client, "keep")
    put = client.put_record(StreamName="keep", Data=b"persisted", PartitionKey="z",
                            ExplicitHashKey="5")
    assert server.stop() == 0

    server = tidepool_factory("sync", data_dir=data_dir)
    client = make_client(server.endpoint)
    summary = wait_active(client, "keep")
    assert summary["RetentionPeriodHours"] == 72
    assert summary["OpenShardCount"] == 4
    assert client.list_tags_for_stream(StreamName="keep")["Tags"] == [{"Key": "k", "Value": "v"}]
    assert len(list_all_shards(client, "keep")) == 5
    records, _ = read_shard(client, "keep", put["ShardId"])
    assert [(r["Data"], r["SequenceNumber"]) for r in records] == [
        (b"persisted", put["SequenceNumber"])]
