"""DynamoDB through boto3: PartiQL, backups and point-in-time recovery settings, Kinesis
streaming destinations, TransactionCanceledException's CancellationReasons, stream trimming."""

import base64
import json
import time

import botocore.exceptions
import pytest

from harness import make_client
from test_dynamodb_boto3 import ddb, error_of, make_table, streams  # noqa: F401 (fixtures)


def test_cancellation_reasons_and_condition_item(ddb):
    make_table(ddb, "acc")
    ddb.put_item(TableName="acc", Item={"pk": {"S": "a"}, "bal": {"N": "5"}})
    with pytest.raises(botocore.exceptions.ClientError) as info:
        ddb.transact_write_items(TransactItems=[
            {"Put": {"TableName": "acc", "Item": {"pk": {"S": "new"}}}},
            {"Update": {"TableName": "acc", "Key": {"pk": {"S": "a"}},
                        "UpdateExpression": "SET bal = bal - :x", "ConditionExpression": "bal >= :x",
                        "ExpressionAttributeValues": {":x": {"N": "10"}},
                        "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}},
            {"ConditionCheck": {"TableName": "acc", "Key": {"pk": {"S": "zz"}},
                                "ConditionExpression": "attribute_exists(pk)"}}])
    reasons = info.value.response["CancellationReasons"]
    assert reasons[0] == {"Code": "None"}
    assert reasons[1] == {"Code": "ConditionalCheckFailed",
                          "Message": "The conditional request failed",
                          "Item": {"pk": {"S": "a"}, "bal": {"N": "5"}}}
    assert reasons[2] == {"Code": "ConditionalCheckFailed",
                          "Message": "The conditional request failed"}
    with pytest.raises(botocore.exceptions.ClientError) as info:
        ddb.put_item(TableName="acc", Item={"pk": {"S": "a"}}, ConditionExpression="bal > :z",
                     ExpressionAttributeValues={":z": {"N": "9"}},
                     ReturnValuesOnConditionCheckFailure="ALL_OLD")
    assert info.value.response["Error"]["Code"] == "ConditionalCheckFailedException"
    assert info.value.response["Item"] == {"pk": {"S": "a"}, "bal": {"N": "5"}}


def test_partiql_statements(ddb):
    make_table(ddb, "music", "N")
    for i in range(5):
        ddb.execute_statement(Statement="INSERT INTO music VALUE {'pk': ?, 'sk': ?, 'n': ?}",
                              Parameters=[{"S": "band"}, {"N": str(i)}, {"N": str(i * 10)}])
    code, msg = error_of(ddb.execute_statement,
                         Statement="INSERT INTO music VALUE {'pk': 'band', 'sk': 1}")
    assert (code, msg) == ("DuplicateItemException", "Duplicate primary key exists in table")
    out = ddb.execute_statement(
        Statement='SELECT sk, n FROM "music" WHERE pk = ? AND sk >= 1 AND n < 40',
        Parameters=[{"S": "band"}])
    assert [i["sk"]["N"] for i in out["Items"]] == ["1", "2", "3"]
    # Paging: Limit and NextToken.
    page = ddb.execute_statement(Statement="SELECT * FROM music WHERE pk = 'band'", Limit=2)
    assert len(page["Items"]) == 2 and "NextToken" in page
    rest = ddb.execute_statement(Statement="SELECT * FROM music WHERE pk = 'band'",
                                 NextToken=page["NextToken"])
    assert [i["sk"]["N"] for i in rest["Items"]] == ["2", "3", "4"]
    # A scan with a filter.
    assert len(ddb.execute_statement(Statement="SELECT * FROM music WHERE n BETWEEN 10 AND 30")[
        "Items"]) == 3
    upd = ddb.execute_statement(
        Statement="UPDATE music SET n = n + 1 SET tags = <<'x'>> REMOVE gone "
                  "WHERE pk = 'band' AND sk = 4 RETURNING ALL NEW *")
    assert upd["Items"][0]["n"] == {"N": "41"}
    code, _ = error_of(ddb.execute_statement,
                       Statement="UPDATE music SET n = 1 WHERE pk = 'band' AND sk = 99")
    assert code == "ConditionalCheckFailedException"
    code, msg = error_of(ddb.execute_statement, Statement="UPDATE music SET n = 1 WHERE pk = 'b'")
    assert code == "ValidationException"
    assert msg == "Where clause does not contain a mandatory equality on all key attributes"
    gone = ddb.execute_statement(
        Statement="DELETE FROM music WHERE pk = 'band' AND sk = 0 RETURNING ALL OLD *")
    assert gone["Items"][0]["n"] == {"N": "0"}
    code, msg = error_of(ddb.execute_statement, Statement="SELECT * FROM music WHERE pk = ?")
    assert (code, msg) == ("ValidationException",
                           "Number of parameters in request and statement don't match.")
    code, msg = error_of(ddb.execute_statement, Statement="SELEC * FROM music")
    assert code == "ValidationException"
    assert msg.startswith("Statement wasn't well formed, can't be processed")
    code, _ = error_of(ddb.execute_statement, Statement="SELECT * FROM nosuch")
    assert code == "ResourceNotFoundException"


def test_partiql_batch_and_transaction(ddb):
    make_table(ddb, "kv")
    out = ddb.batch_execute_statement(Statements=[
        {"Statement": "INSERT INTO kv VALUE {'pk': 'a', 'v': 1}"},
        {"Statement": "INSERT INTO kv VALUE {'pk': 'b', 'v': 2}"},
        {"Statement": "INSERT INTO kv VALUE {'pk': 'a', 'v': 3}"},
    ])["Responses"]
    assert "Error" not in out[0] and "Error" not in out[1]
    assert out[2]["Error"]["Code"] == "DuplicateItem"
    reads = ddb.batch_execute_statement(Statements=[
        {"Statement": "SELECT * FROM kv WHERE pk = ?", "Parameters": [{"S": "b"}]},
        {"Statement": "SELECT * FROM kv WHERE pk = 'nope'"},
    ])["Responses"]
    assert reads[0]["Item"]["v"] == {"N": "2"} and "Item" not in reads[1]
    ddb.execute_transaction(TransactStatements=[
        {"Statement": "UPDATE kv SET v = v + 10 WHERE pk = 'a'"},
        {"Statement": "DELETE FROM kv WHERE pk = 'b'"},
        {"Statement": "INSERT INTO kv VALUE {'pk': 'c'}"},
    ])
    got = ddb.execute_transaction(TransactStatements=[
        {"Statement": "SELECT v FROM kv WHERE pk = 'a'"},
        {"Statement": "SELECT * FROM kv WHERE pk = 'b'"},
    ])["Responses"]
    assert got[0]["Item"] == {"v": {"N": "11"}} and "Item" not in got[1]
    with pytest.raises(botocore.exceptions.ClientError) as info:
        ddb.execute_transaction(TransactStatements=[
            {"Statement": "UPDATE kv SET v = 0 WHERE pk = 'zzz'"},
            {"Statement": "INSERT INTO kv VALUE {'pk': 'd'}"}])
    assert info.value.response["Error"]["Code"] == "TransactionCanceledException"
    assert [r["Code"] for r in info.value.response["CancellationReasons"]] == [
        "ConditionalCheckFailed", "None"]
    code, _ = error_of(ddb.execute_transaction, TransactStatements=[
        {"Statement": "SELECT * FROM kv WHERE pk = 'a'"},
        {"Statement": "DELETE FROM kv WHERE pk = 'a'"}])
    assert code == "ValidationException"


def test_backups_and_restore(ddb):
    make_table(ddb, "src", "N", GlobalSecondaryIndexes=[{
        "IndexName": "byv", "KeySchema": [{"AttributeName": "v", "KeyType": "HASH"}],
        "Projection": {"ProjectionType": "ALL"}}],
        more_attrs=[{"AttributeName": "v", "AttributeType": "S"}])
    for i in range(20):
        ddb.put_item(TableName="src", Item={"pk": {"S": "p"}, "sk": {"N": str(i)},
                                            "v": {"S": "x%d" % (i % 2)}})
    details = ddb.create_backup(TableName="src", BackupName="bk1")["BackupDetails"]
    assert details["BackupStatus"] == "AVAILABLE" and details["BackupType"] == "USER"
    arn = details["BackupArn"]
    assert arn.startswith(ddb.describe_table(TableName="src")["Table"]["TableArn"] + "/backup/")
    ddb.put_item(TableName="src", Item={"pk": {"S": "p"}, "sk": {"N": "100"}})  # after the backup
    desc = ddb.describe_backup(BackupArn=arn)["BackupDescription"]
    assert desc["SourceTableDetails"]["ItemCount"] == 20
    assert desc["SourceTableFeatureDetails"]["GlobalSecondaryIndexes"][0]["IndexName"] == "byv"
    assert [b["BackupName"] for b in ddb.list_backups(TableName="src")["BackupSummaries"]] == ["bk1"]
    restored = ddb.restore_table_from_backup(TargetTableName="copy", BackupArn=arn)
    assert restored["TableDescription"]["RestoreSummary"]["SourceBackupArn"] == arn
    ddb.get_waiter("table_exists").wait(TableName="copy", WaiterConfig={"Delay": 0.1})
    assert ddb.scan(TableName="copy", Select="COUNT")["Count"] == 20
    assert ddb.query(TableName="copy", IndexName="byv", KeyConditionExpression="v = :v",
                     ExpressionAttributeValues={":v": {"S": "x1"}}, Select="COUNT")["Count"] == 10
    code, msg = error_of(ddb.restore_table_from_backup, TargetTableName="copy", BackupArn=arn)
    assert (code, msg) == ("TableAlreadyExistsException", "Table already exists: copy")
    code, _ = error_of(ddb.create_backup, TableName="nosuch", BackupName="xyz")
    assert code == "TableNotFoundException"
    ddb.delete_table(TableName="src")  # backups outlive their table
    assert ddb.describe_backup(BackupArn=arn)["BackupDescription"]["BackupDetails"][
        "BackupName"] == "bk1"
    assert ddb.delete_backup(BackupArn=arn)["BackupDescription"]["BackupDetails"][
        "BackupStatus"] == "DELETED"
    code, msg = error_of(ddb.describe_backup, BackupArn=arn)
    assert (code, msg) == ("BackupNotFoundException", "Backup not found: " + arn)


def test_point_in_time_recovery_settings(ddb):
    make_table(ddb, "ptr")
    ddb.put_item(TableName="ptr", Item={"pk": {"S": "a"}})
    desc = ddb.describe_continuous_backups(TableName="ptr")["ContinuousBackupsDescription"]
    assert desc["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "DISABLED"
    code, _ = error_of(ddb.restore_table_to_point_in_time, SourceTableName="ptr",
                       TargetTableName="ptr2", UseLatestRestorableTime=True)
    assert code == "PointInTimeRecoveryUnavailableException"
    out = ddb.update_continuous_backups(
        TableName="ptr", PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    pitr = out["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
    assert pitr["PointInTimeRecoveryStatus"] == "ENABLED"
    assert "LatestRestorableDateTime" in pitr
    ddb.restore_table_to_point_in_time(SourceTableName="ptr", TargetTableName="ptr2",
                                       UseLatestRestorableTime=True)
    assert ddb.get_item(TableName="ptr2", Key={"pk": {"S": "a"}})["Item"] == {"pk": {"S": "a"}}
    code, _ = error_of(ddb.restore_table_to_point_in_time, SourceTableName="ptr",
                       TargetTableName="ptr3", RestoreDateTime=time.time() - 3600)
    assert code == "InvalidRestoreTimeException"
    code, _ = error_of(ddb.describe_continuous_backups, TableName="nosuch")
    assert code == "TableNotFoundException"


def test_kinesis_streaming_destination(ddb, endpoint):
    kinesis = make_client(endpoint, "kinesis")
    kinesis.create_stream(StreamName="cdc", ShardCount=1)
    kinesis.get_waiter("stream_exists").wait(StreamName="cdc", WaiterConfig={"Delay": 0.1})
    stream_arn = kinesis.describe_stream_summary(StreamName="cdc")[
        "StreamDescriptionSummary"]["StreamARN"]
    make_table(ddb, "items")
    code, _ = error_of(ddb.enable_kinesis_streaming_destination, TableName="items",
                       StreamArn=stream_arn.replace("cdc", "nope"))
    assert code == "ResourceNotFoundException"
    out = ddb.enable_kinesis_streaming_destination(TableName="items", StreamArn=stream_arn)
    assert out["DestinationStatus"] == "ENABLING"
    dests = ddb.describe_kinesis_streaming_destination(TableName="items")[
        "KinesisDataStreamDestinations"]
    assert dests == [{"StreamArn": stream_arn, "DestinationStatus": "ACTIVE",
                      "ApproximateCreationDateTimePrecision": "MILLISECOND"}]
    ddb.put_item(TableName="items", Item={"pk": {"S": "k"}, "v": {"N": "1"}})
    ddb.update_item(TableName="items", Key={"pk": {"S": "k"}}, UpdateExpression="SET v = :v",
                    ExpressionAttributeValues={":v": {"N": "2"}})
    ddb.delete_item(TableName="items", Key={"pk": {"S": "k"}})
    shard = kinesis.list_shards(StreamName="cdc")["Shards"][0]["ShardId"]
    it = kinesis.get_shard_iterator(StreamName="cdc", ShardId=shard,
                                    ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    records = []
    deadline = time.time() + 5
    while len(records) < 3 and time.time() < deadline:
        got = kinesis.get_records(ShardIterator=it)
        records += [json.loads(r["Data"]) for r in got["Records"]]
        it = got["NextShardIterator"]
    assert [r["eventName"] for r in records] == ["INSERT", "MODIFY", "REMOVE"]
    first = records[1]
    assert first["tableName"] == "items" and first["eventSource"] == "aws:dynamodb"
    assert first["recordFormat"] == "application/json"
    assert first["dynamodb"]["OldImage"]["v"] == {"N": "1"}
    assert first["dynamodb"]["NewImage"]["v"] == {"N": "2"}
    assert first["dynamodb"]["Keys"] == {"pk": {"S": "k"}}
    assert first["dynamodb"]["ApproximateCreationDateTime"] > 1e12  # milliseconds
    out = ddb.update_kinesis_streaming_destination(
        TableName="items", StreamArn=stream_arn,
        UpdateKinesisStreamingConfiguration={"ApproximateCreationDateTimePrecision": "MICROSECOND"})
    assert out["DestinationStatus"] == "UPDATING"
    ddb.disable_kinesis_streaming_destination(TableName="items", StreamArn=stream_arn)
    assert ddb.describe_kinesis_streaming_destination(TableName="items")[
        "KinesisDataStreamDestinations"][0]["DestinationStatus"] == "DISABLED"
    code, _ = error_of(ddb.disable_kinesis_streaming_destination, TableName="items",
                       StreamArn=stream_arn)
    assert code == "ValidationException"


# An AWS day is 8.64 s: records are trimmed 8.64 s after they are written; iterators expire
# after 0.09 s.
@pytest.mark.tidepool(args=["--time-scale", "0.0001"])
def test_stream_records_trimmed_after_24_hours(ddb, streams):
    make_table(ddb, "trim", StreamSpecification={"StreamEnabled": True,
                                                "StreamViewType": "KEYS_ONLY"})
    arn = ddb.describe_table(TableName="trim")["Table"]["LatestStreamArn"]
    ddb.put_item(TableName="trim", Item={"pk": {"S": "old"}})
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    first = streams.get_records(ShardIterator=streams.get_shard_iterator(
        StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"])[
        "Records"][0]["dynamodb"]["SequenceNumber"]
    stale = streams.get_shard_iterator(StreamArn=arn, ShardId=shard,
                                       ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    time.sleep(0.2)
    code, msg = error_of(streams.get_records, ShardIterator=stale)
    assert code == "ExpiredIteratorException" and msg.startswith("Iterator expired.")
    deadline = time.time() + 20
    while time.time() < deadline:
        time.sleep(0.5)
        start = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0][
            "SequenceNumberRange"]["StartingSequenceNumber"]
        if start != first:
            break
    assert start != first, "the record was not trimmed"
    code, _ = error_of(streams.get_shard_iterator, StreamArn=arn, ShardId=shard,
                       ShardIteratorType="AT_SEQUENCE_NUMBER", SequenceNumber=first)
    assert code == "TrimmedDataAccessException"
    ddb.put_item(TableName="trim", Item={"pk": {"S": "new"}})
    got = streams.get_records(ShardIterator=streams.get_shard_iterator(
        StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"])
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in got["Records"]] == ["new"]
    assert int(got["Records"][0]["dynamodb"]["SequenceNumber"]) > int(first)


def test_partiql_order_by_and_exists(ddb):
    """AWS's PartiQL for DynamoDB: ORDER BY works on a query (hash key equality in WHERE) and
    only on key attributes; EXISTS(SELECT ...) is a condition check, in ExecuteTransaction
    only, that cancels the transaction when the item is missing or the condition is false."""
    make_table(ddb, "ordered", "N")
    for i in (3, 1, 2):
        ddb.put_item(TableName="ordered", Item={"pk": {"S": "a"}, "sk": {"N": str(i)},
                                                 "v": {"N": str(i * 10)}})
    down = ddb.execute_statement(
        Statement='SELECT sk FROM "ordered" WHERE pk = \'a\' ORDER BY sk DESC')["Items"]
    assert [x["sk"]["N"] for x in down] == ["3", "2", "1"]
    up = ddb.execute_statement(
        Statement='SELECT sk FROM ordered WHERE pk = ? ORDER BY "sk" ASC',
        Parameters=[{"S": "a"}])["Items"]
    assert [x["sk"]["N"] for x in up] == ["1", "2", "3"]
    assert error_of(ddb.execute_statement,
                    Statement="SELECT * FROM ordered ORDER BY sk")[0] == "ValidationException"
    assert error_of(ddb.execute_statement,
                    Statement="SELECT * FROM ordered WHERE pk = 'a' ORDER BY v")[0] == \
        "ValidationException"

    exists = 'EXISTS(SELECT * FROM "ordered" WHERE pk = \'a\' AND sk = 2 AND v = 20)'
    ddb.execute_transaction(TransactStatements=[
        {"Statement": exists},
        {"Statement": "UPDATE ordered SET v = 99 WHERE pk = 'a' AND sk = 1"}])
    assert ddb.get_item(TableName="ordered", Key={"pk": {"S": "a"}, "sk": {"N": "1"}})[
        "Item"]["v"] == {"N": "99"}
    with pytest.raises(botocore.exceptions.ClientError) as info:
        ddb.execute_transaction(TransactStatements=[
            {"Statement": "EXISTS(SELECT * FROM ordered WHERE pk = 'a' AND sk = 7)"},
            {"Statement": "UPDATE ordered SET v = 0 WHERE pk = 'a' AND sk = 1"}])
    assert info.value.response["Error"]["Code"] == "TransactionCanceledException"
    assert [r["Code"] for r in info.value.response["CancellationReasons"]] == [
        "ConditionalCheckFailed", "None"]
    assert ddb.get_item(TableName="ordered", Key={"pk": {"S": "a"}, "sk": {"N": "1"}})[
        "Item"]["v"] == {"N": "99"}
    assert error_of(ddb.execute_statement, Statement=exists)[0] == "ValidationException"
