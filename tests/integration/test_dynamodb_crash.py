"""DynamoDB crash safety with `--durability sync`: every acknowledged write survives kill -9.

Writer threads put, update and delete items (each table has a stream) while the server is
killed with SIGKILL at a random moment; after a restart on the same data dir every acknowledged
put is present (unless an acknowledged delete removed it), every acknowledged counter increment
is counted, and each acknowledged change has its stream record. The seed is printed; set
TIDEPOOL_DDB_CRASH_SEED to replay one.
"""

import os
import random
import threading
import time

import botocore.exceptions

from harness import make_client

CLIENT_ERRORS = (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError)


def ddb_client(endpoint):
    return make_client(endpoint, "dynamodb", connect_timeout=2, read_timeout=10)


class Writer(threading.Thread):
    def __init__(self, endpoint, name):
        super().__init__(daemon=True)
        self.client, self.name = ddb_client(endpoint), name
        self.puts, self.deletes, self.increments = set(), set(), 0
        # A delete cut off by the kill may or may not have been applied: its key may be gone.
        self.unacked_delete = None
        self.stop = False

    def run(self):
        i = 0
        while not self.stop:
            i += 1
            key = "%s-%05d" % (self.name, i)
            try:
                self.client.put_item(TableName="crash", Item={"pk": {"S": key},
                                                              "v": {"N": str(i)}})
                self.puts.add(key)
                self.client.update_item(TableName="crash", Key={"pk": {"S": self.name}},
                                        UpdateExpression="ADD c :one",
                                        ExpressionAttributeValues={":one": {"N": "1"}})
                self.increments += 1
                if i % 3 == 0:
                    self.unacked_delete = key
                    self.client.delete_item(TableName="crash", Key={"pk": {"S": key}})
                    self.deletes.add(key)
                    self.unacked_delete = None
            except CLIENT_ERRORS:
                return


def test_acknowledged_writes_survive_kill(tidepool_factory, tmp_path):
    seed = int(os.environ.get("TIDEPOOL_DDB_CRASH_SEED", random.randrange(1 << 30)))
    print("seed", seed)
    rng = random.Random(seed)
    data = tmp_path / "crashdata"
    server = tidepool_factory(durability="sync", data_dir=data)
    client = ddb_client(server.endpoint)
    client.create_table(TableName="crash", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                        BillingMode="PAY_PER_REQUEST",
                        StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})
    writers = [Writer(server.endpoint, "w%d" % n) for n in range(3)]
    for w in writers:
        w.start()
    time.sleep(0.5 + rng.random() * 1.5)
    server.kill()
    for w in writers:
        w.stop = True
        w.join(timeout=15)

    server = tidepool_factory(durability="sync", data_dir=data)
    client = ddb_client(server.endpoint)
    items = {}
    start = None
    while True:
        page = client.scan(TableName="crash", **({"ExclusiveStartKey": start} if start else {}))
        for item in page["Items"]:
            items[item["pk"]["S"]] = item
        start = page.get("LastEvaluatedKey")
        if not start:
            break
    acked_changes = 0
    for w in writers:
        for key in w.puts - w.deletes - {w.unacked_delete}:
            assert key in items, "acknowledged put %s lost" % key
        for key in w.deletes:
            assert key not in items, "acknowledged delete %s undone" % key
        counter = int(items[w.name]["c"]["N"]) if w.name in items else 0
        assert counter >= w.increments, (w.name, counter, w.increments)
        assert counter <= w.increments + 1
        acked_changes += len(w.puts) + w.increments + len(w.deletes)
    assert acked_changes > 0

    streams = make_client(server.endpoint, "dynamodbstreams")
    arn = client.describe_table(TableName="crash")["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard,
                                    ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    records = 0
    while True:
        out = streams.get_records(ShardIterator=it)
        records += len(out["Records"])
        if not out["Records"]:
            break
        it = out["NextShardIterator"]
    assert records >= acked_changes
