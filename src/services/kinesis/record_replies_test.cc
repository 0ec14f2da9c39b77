// The hand-written record replies must be the documents the model codec writes from the
// equivalent output objects (compared as parsed JSON: member order may differ).
#include "services/kinesis/record_replies.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "protocol/codec/json_codec.h"
#include "protocol/model/models.h"
#include "services/kinesis/hash_key.h"
#include "services/kinesis/stream.h"

namespace tidepool::kinesis {
namespace {
namespace json = boost::json;

json::value ByCodec(std::string_view operation, const json::object& output) {
  const auto& model = protocol::model::KinesisModel();
  const auto* op = model.FindOperation(operation);
  EXPECT_NE(op, nullptr);
  return json::parse(protocol::json_codec::EncodeOutput(model, *op, output));
}

TEST(RecordRepliesTest, PutRecordMatchesTheCodec) {
  for (bool encrypted : {false, true}) {
    auto fast = PutRecordReply("shardId-000000000003", "4960", encrypted);
    json::object expected{{"ShardId", "shardId-000000000003"},
                          {"SequenceNumber", "4960"},
                          {"EncryptionType", encrypted ? "KMS" : "NONE"}};
    EXPECT_EQ(json::parse(fast.body), ByCodec("PutRecord", expected)) << fast.body;
  }
}

TEST(RecordRepliesTest, PutRecordsMatchesTheCodec) {
  const SequenceNumber first{7, 0, 1}, second{7, 1, 2};
  PutRecordsReply reply(3);
  reply.AddSuccess(first, "shardId-000000000000");
  reply.AddFailure("ProvisionedThroughputExceededException", "Rate \"exceeded\" for shard");
  reply.AddSuccess(second, "shardId-000000000001");
  auto fast = std::move(reply).Finish(false);
  json::object expected{
      {"FailedRecordCount", 1},
      {"Records", json::array{json::object{{"SequenceNumber", first.ToString()},
                                           {"ShardId", "shardId-000000000000"}},
                              json::object{{"ErrorCode", "ProvisionedThroughputExceededException"},
                                           {"ErrorMessage", "Rate \"exceeded\" for shard"}},
                              json::object{{"SequenceNumber", second.ToString()},
                                           {"ShardId", "shardId-000000000001"}}}},
      {"EncryptionType", "NONE"}};
  EXPECT_EQ(json::parse(fast.body), ByCodec("PutRecords", expected)) << fast.body;

  auto empty = PutRecordsReply(0);
  EXPECT_EQ(json::parse(std::move(empty).Finish(true).body),
            ByCodec("PutRecords", json::object{{"FailedRecordCount", 0},
                                               {"Records", json::array()},
                                               {"EncryptionType", "KMS"}}));
}

TEST(RecordRepliesTest, GetRecordsMatchesTheCodec) {
  GetRecordsReply reply;
  const std::string binary("\x00\xff\n\"x", 5);
  const SequenceNumber first{3, 2, 49}, second{3, 2, 50};
  reply.AddRecord(first, 1'732'261'234'567'891, binary, "key \"1\"", false);
  reply.AddRecord(second, 1'732'261'234'568'000, "", "k\xc3\xa9", true);
  EXPECT_EQ(reply.records(), 2u);
  auto fast = std::move(reply).Finish("AAAA", 12);
  json::object expected{
      {"Records", json::array{json::object{{"SequenceNumber", first.ToString()},
                                           {"ApproximateArrivalTimestamp", 1732261234.567},
                                           {"Data", binary},
                                           {"PartitionKey", "key \"1\""}},
                              json::object{{"SequenceNumber", second.ToString()},
                                           {"ApproximateArrivalTimestamp", 1732261234.568},
                                           {"Data", ""},
                                           {"PartitionKey", "k\xc3\xa9"},
                                           {"EncryptionType", "KMS"}}}},
      {"NextShardIterator", "AAAA"},
      {"MillisBehindLatest", 12}};
  EXPECT_EQ(json::parse(fast.body), ByCodec("GetRecords", expected)) << fast.body;
}

// A long page: consecutive numbers (written by adding to the previous digits), arrival
// times shared by runs of records, and a jump to another stream and shard in between.
TEST(RecordRepliesTest, LongGetRecordsPagesMatchTheCodec) {
  GetRecordsReply reply;
  json::array records;
  for (uint64_t i = 0; i < 600; ++i) {
    const SequenceNumber seq = i == 300 ? SequenceNumber{9, 1, 5} : SequenceNumber{3, 2, 990 + i};
    const int64_t arrival = 1'732'261'234'000'000 + static_cast<int64_t>(i / 7) * 1'500;
    reply.AddRecord(seq, arrival, "d", "k", false);
    records.push_back(json::object{{"SequenceNumber", seq.ToString()},
                                   {"ApproximateArrivalTimestamp", (arrival / 1000) / 1000.0},
                                   {"Data", "d"},
                                   {"PartitionKey", "k"}});
  }
  auto fast = std::move(reply).Finish("AAAA", 0);
  json::object expected{
      {"Records", records}, {"NextShardIterator", "AAAA"}, {"MillisBehindLatest", 0}};
  EXPECT_EQ(json::parse(fast.body), ByCodec("GetRecords", expected));
}

// Records of many shards interleaved, more shards than the reply keeps writers for.
TEST(RecordRepliesTest, PutRecordsOverManyShardsMatchesTheCodec) {
  PutRecordsReply reply(100);
  json::array records;
  for (uint32_t i = 0; i < 100; ++i) {
    const SequenceNumber seq{7, i % 20, 1000 + i / 20};
    reply.AddSuccess(seq, ShardIdOf(seq.shard_index));
    records.push_back(
        json::object{{"SequenceNumber", seq.ToString()}, {"ShardId", ShardIdOf(seq.shard_index)}});
  }
  auto fast = std::move(reply).Finish(false);
  json::object expected{{"FailedRecordCount", 0}, {"Records", records}, {"EncryptionType", "NONE"}};
  EXPECT_EQ(json::parse(fast.body), ByCodec("PutRecords", expected));
}

TEST(RecordRepliesTest, GetRecordsAtAClosedShardsEndMatchesTheCodec) {
  GetRecordsReply reply;
  json::array children{json::object{
      {"ShardId", "shardId-000000000002"},
      {"ParentShards", json::array{"shardId-000000000000"}},
      {"HashKeyRange", json::object{{"StartingHashKey", "0"}, {"EndingHashKey", "99"}}}}};
  auto fast = std::move(reply).FinishClosed(children, 0);
  json::object expected{
      {"Records", json::array()}, {"ChildShards", children}, {"MillisBehindLatest", 0}};
  EXPECT_EQ(json::parse(fast.body), ByCodec("GetRecords", expected)) << fast.body;
}

TEST(RecordRepliesTest, SubscribeToShardEventsMatchTheCodec) {
  const auto& model = protocol::model::KinesisModel();
  const uint16_t shape = model.FindShape("SubscribeToShardEvent");
  const SequenceNumber seq{7, 0, 3};
  GetRecordsReply reply(1);
  reply.AddRecord(seq, 1'500'123'000, "data", "key", false);
  const std::string fast = std::move(reply).FinishEvent(seq.ToString(), nullptr, 12);
  json::object expected{
      {"Records", json::array{json::object{{"SequenceNumber", seq.ToString()},
                                           {"ApproximateArrivalTimestamp", 1500.123},
                                           {"Data", "data"},
                                           {"PartitionKey", "key"}}}},
      {"ContinuationSequenceNumber", seq.ToString()},
      {"MillisBehindLatest", 12}};
  EXPECT_EQ(json::parse(fast),
            json::parse(protocol::json_codec::EncodeBodyMembers(model, shape, expected)))
      << fast;

  json::array children{json::object{{"ShardId", "shardId-000000000002"},
                                    {"ParentShards", json::array{"shardId-000000000000"}}}};
  const std::string last = GetRecordsReply().FinishEvent("", &children, 0);
  json::object closed{
      {"Records", json::array()}, {"ChildShards", children}, {"MillisBehindLatest", 0}};
  EXPECT_EQ(json::parse(last),
            json::parse(protocol::json_codec::EncodeBodyMembers(model, shape, closed)))
      << last;
}

TEST(RecordRepliesTest, ShardIdsAndHashKeysFormatWithoutFmt) {
  EXPECT_EQ(ShardIdOf(0), "shardId-000000000000");
  EXPECT_EQ(ShardIdOf(42), "shardId-000000000042");
  EXPECT_EQ(ShardIdOf(4294967295u), "shardId-004294967295");
  EXPECT_EQ(FormatHashKey(HashKey{10'000'000'000'000'000'000ULL}), "10000000000000000000");
  EXPECT_EQ(FormatHashKey(HashKey{9'999'999'999'999'999'999ULL}), "9999999999999999999");
  EXPECT_EQ(FormatHashKey(HashKey{1} << 64), "18446744073709551616");
}

// Digit by digit, the obvious way: the reference for the chunked formatter.
std::string NaiveDecimal(HashKey v) {
  std::string digits;
  do {
    digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(v % 10)));
    v /= 10;
  } while (v != 0);
  return digits;
}

TEST(RecordRepliesTest, HashKeysFormatLikeTheNaiveWayEverywhere) {
  std::vector<HashKey> values = {0, 1, 9, 10, kMaxHashKey, kMaxHashKey - 1, HashKey{1} << 127};
  HashKey p10 = 1;
  for (int i = 0; i < 38; ++i) {
    p10 *= 10;
    for (HashKey v : {p10 - 1, p10, p10 + 1, p10 * 3 + 7}) values.push_back(v);
  }
  std::mt19937_64 rng(7);
  for (int i = 0; i < 100000; ++i) {
    HashKey v = (static_cast<HashKey>(rng()) << 64) | rng();
    values.push_back(v >> (rng() % 128));  // every magnitude
  }
  for (HashKey v : values) {
    const std::string text = FormatHashKey(v);
    ASSERT_EQ(text, NaiveDecimal(v));
    ASSERT_EQ(ParseHashKey(text), v);
  }
}

}  // namespace
}  // namespace tidepool::kinesis
