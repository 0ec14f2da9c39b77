// Recovery from a store that holds every SQS record kind, and the seed images of the
// sqs_recovery fuzz target (written when TIDEPOOL_WRITE_RECOVERY_SEEDS names a directory).
#include "services/sqs/sqs_test_fixture.h"
#include "storage/store_image.h"

namespace tidepool::sqs {
namespace {

namespace json = boost::json;

constexpr std::string_view kRoot{"sqs\0", 4};

class SqsRecoveryImageTest : public SqsTest {
 protected:
  // Every SQS record kind: queues (standard, FIFO, a DLQ with redrive), messages in flight,
  // delayed and visible, their state records, FIFO dedup records and a receive attempt, and
  // a move task.
  void BuildZoo() {
    const std::string dlq = CreateQueue("zoo-dlq");
    const std::string src = CreateQueue(
        "zoo-src",
        json::object{
            {"RedrivePolicy",
             R"({"deadLetterTargetArn":"arn:aws:sqs:us-east-1:123456789012:zoo-dlq","maxReceiveCount":1})"}});
    Ok(Call("TagQueue", json::object{{"QueueUrl", src}, {"Tags", {{"team", "a"}}}}));
    for (int i = 0; i < 3; ++i) Send(src, "poison" + std::to_string(i));
    ASSERT_EQ(
        Receive(src, json::object{{"MaxNumberOfMessages", 10}, {"VisibilityTimeout", 0}}).size(),
        3u);
    ASSERT_TRUE(Receive(src, json::object{{"MaxNumberOfMessages", 10}}).empty());  // to the DLQ
    Send(src, "in flight");
    ASSERT_EQ(Receive(src, json::object{{"VisibilityTimeout", 600}}).size(), 1u);
    Send(src, "delayed", json::object{{"DelaySeconds", 900}});
    Send(src, "visible");
    const std::string fifo = CreateQueue(
        "zoo.fifo", json::object{{"FifoQueue", "true"}, {"ContentBasedDeduplication", "true"}});
    Send(fifo, "f1", json::object{{"MessageGroupId", "g"}});
    Send(fifo, "f2", json::object{{"MessageGroupId", "g"}, {"MessageDeduplicationId", "d2"}});
    ASSERT_EQ(Receive(fifo, json::object{{"ReceiveRequestAttemptId", "attempt-1"}}).size(), 1u);
    // A move task far slower than the test: still RUNNING when the image is taken.
    Ok(Call(
        "StartMessageMoveTask",
        R"({"SourceArn":"arn:aws:sqs:us-east-1:123456789012:zoo-dlq","MaxNumberOfMessagesPerSecond":1})"));
    commits_->Flush();
    for (char kind : {'n', 'q', 'm', 's', 'd', 'a', 't'}) {
      EXPECT_GT(Records(kind), 0u) << "no record of kind " << kind;
    }
  }
};

TEST_F(SqsRecoveryImageTest, ARestartWithAMoveTaskInTheStoreRecoversIt) {
  BuildZoo();
  Restart();  // read `t->id` after moving `t`: SIGSEGV here before the fix
  auto list = Ok(Call("ListMessageMoveTasks",
                      R"({"SourceArn":"arn:aws:sqs:us-east-1:123456789012:zoo-dlq"})"));
  ASSERT_EQ(list["Results"].as_array().size(), 1u);
  EXPECT_EQ(list["Results"].as_array()[0].as_object()["Status"], "RUNNING");
}

TEST_F(SqsRecoveryImageTest, AnImageOfEveryKindRecoversAndSeedsTheFuzzer) {
  BuildZoo();
  const std::string image = storage::StoreImageOf(store_, kRoot);
  storage::MemoryStore copy;
  ASSERT_TRUE(copy.Write(storage::StoreImageBatch(image, kRoot), false).ok());
  EXPECT_EQ(storage::CountRecords(copy, kRoot), storage::CountRecords(store_, kRoot));
  {
    boost::asio::io_context idle;  // never run: the recovered service's timers stay put
    storage::CommitQueue commits(copy, storage::Durability::kMemory);
    SqsService recovered(copy, commits, clock_, idle, Options());
    ASSERT_TRUE(recovered.Recover().ok());
    EXPECT_EQ(recovered.Health().at("queues"), 3);
    commits.Flush();
  }
  storage::MaybeWriteSeedImage("sqs_recovery", image);
}

}  // namespace
}  // namespace tidepool::sqs
