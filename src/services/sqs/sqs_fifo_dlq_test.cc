// SqsService: FIFO queues, dead-letter queues, message move tasks and recovery.
#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <chrono>
#include <thread>

#include "services/sqs/message_input.h"
#include "services/sqs/sqs_test_fixture.h"

namespace tidepool::sqs {
namespace {
namespace json = boost::json;

json::object FifoSend(std::string_view group, std::string_view dedup = {}) {
  json::object o{{"MessageGroupId", group}};
  if (!dedup.empty()) o["MessageDeduplicationId"] = dedup;
  return o;
}

TEST_F(SqsTest, FifoGroupsAreOrderedAndLockedWhileInFlight) {
  const std::string url = CreateQueue("jobs.fifo", json::object{{"FifoQueue", "true"}});
  EXPECT_EQ(Attribute(url, "FifoQueue"), "true");
  EXPECT_EQ(Attribute(url, "DeduplicationScope"), "queue");
  auto s1 = Send(url, "a1", FifoSend("A", "1"));
  auto s2 = Send(url, "a2", FifoSend("A", "2"));
  Send(url, "b1", FifoSend("B", "3"));
  ASSERT_TRUE(s1.contains("SequenceNumber"));
  EXPECT_LT(s1["SequenceNumber"].as_string(), s2["SequenceNumber"].as_string());
  EXPECT_EQ(s1["SequenceNumber"].as_string().size(), 20u);

  auto first = Receive(url, json::object{{"AttributeNames", json::array{"All"}}});
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].as_object()["Body"], "a1");
  auto& attrs = first[0].as_object()["Attributes"].as_object();
  EXPECT_EQ(attrs["MessageGroupId"], "A");
  EXPECT_EQ(attrs["MessageDeduplicationId"], "1");
  EXPECT_EQ(attrs["SequenceNumber"], s1["SequenceNumber"]);
  // Group A is locked while a1 is in flight: the next receive gets B's message only.
  auto second = Receive(url, json::object{{"MaxNumberOfMessages", 10}});
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].as_object()["Body"], "b1");
  EXPECT_TRUE(Receive(url).empty());
  Ok(Call("DeleteMessage", json::object{{"QueueUrl", url},
                                        {"ReceiptHandle", first[0].as_object()["ReceiptHandle"]}}));
  auto third = Receive(url);
  ASSERT_EQ(third.size(), 1u);
  EXPECT_EQ(third[0].as_object()["Body"], "a2");

  // Several messages of one group come together, in order.
  Send(url, "c1", FifoSend("C", "c1"));
  Send(url, "c2", FifoSend("C", "c2"));
  auto both = Receive(url, json::object{{"MaxNumberOfMessages", 10}});
  ASSERT_EQ(both.size(), 2u);
  EXPECT_EQ(both[0].as_object()["Body"], "c1");
  EXPECT_EQ(both[1].as_object()["Body"], "c2");
}

TEST_F(SqsTest, FifoSendRules) {
  const std::string url = CreateQueue("rules.fifo", json::object{{"FifoQueue", "true"}});
  auto no_group = Err(Call("SendMessage", json::object{{"QueueUrl", url}, {"MessageBody", "x"}}));
  EXPECT_EQ(no_group.code, "MissingRequiredParameterException");
  auto no_dedup =
      Err(Call("SendMessage",
               json::object{{"QueueUrl", url}, {"MessageBody", "x"}, {"MessageGroupId", "g"}}));
  EXPECT_EQ(no_dedup.code, "InvalidParameterValueException");
  EXPECT_EQ(no_dedup.message,
            "The queue should either have ContentBasedDeduplication enabled or "
            "MessageDeduplicationId provided explicitly");
  EXPECT_EQ(Err(Call("SendMessage", json::object{{"QueueUrl", url},
                                                 {"MessageBody", "x"},
                                                 {"MessageGroupId", "g"},
                                                 {"MessageDeduplicationId", "d"},
                                                 {"DelaySeconds", 5}}))
                .code,
            "InvalidParameterValueException");
}

