// Recovery from a store that holds every Kinesis record kind, and the seed images of the
// kinesis_recovery fuzz target (written when TIDEPOOL_WRITE_RECOVERY_SEEDS names a directory).
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "services/kinesis/keyspace.h"
#include "services/kinesis/kinesis_test_harness.h"
#include "storage/store_image.h"

namespace tidepool::kinesis::testing {
namespace {

constexpr std::string_view kRoot{"kinesis\0", 8};
constexpr std::string_view kArn = "arn:aws:kinesis:us-east-1:123456789012:stream/zoo";

// Every Kinesis record kind, and every field of a stream's metadata set: a resharded stream
// (closed parent), single and batched records, a consumer, a resource policy, tags,
// retention, encryption, monitoring, and account settings.
void BuildZoo(KinesisHarness& h) {
  h.CreateStream("zoo", 1);
  h.Put("zoo", "one", "k");
  h.Ok("PutRecords", R"({"StreamName":"zoo","Records":[{"Data":"AA==","PartitionKey":"a"},)"
                     R"({"Data":"AQ==","PartitionKey":"b"}]})");
  h.Ok("SplitShard", R"({"StreamName":"zoo","ShardToSplit":"shardId-000000000000",)"
                     R"("NewStartingHashKey":"170141183460469231731687303715884105728"})");
  h.Put("zoo", "child", "k");
  h.Ok("RegisterStreamConsumer", fmt::format(R"({{"StreamARN":"{}","ConsumerName":"c"}})", kArn));
  h.Ok("PutResourcePolicy",
       fmt::format(R"({{"ResourceARN":"{}","Policy":"{{\"Version\":\"2012-10-17\"}}"}})", kArn));
  h.Ok("AddTagsToStream", R"({"StreamName":"zoo","Tags":{"team":"a"}})");
  h.Ok("IncreaseStreamRetentionPeriod", R"({"StreamName":"zoo","RetentionPeriodHours":48})");
  h.Ok("StartStreamEncryption", R"({"StreamName":"zoo","EncryptionType":"KMS","KeyId":"alias/k"})");
  h.Ok("EnableEnhancedMonitoring", R"({"StreamName":"zoo","ShardLevelMetrics":["ALL"]})");
  h.Ok("UpdateAccountSettings", R"({"MinimumThroughputBillingCommitment":{"Status":"ENABLED"}})");
  for (const auto& kind : keyspace::RecordKinds()) {
    EXPECT_GT(storage::CountRecords(h.store(), kind.prefix), 0u)
        << "no record of kind " << kind.name;
  }
}

TEST(KinesisRecoveryImageTest, AnImageOfEveryKindRecoversAndSeedsTheFuzzer) {
  KinesisHarness h;
  BuildZoo(h);
  const std::string image = storage::StoreImageOf(h.store(), kRoot);
  storage::MemoryStore copy;
  ASSERT_TRUE(copy.Write(storage::StoreImageBatch(image, kRoot), false).ok());
  EXPECT_EQ(storage::CountRecords(copy, kRoot), storage::CountRecords(h.store(), kRoot));
  {
    boost::asio::io_context idle;
    FakeClock clock;
    storage::CommitQueue commits(copy, storage::Durability::kMemory);
    KinesisService recovered(copy, commits, clock, idle, KinesisOptions{});
    ASSERT_TRUE(recovered.Recover().ok());
    EXPECT_EQ(recovered.Health().at("streams"), 1);
    commits.Flush();
  }
  storage::MaybeWriteSeedImage("kinesis_recovery", image);
}

TEST(KinesisRecoveryImageTest, AnUnreadableStreamIsSkippedAndItsUidNotReused) {
  KinesisHarness h;
  h.CreateStream("kept", 1);
  h.CreateStream("damaged", 1);
  // The second stream's metadata (uid 2) becomes unreadable.
  storage::WriteBatch damage;
  damage.Put(keyspace::StreamKey(2), "{not json");
  damage.Put(keyspace::NextUidKey(), "x");
  ASSERT_TRUE(h.store().Write(damage, false).ok());
  h.Restart();
  auto names = h.Ok("ListStreams", "{}")["StreamNames"].as_array();
  ASSERT_EQ(names.size(), 1u);
  EXPECT_EQ(names[0], "kept");
  h.CreateStream("new", 1);
  // The new stream got a fresh uid: its metadata is not at the damaged stream's key.
  auto damaged = h.store().Get(keyspace::StreamKey(2));
  ASSERT_TRUE(damaged.ok() && damaged->has_value());
  EXPECT_EQ(**damaged, "{not json");
}

}  // namespace
}  // namespace tidepool::kinesis::testing
