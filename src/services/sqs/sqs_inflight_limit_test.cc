// SqsService: the per-queue limit on messages in flight (SqsOptions::max_inflight_messages),
// here lowered to 2.
#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <chrono>
#include <future>

#include "services/sqs/sqs_test_fixture.h"

namespace tidepool::sqs {
namespace {
namespace json = boost::json;

class SqsInflightLimitTest : public SqsTest {
 protected:
  SqsOptions Options() override {
    SqsOptions o = SqsTest::Options();
    o.max_inflight_messages = 2;
    return o;
  }

  void Delete(const std::string& url, const json::value& message) {
    Ok(Call("DeleteMessage",
            json::object{{"QueueUrl", url}, {"ReceiptHandle", message.at("ReceiptHandle")}}));
  }
};

TEST_F(SqsInflightLimitTest, StandardShortPollFailsWithOverLimitAndLongPollGetsNothing) {
  const std::string url = CreateQueue("limited");
  for (const char* body : {"a", "b", "c"}) Send(url, body);
  // One receive takes no more than the limit leaves room for.
  auto first = Receive(url, json::object{{"MaxNumberOfMessages", 10}});
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(Attribute(url, "ApproximateNumberOfMessagesNotVisible"), "2");

  auto e = Err(Call("ReceiveMessage", json::object{{"QueueUrl", url}}));
  EXPECT_EQ(e.code, "OverLimit");
  EXPECT_EQ(e.http_status, 403);
  // A long poll is not an error: it waits, and gets nothing while the limit holds.
  auto waited = Ok(Call("ReceiveMessage", json::object{{"QueueUrl", url}, {"WaitTimeSeconds", 1}}));
  EXPECT_FALSE(waited.contains("Messages"));

  Delete(url, first[0]);
  auto third = Receive(url, json::object{{"MaxNumberOfMessages", 10}});
  ASSERT_EQ(third.size(), 1u);
  EXPECT_EQ(third[0].as_object().at("Body"), "c");
}

TEST_F(SqsInflightLimitTest, FifoQueueGetsNothingAtTheLimit) {
  const std::string url = CreateQueue(
      "limited.fifo", json::object{{"FifoQueue", "true"}, {"ContentBasedDeduplication", "true"}});
  for (const char* group : {"g1", "g2", "g3"}) {
    Send(url, group, json::object{{"MessageGroupId", group}});
  }
  ASSERT_EQ(Receive(url, json::object{{"MaxNumberOfMessages", 10}}).size(), 2u);
  EXPECT_TRUE(Receive(url).empty());  // no OverLimit error on FIFO queues
}

TEST_F(SqsInflightLimitTest, HandOffToALongPollStopsAtTheLimit) {
  const std::string url = CreateQueue("limited-handoff");
  Send(url, "held");
  ASSERT_EQ(Receive(url).size(), 1u);
  auto pending = CallAsync(
      "ReceiveMessage",
      json::object{{"QueueUrl", url}, {"WaitTimeSeconds", 20}, {"MaxNumberOfMessages", 10}});
  EXPECT_EQ(pending.wait_for(std::chrono::milliseconds(100)), std::future_status::timeout);
  Ok(Call("SendMessageBatch",
          json::object{{"QueueUrl", url},
                       {"Entries", json::array{json::object{{"Id", "1"}, {"MessageBody", "x"}},
                                               json::object{{"Id", "2"}, {"MessageBody", "y"}}}}}));
  ASSERT_EQ(pending.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  auto out = Ok(pending.get());
  ASSERT_EQ(out["Messages"].as_array().size(), 1u);
  EXPECT_EQ(out["Messages"].as_array()[0].as_object().at("Body"), "x");
  EXPECT_EQ(Attribute(url, "ApproximateNumberOfMessages"), "1");
}

}  // namespace
}  // namespace tidepool::sqs