TEST_F(SqsTest, FifoDeduplicationWindow) {
  const std::string url = CreateQueue("dedup.fifo", json::object{{"FifoQueue", "true"}});
  auto first = Send(url, "one", FifoSend("g", "same"));
  auto dup = Send(url, "two", FifoSend("g", "same"));
  EXPECT_EQ(dup["MessageId"], first["MessageId"]);
  EXPECT_EQ(dup["SequenceNumber"], first["SequenceNumber"]);
  EXPECT_EQ(Attribute(url, "ApproximateNumberOfMessages"), "1");
  clock_.AdvanceSeconds(299);
  EXPECT_EQ(Send(url, "three", FifoSend("g", "same"))["MessageId"], first["MessageId"]);
  clock_.AdvanceSeconds(1);
  EXPECT_NE(Send(url, "four", FifoSend("g", "same"))["MessageId"], first["MessageId"]);
  EXPECT_EQ(Attribute(url, "ApproximateNumberOfMessages"), "2");

  // Content-based deduplication, scoped per message group.
  const std::string cbd =
      CreateQueue("cbd.fifo", json::object{{"FifoQueue", "true"},
                                           {"ContentBasedDeduplication", "true"},
                                           {"DeduplicationScope", "messageGroup"},
                                           {"FifoThroughputLimit", "perMessageGroupId"}});
  auto a = Send(cbd, "body", FifoSend("g1"));
  EXPECT_EQ(Send(cbd, "body", FifoSend("g1"))["MessageId"], a["MessageId"]);
  EXPECT_NE(Send(cbd, "body", FifoSend("g2"))["MessageId"], a["MessageId"]);
  EXPECT_NE(Send(cbd, "other", FifoSend("g1"))["MessageId"], a["MessageId"]);
  EXPECT_EQ(Attribute(cbd, "ApproximateNumberOfMessages"), "3");
  auto msgs = Receive(cbd, json::object{{"AttributeNames", json::array{"MessageDeduplicationId"}}});
  ASSERT_FALSE(msgs.empty());
  EXPECT_EQ(msgs[0].as_object()["Attributes"].as_object()["MessageDeduplicationId"],
            "230d8358dc8e8890b4c58deeb62912ee2f20357ae92a5cc861b98e68fe31acb5");  // sha256("body")
}

TEST_F(SqsTest, FifoReceiveRequestAttemptIdReturnsTheSameMessages) {
  const std::string url = CreateQueue("attempt.fifo", json::object{{"FifoQueue", "true"}});
  Send(url, "x", FifoSend("g", "1"));
  auto first = Receive(url, json::object{{"ReceiveRequestAttemptId", "try-1"}});
  ASSERT_EQ(first.size(), 1u);
  auto retry = Receive(url, json::object{{"ReceiveRequestAttemptId", "try-1"}});
  ASSERT_EQ(retry.size(), 1u);
  EXPECT_EQ(retry[0].as_object()["ReceiptHandle"], first[0].as_object()["ReceiptHandle"]);
  EXPECT_TRUE(Receive(url, json::object{{"ReceiveRequestAttemptId", "try-2"}}).empty());
}

// The attempt is as durable as its receive: a client retrying after a restart (the reply may
// have been lost with the process) gets the same messages and handles for 5 minutes.
TEST_F(SqsTest, FifoReceiveRequestAttemptIdSurvivesARestart) {
  const std::string url = CreateQueue(
      "attempt-restart.fifo", json::object{{"FifoQueue", "true"}, {"VisibilityTimeout", "600"}});
  Send(url, "a", FifoSend("g", "1"));
  Send(url, "b", FifoSend("g", "2"));
  const json::object attempt{{"ReceiveRequestAttemptId", "lost-reply"},
                             {"MaxNumberOfMessages", 10}};
  auto first = Receive(url, attempt);
  ASSERT_EQ(first.size(), 2u);
  Restart();
  auto retry = Receive(url, attempt);
  ASSERT_EQ(retry.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(retry[i].as_object()["ReceiptHandle"], first[i].as_object()["ReceiptHandle"]) << i;
  }
  // Once its 5 minutes are over, the next send prunes the attempt, in the store too.
  EXPECT_EQ(Records('a'), 1u);
  clock_.AdvanceSeconds(301);
  Send(url, "c", FifoSend("h", "3"));
  commits_->Flush();
  EXPECT_EQ(Records('a'), 0u);
}

// Recovery drops the dedup entries and receive attempts whose 5 minutes ran out while the
// service was down, from the store as well.
TEST_F(SqsTest, RecoveryDeletesExpiredDedupRecordsAndAttempts) {
  const std::string url = CreateQueue("expired.fifo", json::object{{"FifoQueue", "true"}});
  Send(url, "a", FifoSend("g", "1"));
  ASSERT_EQ(Receive(url, json::object{{"ReceiveRequestAttemptId", "r"}}).size(), 1u);
  EXPECT_EQ(Records('d'), 1u);
  EXPECT_EQ(Records('a'), 1u);
  clock_.AdvanceSeconds(301);
  Restart();
  commits_->Flush();
  EXPECT_EQ(Records('d'), 0u);
  EXPECT_EQ(Records('a'), 0u);
}

