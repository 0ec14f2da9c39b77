// Pure encodings: hash keys, sequence numbers, shard iterators, next tokens, record values.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <random>
#include <vector>

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

// Sequence numbers are stored by clients (checkpoints): their text must never change.
TEST(SequenceNumberTest, TextIsStable) {
  EXPECT_EQ((SequenceNumber{1, 0, 1}.ToString()), "42535295870069068090063347028567523679");
  EXPECT_EQ((SequenceNumber{7, 3, 123456789}.ToString()), "42535295899779643200011922266687083813");
  EXPECT_EQ((SequenceNumber{UINT32_MAX, kMaxShardIndex, UINT64_MAX}.ToString()),
            "63802943797675961899382738893456539567");
  EXPECT_EQ((SequenceNumber{42, 5, 0}.ToString()), "42535296073091258144698126460249964717");
}

TEST(SequenceNumberTest, WriterMatchesWriteTo) {
  std::vector<SequenceNumber> numbers;
  for (uint64_t c = 0; c < 3000; ++c) numbers.push_back({1, 0, c});      // consecutive
  for (uint64_t c = 0; c < 50; ++c) numbers.push_back({1, 0, c * 997});  // jumps, decreasing
  numbers.push_back({UINT32_MAX, kMaxShardIndex, UINT64_MAX - 1});       // the largest
  numbers.push_back({UINT32_MAX, kMaxShardIndex, UINT64_MAX});
  numbers.push_back({0, 0, 0});  // the smallest, after the largest
  std::mt19937_64 rng(3);
  for (int i = 0; i < 20000; ++i) {
    const SequenceNumber& prev = numbers.back();
    numbers.push_back(
        rng() % 4
            ? SequenceNumber{prev.stream_tag, prev.shard_index, prev.counter + 1 + rng() % 3}
            : SequenceNumber{static_cast<uint32_t>(rng()),
                             static_cast<uint32_t>(rng()) & kMaxShardIndex, rng() >> (rng() % 64)});
  }
  SequenceNumberWriter writer;
  for (const SequenceNumber& seq : numbers) {
    char text[kMaxHashKeyChars];
    ASSERT_EQ(std::string(text, writer.Write(seq, text)), seq.ToString())
        << seq.stream_tag << "/" << seq.shard_index << "/" << seq.counter;
  }
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
  // One family per shard: the key without its counter.
  const std::string record = keyspace::RecordKey(1, 2, 3);
  ASSERT_EQ(keyspace::FamilyLength(record), record.size() - 8);
  EXPECT_EQ(record.substr(0, record.size() - 8),
            keyspace::RecordKey(1, 2, 99).substr(0, record.size() - 8));
  EXPECT_NE(record.substr(0, record.size() - 8),
            keyspace::RecordKey(1, 3, 3).substr(0, record.size() - 8));
  EXPECT_EQ(keyspace::FamilyLength(keyspace::StreamKey(1)), 0u);
  EXPECT_EQ(keyspace::FamilyLength(keyspace::StreamRecordsBegin(1)), 0u);
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

// Walks a stored record entry into "counter:data" pairs.
using std::string_literals::operator""s;

std::string Walk(std::string_view key, std::string_view value, uint64_t skip_before = 0) {
  auto cursor = keyspace::RecordCursor::Open(key, value);
  if (!cursor) return "invalid";
  cursor->SkipBefore(skip_before);
  std::string out;
  uint64_t counter;
  keyspace::RecordView record;
  while (cursor->Next(&counter, &record)) {
    out += fmt::format("{}:{}@{}{} ", counter, record.data, record.arrival_micros,
                       record.encrypted ? "e" : "");
  }
  return out;
}

TEST(KeyspaceTest, RecordBlocksHoldConsecutiveCountersEndingAtTheKey) {
  std::string block;
  keyspace::AppendToRecordBlock(&block, 10, false, "pk", "a");
  keyspace::AppendToRecordBlock(&block, 11, true, "pk2", "");
  keyspace::AppendToRecordBlock(&block, 12, false, "", std::string("c\0", 2));
  const std::string value = keyspace::FinishRecordBlock(block);
  EXPECT_EQ(value, block);
  const std::string key = keyspace::RecordKey(1, 0, 7);
  EXPECT_EQ(Walk(key, value), "5:a@10 6:@11e 7:c\0@12 "s);
  EXPECT_EQ(Walk(key, value, 6), "6:@11e 7:c\0@12 "s);
  EXPECT_EQ(Walk(key, value, 8), "");
  auto cursor = keyspace::RecordCursor::Open(key, value);
  ASSERT_TRUE(cursor);
  EXPECT_EQ(cursor->last_counter(), 7u);

  // A block of one record is stored as the plain value PutRecord writes.
  std::string one;
  keyspace::AppendToRecordBlock(&one, 5, false, "k", "x");
  std::string plain;
  keyspace::AppendRecordValue(&plain, 5, false, "k", "x");
  EXPECT_EQ(keyspace::FinishRecordBlock(one), plain);
  EXPECT_EQ(Walk(keyspace::RecordKey(1, 0, 0), plain), "0:x@5 ");
}

TEST(KeyspaceTest, MalformedRecordEntriesEndTheWalk) {
  std::string block;
  keyspace::AppendToRecordBlock(&block, 1, false, "k", "a");
  keyspace::AppendToRecordBlock(&block, 2, false, "k", "b");
  // More records than counters below the key.
  EXPECT_EQ(Walk(keyspace::RecordKey(1, 0, 0), block), "invalid");
  EXPECT_EQ(Walk("not a record key", block), "invalid");
  EXPECT_EQ(Walk(keyspace::RecordKey(1, 0, 1), std::string_view(block).substr(0, 3)), "invalid");
  // A truncated last entry: the first record is still read, then the walk ends.
  EXPECT_EQ(Walk(keyspace::RecordKey(1, 0, 1), std::string_view(block).substr(0, block.size() - 1)),
            "0:a@1 ");
  // An entry whose size is zero or past the end.
  std::string zero = block;
  zero[5] = zero[6] = zero[7] = zero[8] = 0;
  EXPECT_EQ(Walk(keyspace::RecordKey(1, 0, 1), zero), "");
  // A count that claims more entries than there are.
  std::string extra = block;
  extra[4] = 3;
  EXPECT_EQ(Walk(keyspace::RecordKey(1, 0, 9), extra), "7:a@1 8:b@2 ");
  // The largest counter does not wrap.
  EXPECT_EQ(Walk(keyspace::RecordKey(1, 0, UINT64_MAX), block, UINT64_MAX),
            fmt::format("{}:b@2 ", UINT64_MAX));
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
