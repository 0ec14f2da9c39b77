// KinesisService: streams, records, iterators (see kinesis_admin_test.cc for resharding,
// consumers, tags, settings and recovery; kinesis_codec_test.cc for the pure encodings).
#include <gtest/gtest.h>

#include "services/kinesis/kinesis_test_harness.h"

namespace tidepool::kinesis::testing {
namespace {

std::string Str(const json::value& v) { return std::string(v.as_string()); }

TEST(KinesisStreamsTest, EveryModelOperationIsRegistered) {
  KinesisHarness h;
  for (const auto& op : protocol::model::KinesisModel().operations) {
    auto outcome = h.Invoke(op.name, "{}");
    if (auto* err = std::get_if<protocol::AwsError>(&outcome)) {
      EXPECT_NE(err->code, "UnknownOperationException") << op.name;
      EXPECT_NE(err->code, "InternalFailure") << op.name << ": " << err->message;
    }
  }
  EXPECT_EQ(protocol::model::KinesisModel().operations.size(), 39u);
}

TEST(KinesisStreamsTest, CreateDescribeAndDuplicate) {
  KinesisHarness h;
  h.CreateStream("orders", 3);
  auto d = h.Ok("DescribeStream", R"({"StreamName":"orders"})")["StreamDescription"].as_object();
  EXPECT_EQ(Str(d["StreamStatus"]), "ACTIVE");
  EXPECT_EQ(Str(d["StreamARN"]), "arn:aws:kinesis:us-east-1:123456789012:stream/orders");
  EXPECT_EQ(d["RetentionPeriodHours"].as_int64(), 24);
  EXPECT_FALSE(d["HasMoreShards"].as_bool());
  const auto& shards = d["Shards"].as_array();
  ASSERT_EQ(shards.size(), 3u);
  EXPECT_EQ(Str(shards[0].at("ShardId")), "shardId-000000000000");
  EXPECT_EQ(Str(shards[0].at("HashKeyRange").at("StartingHashKey")), "0");
  EXPECT_EQ(Str(shards[0].at("HashKeyRange").at("EndingHashKey")),
            "113427455640312821154458202477256070484");
  EXPECT_EQ(Str(shards[1].at("HashKeyRange").at("StartingHashKey")),
            "113427455640312821154458202477256070485");
  EXPECT_EQ(Str(shards[2].at("HashKeyRange").at("EndingHashKey")),
            "340282366920938463463374607431768211455");
  EXPECT_FALSE(shards[0].at("SequenceNumberRange").as_object().contains("EndingSequenceNumber"));

  auto err = h.Err("CreateStream", R"({"StreamName":"orders","ShardCount":1})");
  EXPECT_EQ(err.code, "ResourceInUseException");
  EXPECT_EQ(err.message, "Stream orders under account 123456789012 already exists.");

  auto limited = h.Ok("DescribeStream", R"({"StreamName":"orders","Limit":2})");
  EXPECT_TRUE(limited["StreamDescription"].at("HasMoreShards").as_bool());
  auto rest = h.Ok("DescribeStream",
                   R"({"StreamName":"orders","ExclusiveStartShardId":"shardId-000000000001"})");
  EXPECT_EQ(rest["StreamDescription"].at("Shards").as_array().size(), 1u);
}

TEST(KinesisStreamsTest, NotFoundAndNameArnRules) {
  KinesisHarness h;
  auto err = h.Err("DescribeStreamSummary", R"({"StreamName":"nope"})");
  EXPECT_EQ(err.code, "ResourceNotFoundException");
  EXPECT_EQ(err.message, "Stream nope under account 123456789012 not found.");
  EXPECT_EQ(err.http_status, 400);
  h.CreateStream("a", 1);
  h.CreateStream("b", 1);
  auto by_arn = h.Ok("DescribeStreamSummary",
                     R"({"StreamARN":"arn:aws:kinesis:us-east-1:123456789012:stream/a"})");
  EXPECT_EQ(Str(by_arn["StreamDescriptionSummary"].at("StreamName")), "a");
  EXPECT_EQ(by_arn["StreamDescriptionSummary"].at("OpenShardCount").as_int64(), 1);
  err =
      h.Err("DescribeStreamSummary",
            R"({"StreamName":"b","StreamARN":"arn:aws:kinesis:us-east-1:123456789012:stream/a"})");
  EXPECT_EQ(err.code, "InvalidArgumentException");
  err = h.Err("DescribeStreamSummary", "{}");
  EXPECT_EQ(err.code, "InvalidArgumentException");
  // Another account does not see the stream.
  auto other = h.Invoke("DescribeStreamSummary", R"({"StreamName":"a"})", "210987654321");
  ASSERT_TRUE(std::holds_alternative<protocol::AwsError>(other));
  EXPECT_EQ(std::get<protocol::AwsError>(other).code, "ResourceNotFoundException");
}

TEST(KinesisStreamsTest, OnDemandAndLimits) {
  KinesisHarness h;
  h.Ok("CreateStream", R"({"StreamName":"od","StreamModeDetails":{"StreamMode":"ON_DEMAND"}})");
  auto s = h.Ok("DescribeStreamSummary", R"({"StreamName":"od"})")["StreamDescriptionSummary"];
  EXPECT_EQ(s.at("OpenShardCount").as_int64(), 4);
  EXPECT_EQ(Str(s.at("StreamModeDetails").at("StreamMode")), "ON_DEMAND");
  auto limits = h.Ok("DescribeLimits", "{}");
  EXPECT_EQ(limits["OpenShardCount"].as_int64(), 4);
  EXPECT_EQ(limits["OnDemandStreamCount"].as_int64(), 1);
  EXPECT_EQ(limits["ShardLimit"].as_int64(), 500);
  auto err = h.Err("CreateStream", R"({"StreamName":"big","ShardCount":497})");
  EXPECT_EQ(err.code, "LimitExceededException");
  EXPECT_NE(err.message.find("Current shard count for the account: 4. Limit: 500."),
            std::string::npos);
  h.Ok("UpdateStreamMode", R"({"StreamARN":"arn:aws:kinesis:us-east-1:123456789012:stream/od",)"
                           R"("StreamModeDetails":{"StreamMode":"PROVISIONED"}})");
  EXPECT_EQ(h.Ok("DescribeLimits", "{}")["OnDemandStreamCount"].as_int64(), 0);
}

TEST(KinesisStreamsTest, ListStreamsPaginates) {
  KinesisHarness h;
  for (auto name : {"c", "a", "d", "b"}) h.CreateStream(name, 1);
  auto page = h.Ok("ListStreams", R"({"Limit":3})");
  ASSERT_EQ(page["StreamNames"].as_array().size(), 3u);
  EXPECT_EQ(Str(page["StreamNames"].as_array()[0]), "a");
  EXPECT_TRUE(page["HasMoreStreams"].as_bool());
  EXPECT_EQ(Str(page["StreamSummaries"].as_array()[2].at("StreamStatus")), "ACTIVE");
  auto next = h.Ok("ListStreams", fmt::format(R"({{"NextToken":"{}"}})", Str(page["NextToken"])));
  ASSERT_EQ(next["StreamNames"].as_array().size(), 1u);
  EXPECT_EQ(Str(next["StreamNames"].as_array()[0]), "d");
  EXPECT_FALSE(next["HasMoreStreams"].as_bool());
  auto after = h.Ok("ListStreams", R"({"ExclusiveStartStreamName":"b"})");
  EXPECT_EQ(after["StreamNames"].as_array().size(), 2u);
  EXPECT_EQ(h.Err("ListStreams", R"({"NextToken":"garbage"})").code, "InvalidArgumentException");
  h.clock().AdvanceSeconds(301);
  EXPECT_EQ(
      h.Err("ListStreams", fmt::format(R"({{"NextToken":"{}"}})", Str(page["NextToken"]))).code,
      "ExpiredNextTokenException");
}

TEST(KinesisStreamsTest, DeleteStreamAndRecreateSeesNoOldRecords) {
  KinesisHarness h;
  h.CreateStream("s", 1);
  h.Put("s", "old", "k");
  h.Ok("DeleteStream", R"({"StreamName":"s"})");
  EXPECT_EQ(h.Err("DescribeStream", R"({"StreamName":"s"})").code, "ResourceNotFoundException");
  h.CreateStream("s", 1);
  auto out = h.Get(h.Iterator("s", "shardId-000000000000", "TRIM_HORIZON"));
  EXPECT_TRUE(out["Records"].as_array().empty());
}

TEST(KinesisRecordsTest, PutAndGetRoundTrip) {
  KinesisHarness h;
  h.CreateStream("s", 1);
  const std::string binary("\x00\xff\x01payload", 10);
  auto first = h.Put("s", binary, "key-1");
  auto second = h.Put("s", "two", "key-2");
  EXPECT_EQ(Str(first["ShardId"]), "shardId-000000000000");
  EXPECT_EQ(Str(first["EncryptionType"]), "NONE");
  const std::string s1 = Str(first["SequenceNumber"]), s2 = Str(second["SequenceNumber"]);
  EXPECT_EQ(s1.size(), s2.size());
  EXPECT_LT(s1, s2);  // same width, so string order is numeric order
  auto out = h.Get(h.Iterator("s", "shardId-000000000000", "TRIM_HORIZON"));
  const auto& records = out["Records"].as_array();
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(Str(records[0].at("Data")), binary);
  EXPECT_EQ(Str(records[0].at("PartitionKey")), "key-1");
  EXPECT_EQ(Str(records[0].at("SequenceNumber")), s1);
  EXPECT_DOUBLE_EQ(records[0].at("ApproximateArrivalTimestamp").as_double(),
                   h.clock().NowMillis() / 1000.0);
  EXPECT_EQ(out["MillisBehindLatest"].as_int64(), 0);
  // The next iterator continues after the last record.
  h.Put("s", "three", "k");
  auto more = h.Get(Str(out["NextShardIterator"]));
  ASSERT_EQ(more["Records"].as_array().size(), 1u);
  EXPECT_EQ(Str(more["Records"].as_array()[0].at("Data")), "three");
}

// PutRecords stores a shard's records as one block (keyspace.h): every way of reading
// must still find each record on its own.
TEST(KinesisRecordsTest, BatchedRecordsAreReadOneByOne) {
  KinesisHarness h;
  h.CreateStream("s", 2);
  std::string records;
  for (int i = 0; i < 6; ++i) {  // a/b alternate between the two shards
    records += fmt::format(R"({}{{"Data":"{}","PartitionKey":"{}"}})", i ? "," : "",
                           B64(std::to_string(i)), i % 2 ? "b" : "a");
  }
  auto out = h.Ok("PutRecords", fmt::format(R"({{"StreamName":"s","Records":[{}]}})", records));
  const auto& results = out["Records"].as_array();
  ASSERT_EQ(results.size(), 6u);
  const std::string shard = "shardId-000000000000";
  auto data = [&](const json::object& page) {
    std::string text;
    for (const auto& r : page.at("Records").as_array()) text += Str(r.at("Data"));
    return text;
  };
  auto at = [&](const char* type, int record) {
    return h.Iterator("s", shard, type,
                      fmt::format(R"(,"StartingSequenceNumber":"{}")",
                                  Str(results[record].at("SequenceNumber"))));
  };
  auto page = h.Get(h.Iterator("s", shard, "TRIM_HORIZON"), 2);
  EXPECT_EQ(data(page), "02");
  page = h.Get(Str(page["NextShardIterator"]), 2);
  EXPECT_EQ(data(page), "4");
  EXPECT_EQ(data(h.Get(h.Iterator("s", "shardId-000000000001", "TRIM_HORIZON"))), "135");
  EXPECT_EQ(data(h.Get(at("AT_SEQUENCE_NUMBER", 2))), "24");
  EXPECT_EQ(data(h.Get(at("AFTER_SEQUENCE_NUMBER", 2))), "4");
  EXPECT_EQ(data(h.Get(at("AFTER_SEQUENCE_NUMBER", 4))), "");
  EXPECT_EQ(data(h.Get(h.Iterator("s", shard, "AT_TIMESTAMP", R"(,"Timestamp":1000)"))), "024");

  // After a restart, counters continue after the block's last record.
  h.Restart();
  const std::string next = Str(h.Put("s", "6", "a")["SequenceNumber"]);
  const std::string last = Str(results[4].at("SequenceNumber"));
  EXPECT_EQ(next.size(), last.size());
  EXPECT_GT(next, last);
  EXPECT_EQ(data(h.Get(h.Iterator("s", shard, "TRIM_HORIZON"))), "0246");
}

TEST(KinesisRecordsTest, RoutesByMd5AndExplicitHashKey) {
  KinesisHarness h;
  h.CreateStream("s", 2);
  // MD5("a") = 0cc175b9..., below 2^127: shard 0. MD5("b") = 92eb5ffe..., above: shard 1.
  EXPECT_EQ(Str(h.Put("s", "x", "a")["ShardId"]), "shardId-000000000000");
  EXPECT_EQ(Str(h.Put("s", "x", "b")["ShardId"]), "shardId-000000000001");
  auto explicit_key =
      h.Ok("PutRecord", R"({"StreamName":"s","Data":"","PartitionKey":"a",)"
                        R"("ExplicitHashKey":"340282366920938463463374607431768211455"})");
  EXPECT_EQ(Str(explicit_key["ShardId"]), "shardId-000000000001");
  auto err = h.Err("PutRecord", R"({"StreamName":"s","Data":"","PartitionKey":"a",)"
                                R"("ExplicitHashKey":"340282366920938463463374607431768211456"})");
  EXPECT_EQ(err.code, "InvalidArgumentException");
  EXPECT_EQ(err.message,
            "Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. "
            "Specified value was 340282366920938463463374607431768211456");
}

TEST(KinesisRecordsTest, PutRecordsPerRecordResultsAndLimits) {
  KinesisHarness h;
  h.CreateStream("s", 2);
  auto out = h.Ok("PutRecords", fmt::format(R"({{"StreamName":"s","Records":[)"
                                            R"({{"Data":"{}","PartitionKey":"a"}},)"
                                            R"({{"Data":"{}","PartitionKey":"b"}}]}})",
                                            B64("1"), B64("2")));
  EXPECT_EQ(out["FailedRecordCount"].as_int64(), 0);
  const auto& results = out["Records"].as_array();
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(Str(results[0].at("ShardId")), "shardId-000000000000");
  EXPECT_EQ(Str(results[1].at("ShardId")), "shardId-000000000001");
  // 1 MiB per record (data + key) by default.
  const std::string big(1 << 20, 'x');
  auto err = h.Err("PutRecord",
                   fmt::format(R"({{"StreamName":"s","Data":"{}","PartitionKey":"k"}})", B64(big)));
  EXPECT_EQ(err.code, "ValidationException");
  // 5 MiB per call.
  std::string records;
  const std::string chunk = B64(std::string(900 << 10, 'y'));
  for (int i = 0; i < 6; ++i) {
    records += fmt::format(R"({}{{"Data":"{}","PartitionKey":"k{}"}})", i ? "," : "", chunk, i);
  }
  err = h.Err("PutRecords", fmt::format(R"({{"StreamName":"s","Records":[{}]}})", records));
  EXPECT_EQ(err.code, "InvalidArgumentException");
  EXPECT_EQ(err.message, "Records size exceeds 5 MB limit");
}

TEST(KinesisRecordsTest, ThrottlingFailsExcessRecords) {
  KinesisOptions options;
  options.throttle = true;
  KinesisHarness h(options);
  h.CreateStream("s", 1);
  std::string records;
  for (int i = 0; i < 500; ++i)
    records += fmt::format(R"({}{{"Data":"","PartitionKey":"k"}})", i ? "," : "");
  const std::string body = fmt::format(R"({{"StreamName":"s","Records":[{}]}})", records);
  EXPECT_EQ(h.Ok("PutRecords", body)["FailedRecordCount"].as_int64(), 0);
  EXPECT_EQ(h.Ok("PutRecords", body)["FailedRecordCount"].as_int64(), 0);
  auto third = h.Ok("PutRecords", body);  // the bucket (1,000 records/s) is empty
  EXPECT_EQ(third["FailedRecordCount"].as_int64(), 500);
  const auto& failed = third["Records"].as_array()[0].as_object();
  EXPECT_EQ(Str(failed.at("ErrorCode")), "ProvisionedThroughputExceededException");
  EXPECT_EQ(Str(failed.at("ErrorMessage")),
            "Rate exceeded for shard shardId-000000000000 in stream s under account "
            "123456789012.");
  auto err = h.Err("PutRecord", R"({"StreamName":"s","Data":"","PartitionKey":"k"})");
  EXPECT_EQ(err.code, "ProvisionedThroughputExceededException");
  h.clock().AdvanceSeconds(1);
  h.Put("s", "again", "k");
  // 1 MiB/s of bytes: one ~1 MiB record empties the byte bucket.
  h.clock().AdvanceSeconds(1);
  h.Put("s", std::string((1 << 20) - 1, 'z'), "k");
  EXPECT_EQ(h.Err("PutRecord", R"({"StreamName":"s","Data":"eA==","PartitionKey":"k"})").code,
            "ProvisionedThroughputExceededException");
}

TEST(KinesisIteratorTest, IteratorTypes) {
  KinesisHarness h;
  h.CreateStream("s", 1);
  const std::string shard = "shardId-000000000000";
  auto r1 = h.Put("s", "1", "k");
  h.clock().AdvanceSeconds(10);
  const double between = h.clock().NowSeconds();
  h.clock().AdvanceSeconds(10);
  auto r2 = h.Put("s", "2", "k");
  const std::string latest = h.Iterator("s", shard, "LATEST");
  auto r3 = h.Put("s", "3", "k");
  auto data = [&](const std::string& it) {
    std::string out;
    const json::object page = h.Get(it);
    for (const auto& r : page.at("Records").as_array()) out += Str(r.at("Data"));
    return out;
  };
  EXPECT_EQ(data(h.Iterator("s", shard, "TRIM_HORIZON")), "123");
  EXPECT_EQ(data(latest), "3");
  EXPECT_EQ(
      data(h.Iterator("s", shard, "AT_SEQUENCE_NUMBER",
                      fmt::format(R"(,"StartingSequenceNumber":"{}")", Str(r2["SequenceNumber"])))),
      "23");
  EXPECT_EQ(
      data(h.Iterator("s", shard, "AFTER_SEQUENCE_NUMBER",
                      fmt::format(R"(,"StartingSequenceNumber":"{}")", Str(r2["SequenceNumber"])))),
      "3");
  EXPECT_EQ(
      data(h.Iterator("s", shard, "AT_TIMESTAMP", fmt::format(R"(,"Timestamp":{})", between))),
      "23");
  EXPECT_EQ(data(h.Iterator("s", shard, "AT_TIMESTAMP", R"(,"Timestamp":1000)")), "123");
  (void)r1;
  (void)r3;
}

TEST(KinesisIteratorTest, IteratorErrors) {
  KinesisHarness h;
  h.CreateStream("s", 2);
  h.CreateStream("t", 1);
  const std::string base = R"({"StreamName":"s","ShardId":"shardId-000000000000",)";
  auto err = h.Err("GetShardIterator", base + R"("ShardIteratorType":"AT_SEQUENCE_NUMBER"})");
  EXPECT_EQ(err.code, "InvalidArgumentException");
  EXPECT_EQ(err.message,
            "Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and "
            "StartingSequenceNumber or (2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. "
            "Request specified AT_SEQUENCE_NUMBER and no StartingSequenceNumber.");
  err = h.Err("GetShardIterator",
              base + R"("ShardIteratorType":"LATEST","StartingSequenceNumber":"5"})");
  EXPECT_NE(err.message.find("Request specified LATEST and also a StartingSequenceNumber."),
            std::string::npos);
  err = h.Err("GetShardIterator", base + R"("ShardIteratorType":"AT_TIMESTAMP"})");
  EXPECT_EQ(err.message,
            "Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. Current "
            "request has no timestamp parameter.");
  err = h.Err("GetShardIterator",
              base + R"("ShardIteratorType":"AT_SEQUENCE_NUMBER","StartingSequenceNumber":"5"})");
  EXPECT_EQ(err.message,
            "StartingSequenceNumber 5 used in GetShardIterator on shard shardId-000000000000 in "
            "stream s under account 123456789012 is invalid.");
  // A sequence number of shard 1 used on shard 0.
  const std::string other_shard = Str(h.Put("s", "x", "b")["SequenceNumber"]);
  err = h.Err("GetShardIterator", base + R"("ShardIteratorType":"AT_SEQUENCE_NUMBER",)" +
                                      R"("StartingSequenceNumber":")" + other_shard + R"("})");
  EXPECT_EQ(err.message,
            "Invalid StartingSequenceNumber. It encodes shardId-000000000001, while it was used "
            "in a call to a shard with shardId-000000000000");
  // A sequence number of another stream.
  const std::string other_stream = Str(h.Put("t", "x", "a")["SequenceNumber"]);
  err = h.Err("GetShardIterator", base + R"("ShardIteratorType":"AT_SEQUENCE_NUMBER",)" +
                                      R"("StartingSequenceNumber":")" + other_stream + R"("})");
  EXPECT_EQ(err.message, "StartingSequenceNumber " + other_stream +
                             " used in GetShardIterator on shard shardId-000000000000 in stream s "
                             "under account 123456789012 is invalid because it did not come "
                             "from this stream.");
  err = h.Err("GetShardIterator", R"({"StreamName":"s","ShardId":"shardId-000000000009",)"
                                  R"("ShardIteratorType":"LATEST"})");
  EXPECT_EQ(err.code, "ResourceNotFoundException");
  EXPECT_EQ(err.message,
            "Shard shardId-000000000009 in stream s under account 123456789012 does not exist");
  err = h.Err("GetShardIterator",
              R"({"StreamName":"s","ShardId":"ABKLFD8","ShardIteratorType":"LATEST"})");
  EXPECT_EQ(err.message, "Could not find shard ABKLFD8 in stream s under account 123456789012.");
  // Short shard ids are read as AWS reads them.
  h.Iterator("s", "shard-1", "LATEST");
}

TEST(KinesisIteratorTest, ExpiryAndGarbage) {
  KinesisHarness h;
  h.CreateStream("s", 1);
  const std::string it = h.Iterator("s", "shardId-000000000000", "TRIM_HORIZON");
  h.clock().SetMicros(1'700'000'000'000'000 + 300'000'001);
  auto err = h.Err("GetRecords", fmt::format(R"({{"ShardIterator":"{}"}})", it));
  EXPECT_EQ(err.code, "ExpiredIteratorException");
  EXPECT_EQ(err.message,
            "Iterator expired. The iterator was created at time Tue Nov 14 22:13:20 UTC 2023 "
            "while right now it is Tue Nov 14 22:18:20 UTC 2023 which is further in the future "
            "than the tolerated delay of 300000 milliseconds.");
  err = h.Err("GetRecords", R"({"ShardIterator":"bm90IGFuIGl0ZXJhdG9y"})");
  EXPECT_EQ(err.code, "InvalidArgumentException");
  EXPECT_EQ(err.message, "Invalid ShardIterator.");
  // A flipped byte breaks the checksum.
  std::string tampered = h.Iterator("s", "shardId-000000000000", "TRIM_HORIZON");
  tampered[5] = tampered[5] == 'A' ? 'B' : 'A';
  EXPECT_EQ(h.Err("GetRecords", fmt::format(R"({{"ShardIterator":"{}"}})", tampered)).message,
            "Invalid ShardIterator.");
  // An iterator of a deleted stream.
  const std::string live = h.Iterator("s", "shardId-000000000000", "TRIM_HORIZON");
  h.Ok("DeleteStream", R"({"StreamName":"s"})");
  err = h.Err("GetRecords", fmt::format(R"({{"ShardIterator":"{}"}})", live));
  EXPECT_EQ(err.code, "ResourceNotFoundException");
}

TEST(KinesisIteratorTest, LimitAndMillisBehind) {
  KinesisHarness h;
  h.CreateStream("s", 1);
  for (int i = 0; i < 5; ++i) h.Put("s", std::to_string(i), "k");
  h.clock().AdvanceSeconds(2);
  auto page = h.Get(h.Iterator("s", "shardId-000000000000", "TRIM_HORIZON"), 2);
  EXPECT_EQ(page["Records"].as_array().size(), 2u);
  EXPECT_EQ(page["MillisBehindLatest"].as_int64(), 2000);
  auto rest = h.Get(Str(page["NextShardIterator"]));
  EXPECT_EQ(rest["Records"].as_array().size(), 3u);
  EXPECT_EQ(rest["MillisBehindLatest"].as_int64(), 0);
}

TEST(KinesisIteratorTest, RecordListenerSeesCommits) {
  KinesisHarness h;
  h.CreateStream("s", 1);
  std::atomic<uint64_t> last{0};
  std::atomic<int> calls{0};
  const uint64_t id = h.service().AddRecordListener([&](const RecordsCommitted& c) {
    last = c.last_counter;
    ++calls;
    EXPECT_EQ(c.stream_arn, "arn:aws:kinesis:us-east-1:123456789012:stream/s");
  });
  h.Put("s", "a", "k");
  h.Put("s", "b", "k");
  EXPECT_EQ(calls.load(), 2);
  EXPECT_EQ(last.load(), 2u);
  h.service().RemoveRecordListener(id);
  h.Put("s", "c", "k");
  EXPECT_EQ(calls.load(), 2);
}

}  // namespace
}  // namespace tidepool::kinesis::testing
