// SqsService long polling: parked receives, hand-off in the send's commit, timers that follow
// the next message to become visible.
#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <chrono>
#include <future>

#include "services/sqs/sqs_test_fixture.h"

namespace tidepool::sqs {
namespace {
namespace json = boost::json;

class SqsLongPollTest : public SqsTest {
 protected:
  // A long poll of `url` (20 s wait, plus `extra`), checked to be parked.
  std::future<Outcome> Park(const std::string& url, json::object extra = {}) {
    extra["QueueUrl"] = url;
    extra["WaitTimeSeconds"] = 20;
    auto pending = CallAsync("ReceiveMessage", extra);
    EXPECT_EQ(pending.wait_for(std::chrono::milliseconds(100)), std::future_status::timeout);
    return pending;
  }

  // The body of the one message `pending` returns, well before its 20 s wait ends.
  std::string OneBody(std::future<Outcome>& pending) {
    if (pending.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
      ADD_FAILURE() << "the long poll is still waiting";
      return "";
    }
    auto out = Ok(pending.get());
    if (!out.contains("Messages") || out["Messages"].as_array().size() != 1) {
      ADD_FAILURE() << "not one message: " << json::serialize(out);
      return "";
    }
    return std::string(out["Messages"].as_array()[0].as_object()["Body"].as_string());
  }
};

TEST_F(SqsTest, LongPollIsWokenBySendAtOnce) {
  const std::string url = CreateQueue("lp");
  auto pending =
      CallAsync("ReceiveMessage", json::object{{"QueueUrl", url}, {"WaitTimeSeconds", 20}});
  EXPECT_EQ(pending.wait_for(std::chrono::milliseconds(100)), std::future_status::timeout);
  const auto start = std::chrono::steady_clock::now();
  Send(url, "wake");
  ASSERT_EQ(pending.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_LT(elapsed, std::chrono::seconds(1));
  auto out = Ok(pending.get());
  ASSERT_EQ(out["Messages"].as_array().size(), 1u);
  EXPECT_EQ(out["Messages"].as_array()[0].as_object()["Body"], "wake");
}

// A send to a queue with a parked long poll hands the message over in the send's own
// commit: the poll's receive (receipt, count, visibility) is durable with the send.
TEST_F(SqsTest, LongPollTakesTheSentMessageInTheSameCommit) {
  const std::string url = CreateQueue("handoff");
  auto pending = CallAsync(
      "ReceiveMessage", json::object{{"QueueUrl", url},
                                     {"WaitTimeSeconds", 20},
                                     {"MaxNumberOfMessages", 2},
                                     {"VisibilityTimeout", 40},
                                     {"AttributeNames", json::array{"ApproximateReceiveCount"}}});
  EXPECT_EQ(pending.wait_for(std::chrono::milliseconds(100)), std::future_status::timeout);
  commits_->Flush();
  const uint64_t before = commits_->stats().batches;
  Ok(Call("SendMessageBatch",
          json::object{{"QueueUrl", url},
                       {"Entries", json::array{json::object{{"Id", "a"}, {"MessageBody", "one"}},
                                               json::object{{"Id", "b"}, {"MessageBody", "two"}},
                                               json::object{{"Id", "c"},
                                                            {"MessageBody", "three"},
                                                            {"DelaySeconds", 5}}}}}));
  ASSERT_EQ(pending.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  commits_->Flush();
  EXPECT_EQ(commits_->stats().batches, before + 1);
  auto out = Ok(pending.get());
  const auto& messages = out["Messages"].as_array();
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[0].as_object().at("Body"), "one");
  EXPECT_EQ(messages[1].as_object().at("Body"), "two");
  EXPECT_EQ(messages[0].as_object().at("Attributes").as_object().at("ApproximateReceiveCount"),
            "1");
  EXPECT_EQ(Attribute(url, "ApproximateNumberOfMessagesNotVisible"), "2");
  EXPECT_EQ(Attribute(url, "ApproximateNumberOfMessagesDelayed"), "1");

  // The receive is as durable as the send: after a restart both stay in flight for 40 s.
  Restart();
  EXPECT_EQ(Attribute(url, "ApproximateNumberOfMessagesNotVisible"), "2");
  EXPECT_TRUE(Receive(url).empty());
  clock_.AdvanceSeconds(41);
  auto again = Ok(Call("ReceiveMessage",
                       json::object{{"QueueUrl", url},
                                    {"MaxNumberOfMessages", 10},
                                    {"AttributeNames", json::array{"ApproximateReceiveCount"}}}));
  ASSERT_EQ(again["Messages"].as_array().size(), 3u);  // the delayed one too, by now
  EXPECT_EQ(again["Messages"]
                .as_array()[0]
                .as_object()
                .at("Attributes")
                .as_object()
                .at("ApproximateReceiveCount"),
            "2");
}

TEST_F(SqsTest, LongPollTimesOutEmpty) {
  const std::string url = CreateQueue("lp2", json::object{{"ReceiveMessageWaitTimeSeconds", "1"}});
  const auto start = std::chrono::steady_clock::now();
  auto out = Ok(Call("ReceiveMessage", json::object{{"QueueUrl", url}}));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_FALSE(out.contains("Messages"));
  EXPECT_GE(elapsed, std::chrono::milliseconds(950));
  EXPECT_LT(elapsed, std::chrono::seconds(5));
}

// A long poll that is waiting when a delayed message is sent gets it once its delay ends,
// not at the end of its wait.
TEST_F(SqsLongPollTest, GetsADelayedMessageWhenItsDelayEnds) {
  const std::string url = CreateQueue("lp-delay");
  auto pending = Park(url);
  Send(url, "later", json::object{{"DelaySeconds", 1}});
  EXPECT_EQ(pending.wait_for(std::chrono::milliseconds(100)), std::future_status::timeout);
  clock_.AdvanceSeconds(1);
  // The poll's timer fires about 1 s after the send (before the fix: after its 20 s wait).
  EXPECT_EQ(OneBody(pending), "later");
}

// A visibility timeout shortened while a long poll waits: the poll gets the message when it
// becomes visible again.
TEST_F(SqsLongPollTest, GetsAMessageWhoseVisibilityTimeoutWasShortened) {
  const std::string url = CreateQueue("lp-vis", json::object{{"VisibilityTimeout", "60"}});
  Send(url, "again");
  auto first = Receive(url);
  ASSERT_EQ(first.size(), 1u);
  auto pending = Park(url);
  Ok(Call("ChangeMessageVisibility",
          json::object{{"QueueUrl", url},
                       {"ReceiptHandle", first[0].as_object()["ReceiptHandle"]},
                       {"VisibilityTimeout", 1}}));
  clock_.AdvanceSeconds(1);
  EXPECT_EQ(OneBody(pending), "again");
}

// A message handed to one waiting poll with a short visibility timeout goes to the next
// waiting poll when that timeout ends.
TEST_F(SqsLongPollTest, GetsAMessageAnotherPollLetGo) {
  const std::string url = CreateQueue("lp-handoff");
  auto first = Park(url, json::object{{"VisibilityTimeout", 1}});
  auto second = Park(url);
  Send(url, "shared");
  EXPECT_EQ(OneBody(first), "shared");
  EXPECT_EQ(second.wait_for(std::chrono::milliseconds(100)), std::future_status::timeout);
  clock_.AdvanceSeconds(1);
  EXPECT_EQ(OneBody(second), "shared");
}

}  // namespace
}  // namespace tidepool::sqs