TEST_F(SqsTest, RedriveMovesMessagesPastMaxReceiveCount) {
  const std::string dlq = CreateQueue("dead");
  const std::string src = CreateQueue(
      "work",
      json::object{
          {"RedrivePolicy",
           R"({"deadLetterTargetArn":"arn:aws:sqs:us-east-1:123456789012:dead","maxReceiveCount":"2"})"}});
  auto sent = Send(src, "poison");
  for (int i = 0; i < 2; ++i) {
    auto got = Receive(src, json::object{{"VisibilityTimeout", 0}});
    ASSERT_EQ(got.size(), 1u) << i;
  }
  EXPECT_TRUE(Receive(src).empty());
  EXPECT_EQ(Attribute(src, "ApproximateNumberOfMessages"), "0");
  auto dead = Receive(dlq, json::object{{"AttributeNames", json::array{"All"}}});
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].as_object()["MessageId"], sent["MessageId"]);
  EXPECT_EQ(dead[0].as_object()["Attributes"].as_object()["DeadLetterQueueSourceArn"],
            "arn:aws:sqs:us-east-1:123456789012:work");
  EXPECT_EQ(dead[0].as_object()["Attributes"].as_object()["ApproximateReceiveCount"], "1");

  // RedriveAllowPolicy is enforced when a queue names the DLQ.
  const std::string closed = CreateQueue(
      "closed", json::object{{"RedriveAllowPolicy", R"({"redrivePermission":"denyAll"})"}});
  auto denied = Err(Call(
      "CreateQueue",
      json::object{
          {"QueueName", "w2"},
          {"Attributes",
           {{"RedrivePolicy",
             R"({"deadLetterTargetArn":"arn:aws:sqs:us-east-1:123456789012:closed","maxReceiveCount":1})"}}}}));
  EXPECT_EQ(denied.code, "InvalidParameterValueException");
  auto bad_count = Err(Call(
      "SetQueueAttributes",
      json::object{
          {"QueueUrl", src},
          {"Attributes",
           {{"RedrivePolicy",
             R"({"deadLetterTargetArn":"arn:aws:sqs:us-east-1:123456789012:dead","maxReceiveCount":0})"}}}}));
  EXPECT_EQ(bad_count.code, "InvalidAttributeValue");
}

