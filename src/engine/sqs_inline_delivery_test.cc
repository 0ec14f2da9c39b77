// SqsInlineDelivery: a publish writes its deliveries to this process's standard queues inside
// its own batch, so the message is receivable once the publish is durable, after one commit.
#include <gtest/gtest.h>

#include <fmt/format.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>

#include <future>
#include <string>
#include <thread>

#include "engine/sqs_queue_sink.h"
#include "protocol/codec/json_codec.h"
#include "protocol/model/models.h"
#include "services/sns/sns_test_harness.h"
#include "services/sqs/sqs_service.h"

namespace tidepool::engine {
namespace {

namespace json = boost::json;
using sns::testing::SnsHarness;

const std::string kQueueArn = "arn:aws:sqs:us-east-1:123456789012:inline-q";
const std::string kQueueUrl = "http://localhost:4566/123456789012/inline-q";

class SqsInlineDeliveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sqs_ = std::make_unique<sqs::SqsService>(h_.store(), h_.commits(), h_.clock(), io_,
                                             sqs::SqsOptions{});
    ASSERT_TRUE(sqs_->Recover().ok());
    runner_ = std::thread([this] { io_.run(); });
    inline_ = std::make_unique<SqsInlineDelivery>(*sqs_);
    h_.service().SetInlineQueueDelivery(inline_.get());
  }
  void TearDown() override {
    h_.service().SetInlineQueueDelivery(nullptr);
    h_.commits().Flush();
    work_.reset();
    io_.stop();
    runner_.join();
  }

  // An SQS call over the JSON protocol, as the router makes it; the output object.
  json::object Sqs(std::string_view op, std::string_view input) {
    const auto& model = protocol::model::SqsModel();
    const auto* operation = model.FindOperation(op);
    EXPECT_NE(operation, nullptr) << op;
    auto promise = std::make_shared<std::promise<protocol::Outcome>>();
    auto future = promise->get_future();
    protocol::RequestContext ctx{"123456789012", "us-east-1", "AKIDEXAMPLE", "req-1",
                                 "localhost:4566"};
    auto done = [promise](protocol::Outcome o) { promise->set_value(std::move(o)); };
    auto call =
        sqs_->TakesRawInput(*operation)
            ? std::make_shared<protocol::Call>(
                  ctx, *operation, protocol::json_codec::RawInput(model, std::string(input)), done)
            : std::make_shared<protocol::Call>(ctx, *operation, json::parse(input).as_object(),
                                               done);
    sqs_->Invoke(std::move(call));
    EXPECT_EQ(future.wait_for(std::chrono::seconds(10)), std::future_status::ready) << op;
    protocol::Outcome o = future.get();
    if (auto* encoded = std::get_if<protocol::EncodedJson>(&o)) {
      auto decoded = protocol::json_codec::DecodeOutput(model, *operation, encoded->body);
      if (auto* out = std::get_if<json::object>(&decoded)) return std::move(*out);
      ADD_FAILURE() << op << " replied malformed JSON: " << encoded->body;
      return {};
    }
    if (auto* err = std::get_if<protocol::AwsError>(&o)) {
      ADD_FAILURE() << op << ": " << err->code << " " << err->message;
      return {};
    }
    return std::get<json::object>(std::move(o));
  }

  std::string VisibleMessages() {
    auto out = Sqs("GetQueueAttributes",
                   fmt::format(R"({{"QueueUrl":"{}","AttributeNames":["All"]}})", kQueueUrl));
    const auto* attrs = out.if_contains("Attributes");
    if (attrs == nullptr || !attrs->as_object().contains("ApproximateNumberOfMessages")) return "?";
    return std::string(attrs->as_object().at("ApproximateNumberOfMessages").as_string());
  }

  size_t OutboxSize() {
    auto out = h_.service().LoadOutbox();
    return out.ok() ? out->size() : 999;
  }

  SnsHarness h_;
  boost::asio::io_context io_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_{
      io_.get_executor()};
  std::thread runner_;
  std::unique_ptr<sqs::SqsService> sqs_;
  std::unique_ptr<SqsInlineDelivery> inline_;
};

TEST_F(SqsInlineDeliveryTest, PublishPutsTheMessageInTheQueueWithinItsOwnCommit) {
  Sqs("CreateQueue", R"({"QueueName":"inline-q"})");
  const std::string topic = h_.CreateTopic("t");
  h_.Subscribe(topic, "sqs", kQueueArn, R"({"RawMessageDelivery":"true"})");
  h_.commits().Flush();
  const auto before = h_.commits().stats().batches;

  h_.Ok("Publish", fmt::format(R"({{"TopicArn":"{}","Message":"hello"}})", topic));
  // The publish's reply came after its commit: that one batch holds the queue's message.
  // (The queue counts a batch as written after its completion ran: wait for the count.)
  h_.commits().Flush();
  EXPECT_EQ(h_.commits().stats().batches, before + 1);
  EXPECT_EQ(OutboxSize(), 0u);
  EXPECT_EQ(VisibleMessages(), "1");

  auto received = Sqs("ReceiveMessage", fmt::format(R"({{"QueueUrl":"{}"}})", kQueueUrl));
  ASSERT_TRUE(received.contains("Messages"));
  EXPECT_EQ(received["Messages"].as_array().at(0).as_object().at("Body").as_string(), "hello");
}

TEST_F(SqsInlineDeliveryTest, MissingQueuesAndFifoTopicsTakeTheOutbox) {
  const std::string topic = h_.CreateTopic("t");
  h_.Subscribe(topic, "sqs", "arn:aws:sqs:us-east-1:123456789012:no-such-queue");
  h_.Ok("Publish", fmt::format(R"({{"TopicArn":"{}","Message":"m"}})", topic));
  // The delivery engine retries it, or redrives it to a dead-letter queue.
  EXPECT_EQ(OutboxSize(), 1u);

  // FIFO order and deduplication need the queue's own commit order: the engine delivers.
  Sqs("CreateQueue", R"({"QueueName":"inline-q.fifo","Attributes":{"FifoQueue":"true",)"
                     R"("ContentBasedDeduplication":"true"}})");
  const std::string fifo =
      h_.CreateTopic("t.fifo", R"({"FifoTopic":"true","ContentBasedDeduplication":"true"})");
  h_.Subscribe(fifo, "sqs", kQueueArn + ".fifo");
  h_.Ok("Publish", fmt::format(R"({{"TopicArn":"{}","Message":"m","MessageGroupId":"g"}})", fifo));
  EXPECT_EQ(OutboxSize(), 2u);
}

}  // namespace
}  // namespace tidepool::engine
