// Pure encodings: hash keys, sequence numbers, shard iterators, next tokens, record values.
#include <gtest/gtest.h>

#include "services/kinesis/hash_key.h"
#include "services/kinesis/keyspace.h"
#include "services/kinesis/next_token.h"
#include "services/kinesis/sequence_number.h"
#include "services/kinesis/shard_iterator.h"
#include "services/kinesis/stream.h"

namespace tidepool::kinesis {
namespace {

TEST(HashKeyTest, ParseFormatBounds) {
  EXPECT_EQ(FormatHashKey(kMaxHashKey), "340282366920938463463374607431768211455");
  EXPECT_EQ(ParseHashKey("340282366920938463463374607431768211455"), kMaxHashKey);
  EXPECT_FALSE(ParseHashKey("340282366920938463463374607431768211456"));
  EXPECT_FALSE(ParseHashKey(""));
  EXPECT_FALSE(ParseHashKey("12a"));
  EXPECT_EQ(ParseHashKey("0"), HashKey{0});
  EXPECT_EQ(FormatHashKey(0), "0");
}

TEST(HashKeyTest, PartitionKeyIsMd5BigEndian) {
  // MD5("") = d41d8cd98f00b204e9800998ecf8427e.
  EXPECT_EQ(FormatHashKey(PartitionKeyHash("")), "281949768489412648962353822266799178366");
}

TEST(HashKeyTest, SplitEvenly) {
  auto one = SplitHashRange(0, kMaxHashKey, 1);
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].second, kMaxHashKey);
  auto two = SplitHashRange(0, kMaxHashKey, 2);
  EXPECT_EQ(FormatHashKey(two[0].second), "170141183460469231731687303715884105727");
  EXPECT_EQ(FormatHashKey(two[1].first), "170141183460469231731687303715884105728");
  auto many = SplitHashRange(0, kMaxHashKey, 7);
  for (size_t i = 1; i < many.size(); ++i) EXPECT_EQ(many[i].first, many[i - 1].second + 1);
  EXPECT_EQ(many.back().second, kMaxHashKey);
  auto tiny = SplitHashRange(10, 12, 3);
  EXPECT_EQ(tiny[2].first, HashKey{12});
}

TEST(SequenceNumberTest, RoundTripOrderAndRejection) {
  SequenceNumber a{0xdeadbeef, 17, 41};
  SequenceNumber b{0xdeadbeef, 17, 42};
  const std::string sa = a.ToString(), sb = b.ToString();
  EXPECT_EQ(sa.size(), 38u);
  EXPECT_LT(sa, sb);
  auto parsed = SequenceNumber::Parse(sa);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->stream_tag, 0xdeadbeefu);
  EXPECT_EQ(parsed->shard_index, 17u);
  EXPECT_EQ(parsed->counter, 41u);
  std::string broken = sa;
  broken.back() = broken.back() == '0' ? '1' : '0';
  EXPECT_FALSE(SequenceNumber::Parse(broken));
  EXPECT_FALSE(SequenceNumber::Parse("5"));
  EXPECT_FALSE(SequenceNumber::Parse("49590338271490256608559692538361571095921575989136588898"));
}

TEST(ShardIteratorTest, RoundTripAndGarbage) {
  ShardIterator it{7, 3, 99, 1'700'000'000'000'000, "orders"};
  auto back = ShardIterator::Decode(it.Encode());
  ASSERT_TRUE(back);
  EXPECT_EQ(back->stream_uid, 7u);
  EXPECT_EQ(back->shard_index, 3u);
  EXPECT_EQ(back->position, 99u);
  EXPECT_EQ(back->created_micros, it.created_micros);
  EXPECT_EQ(back->stream_name, "orders");
  EXPECT_FALSE(ShardIterator::Decode("AAAA"));
  EXPECT_FALSE(ShardIterator::Decode("not base64!"));
  const ShardIterator longest{1, 1, 1, 1, std::string(128, 'n')};
  EXPECT_LE(longest.Encode().size(), 512u);
}

TEST(NextTokenTest, RoundTrip) {
  NextToken t{'s', 123, "name"};
  auto back = NextToken::Decode(t.Encode());
  ASSERT_TRUE(back);
  EXPECT_EQ(back->kind, 's');
  EXPECT_EQ(back->payload, "name");
  EXPECT_FALSE(NextToken::Decode("Zm9v"));
}

TEST(KeyspaceTest, RecordKeysSortByCounterAndValuesRoundTrip) {
  EXPECT_LT(keyspace::RecordKey(1, 0, 255), keyspace::RecordKey(1, 0, 256));
  EXPECT_LT(keyspace::RecordKey(1, 0, UINT64_MAX), keyspace::RecordKey(1, 1, 0));
  EXPECT_LT(keyspace::RecordKey(1, 9, 0), keyspace::StreamRecordsEnd(1));
  EXPECT_EQ(keyspace::ParseRecordCounter(keyspace::RecordKey(1, 2, 3)), 3u);
  std::string value;
  keyspace::AppendRecordValue(&value, 1234, true, "pk", std::string("d\0ta", 4));
  auto view = keyspace::ParseRecordValue(value);
  ASSERT_TRUE(view);
  EXPECT_EQ(view->arrival_micros, 1234);
  EXPECT_TRUE(view->encrypted);
  EXPECT_EQ(view->partition_key, "pk");
  EXPECT_EQ(view->data, std::string_view("d\0ta", 4));
  EXPECT_FALSE(keyspace::ParseRecordValue("short"));
}

TEST(ShardIdTest, ParsedAsAws) {
  EXPECT_EQ(ParseShardId("shardId-000000000007"), 7u);
  EXPECT_EQ(ParseShardId("5"), 5u);
  EXPECT_EQ(ParseShardId("a-00002147483647"), 2147483647u);
  EXPECT_FALSE(ParseShardId("2147483648"));
  EXPECT_FALSE(ParseShardId("2.14E4"));
  EXPECT_EQ(ShardIdOf(12), "shardId-000000000012");
}

}  // namespace
}  // namespace tidepool::kinesis