TEST_F(SqsTest, MessageMoveTaskRedrivesBackToSource) {
  const std::string dlq = CreateQueue("dl");
  const std::string src = CreateQueue(
      "main",
      json::object{
          {"RedrivePolicy",
           R"({"deadLetterTargetArn":"arn:aws:sqs:us-east-1:123456789012:dl","maxReceiveCount":1})"}});
  for (int i = 0; i < 3; ++i) Send(src, "m" + std::to_string(i));
  EXPECT_EQ(
      Receive(src, json::object{{"MaxNumberOfMessages", 10}, {"VisibilityTimeout", 0}}).size(), 3u);
  EXPECT_TRUE(Receive(src, json::object{{"MaxNumberOfMessages", 10}}).empty());  // all moved
  EXPECT_EQ(Attribute(dlq, "ApproximateNumberOfMessages"), "3");

  EXPECT_EQ(Err(Call("StartMessageMoveTask",
                     R"({"SourceArn":"arn:aws:sqs:us-east-1:123456789012:main"})"))
                .code,
            "InvalidParameterValueException");  // not a dead-letter queue
  EXPECT_EQ(
      Err(Call("StartMessageMoveTask", R"({"SourceArn":"arn:aws:sqs:us-east-1:123456789012:x"})"))
          .code,
      "ResourceNotFoundException");
  auto started = Ok(Call(
      "StartMessageMoveTask",
      R"({"SourceArn":"arn:aws:sqs:us-east-1:123456789012:dl","MaxNumberOfMessagesPerSecond":100})"));
  ASSERT_TRUE(started.contains("TaskHandle"));
  json::object task;
  for (int i = 0; i < 200; ++i) {
    auto list = Ok(
        Call("ListMessageMoveTasks", R"({"SourceArn":"arn:aws:sqs:us-east-1:123456789012:dl"})"));
    task = list["Results"].as_array()[0].as_object();
    if (task["Status"] != "RUNNING") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(task["Status"], "COMPLETED");
  EXPECT_EQ(task["ApproximateNumberOfMessagesMoved"], 3);
  EXPECT_EQ(task["ApproximateNumberOfMessagesToMove"], 3);
  EXPECT_EQ(task["MaxNumberOfMessagesPerSecond"], 100);
  EXPECT_FALSE(task.contains("TaskHandle"));
  EXPECT_EQ(Attribute(dlq, "ApproximateNumberOfMessages"), "0");
  EXPECT_EQ(Attribute(src, "ApproximateNumberOfMessages"), "3");
  EXPECT_EQ(
      Err(Call("CancelMessageMoveTask", json::object{{"TaskHandle", started["TaskHandle"]}})).code,
      "InvalidParameterValueException");
  EXPECT_EQ(Err(Call("CancelMessageMoveTask", R"({"TaskHandle":"bm9wZQ=="})")).code,
            "ResourceNotFoundException");
}

TEST_F(SqsTest, RecoveryRestoresMessagesInFlightStateAndDedup) {
  const std::string url = CreateQueue("durable", json::object{{"VisibilityTimeout", "60"}});
  const std::string fifo = CreateQueue("durable.fifo", json::object{{"FifoQueue", "true"}});
  Ok(Call("TagQueue", json::object{{"QueueUrl", url}, {"Tags", {{"k", "v"}}}}));
  Send(
      url, "kept",
      json::object{{"MessageAttributes", {{"a", {{"StringValue", "1"}, {"DataType", "Number"}}}}}});
  Send(url, "inflight");
  auto got = Receive(url);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].as_object()["Body"], "kept");
  const json::value handle = got[0].as_object()["ReceiptHandle"];
  auto first = Send(fifo, "f", FifoSend("g", "d1"));

  Restart();

  EXPECT_EQ(Attribute(url, "ApproximateNumberOfMessages"), "1");
  EXPECT_EQ(Attribute(url, "ApproximateNumberOfMessagesNotVisible"), "1");
  EXPECT_EQ(Attribute(url, "VisibilityTimeout"), "60");
  auto tags = Ok(Call("ListQueueTags", json::object{{"QueueUrl", url}}));
  EXPECT_EQ(tags["Tags"], (json::object{{"k", "v"}}));
  // The dedup window survived.
  EXPECT_EQ(Send(fifo, "again", FifoSend("g", "d1"))["MessageId"], first["MessageId"]);
  // The in-flight message comes back when its stored deadline passes, with its count.
  auto other = Receive(url);
  ASSERT_EQ(other.size(), 1u);
  EXPECT_EQ(other[0].as_object()["Body"], "inflight");
  clock_.AdvanceSeconds(60);
  auto again = Receive(url, json::object{{"AttributeNames", json::array{"ApproximateReceiveCount"}},
                                         {"MessageAttributeNames", json::array{"All"}}});
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].as_object()["Body"], "kept");
  EXPECT_EQ(again[0].as_object()["Attributes"].as_object()["ApproximateReceiveCount"], "2");
  EXPECT_EQ(again[0].as_object()["MD5OfMessageAttributes"].as_string(),
            Md5OfAttributes({MessageAttribute{"a", "Number", 1, "1", {}}}));
  EXPECT_TRUE(again[0].as_object().contains("MessageAttributes"));
  // The pre-restart handle is stale now (received again): its delete does not delete.
  Ok(Call("DeleteMessage", json::object{{"QueueUrl", url}, {"ReceiptHandle", handle}}));
  Ok(Call("DeleteMessage", json::object{{"QueueUrl", url},
                                        {"ReceiptHandle", again[0].as_object()["ReceiptHandle"]}}));
  EXPECT_EQ(Attribute(url, "ApproximateNumberOfMessages"), "1");  // "inflight" timed out
  ASSERT_EQ(Receive(url).size(), 1u);
  Restart();
  EXPECT_EQ(Attribute(url, "ApproximateNumberOfMessagesNotVisible"), "1");
  EXPECT_EQ(Attribute(url, "ApproximateNumberOfMessages"), "0");
  clock_.AdvanceSeconds(60);
  EXPECT_EQ(Attribute(url, "ApproximateNumberOfMessages"), "1");
  // New sends after a restart sort after the old ones (seq keeps increasing).
  auto next = Send(fifo, "g2", FifoSend("g", "d2"));
  EXPECT_GT(next["SequenceNumber"].as_string(), first["SequenceNumber"].as_string());
}

class SqsSmallCacheTest : public SqsTest {
 protected:
  SqsOptions Options() override {
    SqsOptions o = SqsTest::Options();
    o.payload_cache_bytes = 8;
    return o;
  }
};

TEST_F(SqsSmallCacheTest, PayloadsBeyondTheCacheAreReadFromTheStore) {
  const std::string url = CreateQueue("big");
  Send(
      url, "0123456789abcdef",
      json::object{{"MessageAttributes", {{"a", {{"StringValue", "x"}, {"DataType", "String"}}}}}});
  auto msgs = Receive(url, json::object{{"MessageAttributeNames", json::array{"All"}}});
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(msgs[0].as_object()["Body"], "0123456789abcdef");
  EXPECT_EQ(msgs[0].as_object()["MessageAttributes"].as_object()["a"].as_object()["StringValue"],
            "x");
}

}  // namespace
}  // namespace tidepool::sqs
