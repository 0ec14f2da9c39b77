// Recovery from a store that holds every SNS record kind, and the seed images of the
// sns_recovery fuzz target (written when TIDEPOOL_WRITE_RECOVERY_SEEDS names a directory).
#include <gtest/gtest.h>

#include "services/sns/keyspace.h"
#include "services/sns/sns_test_harness.h"
#include "storage/store_image.h"

namespace tidepool::sns::testing {
namespace {

constexpr std::string_view kRoot{"sns\0", 4};
constexpr std::string_view kQueue = "arn:aws:sqs:us-east-1:123456789012:q";

// Every SNS record kind: standard and FIFO topics with subscriptions of each protocol (an
// http one pending confirmation), a removed subscription, FIFO counters and deduplication
// records, and outbox entries (no delivery engine runs here, so they stay).
void BuildZoo(SnsHarness& h) {
  const std::string topic = h.CreateTopic("zoo");
  h.Subscribe(topic, "sqs", kQueue, R"({"RawMessageDelivery":"true"})");
  h.Subscribe(topic, "lambda", "arn:aws:lambda:us-east-1:123456789012:function:f");
  h.Subscribe(topic, "http", "http://127.0.0.1:9/pending");
  const std::string gone = h.Subscribe(topic, "sqs", "arn:aws:sqs:us-east-1:123456789012:gone");
  h.Ok("Unsubscribe", fmt::format(R"({{"SubscriptionArn":"{}"}})", gone));
  h.Ok("Publish", fmt::format(R"({{"TopicArn":"{}","Message":"m","Subject":"s"}})", topic));
  const std::string fifo = h.CreateTopic("zoo.fifo", R"({"FifoTopic":"true"})");
  h.Subscribe(fifo, "sqs", "arn:aws:sqs:us-east-1:123456789012:q.fifo");
  h.Ok("Publish", fmt::format(R"({{"TopicArn":"{}","Message":"f","MessageGroupId":"g",)"
                              R"("MessageDeduplicationId":"d"}})",
                              fifo));
  h.commits().Flush();
  for (const auto& kind : keyspace::RecordKinds()) {
    EXPECT_GT(storage::CountRecords(h.store(), kind.prefix), 0u)
        << "no record of kind " << kind.name;
  }
}

TEST(SnsRecoveryImageTest, AnImageOfEveryKindRecoversAndSeedsTheFuzzer) {
  SnsHarness h;
  BuildZoo(h);
  const std::string image = storage::StoreImageOf(h.store(), kRoot);
  storage::MemoryStore copy;
  ASSERT_TRUE(copy.Write(storage::StoreImageBatch(image, kRoot), false).ok());
  EXPECT_EQ(storage::CountRecords(copy, kRoot), storage::CountRecords(h.store(), kRoot));
  {
    FakeClock clock;
    storage::CommitQueue commits(copy, storage::Durability::kMemory);
    SnsService recovered(copy, commits, clock, SnsOptions{});
    ASSERT_TRUE(recovered.Recover().ok());
    EXPECT_EQ(recovered.Health().at("topics"), 2);
    auto outbox = recovered.LoadOutbox();
    ASSERT_TRUE(outbox.ok());
    EXPECT_EQ(outbox->size(), storage::CountRecords(copy, keyspace::OutboxPrefix()));
    commits.Flush();
  }
  storage::MaybeWriteSeedImage("sns_recovery", image);
}

TEST(SnsRecoveryImageTest, UnreadableTopicsAndOutboxEntriesAreSkipped) {
  SnsHarness h;
  BuildZoo(h);
  const size_t outbox = storage::CountRecords(h.store(), keyspace::OutboxPrefix());
  storage::WriteBatch damage;
  damage.Put(keyspace::TopicKey("arn:aws:sns:us-east-1:123456789012:broken"), "{");
  damage.Put(keyspace::OutboxKey(1), "not a delivery");
  ASSERT_TRUE(h.store().Write(damage, false).ok());
  h.Restart();  // before: Recover failed with Corruption, and the server would not start
  EXPECT_EQ(h.service().Health().at("topics"), 2);
  auto loaded = h.service().LoadOutbox();
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->size(), outbox - 1);
}

}  // namespace
}  // namespace tidepool::sns::testing
