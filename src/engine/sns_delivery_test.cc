#include "engine/sns_delivery.h"

#include <gtest/gtest.h>

#include <fmt/format.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "services/sns/sns_test_harness.h"

namespace tidepool::engine {
namespace {

using sns::testing::SnsHarness;
namespace json = boost::json;
using namespace std::chrono_literals;

// A QueueSink that records what it accepts. Queues in `gone` do not exist; the first
// `fail_first` sends fail with kRetry, and so does every send while `down`.
class FakeQueueSink final : public QueueSink {
 public:
  void Send(std::string_view queue_arn, QueueMessage message, SinkDone done) override {
    SinkResult result;
    {
      std::lock_guard lock(mu);
      ++attempts;
      if (gone.contains(std::string(queue_arn))) {
        result = {SinkOutcome::kGone, "queue does not exist"};
      } else if (fail_first > 0 || down) {
        if (fail_first > 0) --fail_first;
        result = {SinkOutcome::kRetry, "injected failure"};
      } else {
        received[std::string(queue_arn)].push_back(std::move(message));
      }
    }
    done(std::move(result));
  }
  size_t Count(const std::string& queue) {
    std::lock_guard lock(mu);
    return received[queue].size();
  }
  std::vector<QueueMessage> Messages(const std::string& queue) {
    std::lock_guard lock(mu);
    return received[queue];
  }

  std::mutex mu;
  std::map<std::string, std::vector<QueueMessage>> received;
  std::set<std::string> gone;
  int fail_first = 0;
  bool down = false;
  int attempts = 0;
};

class FakeFunctionSink final : public FunctionSink {
 public:
  void InvokeAsync(std::string_view function_arn, std::string payload, SinkDone done) override {
    {
      std::lock_guard lock(mu);
      payloads.push_back(std::move(payload));
    }
    done({SinkOutcome::kAccepted, {}});
  }
  std::mutex mu;
  std::vector<std::string> payloads;
};

bool WaitFor(const std::function<bool()>& condition) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(2ms);
  }
  return condition();
}

const std::string kQ1 = "arn:aws:sqs:us-east-1:123456789012:q1";
const std::string kQ2 = "arn:aws:sqs:us-east-1:123456789012:q2";
const std::string kDlq = "arn:aws:sqs:us-east-1:123456789012:dlq";

class SnsDeliveryTest : public ::testing::Test {
 protected:
  SnsDeliveryTest() {
    options_.initial_backoff = 1ms;
    options_.max_backoff = 4ms;
    options_.max_attempts = 5;
    options_.unavailable_wait = 5ms;
  }
  void StartEngine(FunctionSink* functions = nullptr) {
    engine_ = std::make_unique<SnsDelivery>(h_.service(), sink_, nullptr, functions, io_, options_);
    ASSERT_TRUE(engine_->Start().ok());
    if (!runner_.joinable()) runner_ = std::thread([this] { io_.run(); });
  }
  void StopEngine() {
    if (engine_) engine_->Stop();
    h_.commits().Flush();
    work_.reset();
    io_.stop();
    if (runner_.joinable()) runner_.join();
    engine_.reset();
    io_.restart();
    work_.emplace(io_.get_executor());
  }
  void TearDown() override { StopEngine(); }

  size_t OutboxSize() {
    h_.commits().Flush();
    auto out = h_.service().LoadOutbox();
    return out.ok() ? out->size() : 999;
  }
  void Publish(const std::string& topic, std::string_view extra) {
    h_.Ok("Publish", fmt::format(R"({{"TopicArn":"{}",{}}})", topic, extra));
  }

  SnsDeliveryOptions options_;
  SnsHarness h_;
  FakeQueueSink sink_;
  boost::asio::io_context io_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_{
      io_.get_executor()};
  std::thread runner_;
  std::unique_ptr<SnsDelivery> engine_;
};

TEST_F(SnsDeliveryTest, DeliversMatchingSubscriptionsRawAndEnveloped) {
  const std::string topic = h_.CreateTopic("t");
  h_.Subscribe(topic, "sqs", kQ1);
  h_.Subscribe(topic, "sqs", kQ2,
               R"({"RawMessageDelivery":"true","FilterPolicy":"{\"k\":[\"yes\"]}"})");
  StartEngine();
  Publish(
      topic,
      R"("Message":"hello","MessageAttributes":{"k":{"DataType":"String","StringValue":"yes"}})");
  Publish(
      topic,
      R"("Message":"other","MessageAttributes":{"k":{"DataType":"String","StringValue":"no"}})");
  ASSERT_TRUE(WaitFor([&] { return sink_.Count(kQ1) == 2 && sink_.Count(kQ2) == 1; }));
  ASSERT_TRUE(WaitFor([&] { return OutboxSize() == 0; }));
  auto enveloped = sink_.Messages(kQ1)[0];
  auto env = json::parse(enveloped.body).as_object();
  EXPECT_EQ(env["Type"], "Notification");
  EXPECT_EQ(env["Message"], "hello");
  EXPECT_EQ(env["MessageAttributes"].as_object()["k"].as_object()["Value"], "yes");
  EXPECT_TRUE(enveloped.attributes.empty());
  auto raw = sink_.Messages(kQ2)[0];
  EXPECT_EQ(raw.body, "hello");
  ASSERT_EQ(raw.attributes.size(), 1u);
  EXPECT_EQ(raw.attributes[0].name, "k");
  EXPECT_EQ(raw.attributes[0].value, "yes");
  EXPECT_TRUE(WaitFor([&] { return engine_->stats().delivered == 3; }));
}

TEST_F(SnsDeliveryTest, RetriesUntilTheSinkAccepts) {
  const std::string topic = h_.CreateTopic("t");
  h_.Subscribe(topic, "sqs", kQ1);
  sink_.fail_first = 3;
  StartEngine();
  Publish(topic, R"("Message":"m")");
  ASSERT_TRUE(WaitFor([&] { return sink_.Count(kQ1) == 1; }));
  ASSERT_TRUE(WaitFor([&] { return OutboxSize() == 0; }));
  EXPECT_GE(engine_->stats().retries, 3u);
  EXPECT_EQ(sink_.attempts, 4);
}

TEST_F(SnsDeliveryTest, GoneQueueGoesToTheDeadLetterQueue) {
  const std::string topic = h_.CreateTopic("t");
  h_.Subscribe(topic, "sqs", kQ1,
               fmt::format(R"({{"RedrivePolicy":"{{\"deadLetterTargetArn\":\"{}\"}}"}})", kDlq));
  sink_.gone.insert(kQ1);
  StartEngine();
  Publish(topic, R"("Message":"lost")");
  ASSERT_TRUE(WaitFor([&] { return sink_.Count(kDlq) == 1; }));
  ASSERT_TRUE(WaitFor([&] { return OutboxSize() == 0; }));
  EXPECT_EQ(json::parse(sink_.Messages(kDlq)[0].body).at("Message"), "lost");
  EXPECT_TRUE(WaitFor([&] { return engine_->stats().dead_lettered == 1; }));
}

TEST_F(SnsDeliveryTest, ExhaustedRetriesWithoutDlqCountTheMessageAsFailed) {
  const std::string topic = h_.CreateTopic("t");
  h_.Subscribe(topic, "sqs", kQ1);
  sink_.fail_first = 1000;
  StartEngine();
  Publish(topic, R"("Message":"m")");
  ASSERT_TRUE(WaitFor([&] { return engine_->stats().failed == 1; }));
  EXPECT_EQ(sink_.attempts, 5);
  EXPECT_EQ(OutboxSize(), 0u);
}

TEST_F(SnsDeliveryTest, OutboxEntriesAreDeliveredAfterARestart) {
  const std::string topic = h_.CreateTopic("t");
  h_.Subscribe(topic, "sqs", kQ1);
  Publish(topic, R"("Message":"before crash")");
  EXPECT_EQ(OutboxSize(), 1u);
  h_.Restart();  // services rebuilt over the same store; nothing was delivered yet
  StartEngine();
  ASSERT_TRUE(WaitFor([&] { return sink_.Count(kQ1) == 1; }));
  ASSERT_TRUE(WaitFor([&] { return OutboxSize() == 0; }));
  EXPECT_EQ(json::parse(sink_.Messages(kQ1)[0].body).at("Message"), "before crash");
}

TEST_F(SnsDeliveryTest, FifoTopicsKeepOrderPerSubscriptionThroughRetries) {
  const std::string topic =
      h_.CreateTopic("f.fifo", R"({"FifoTopic":"true","ContentBasedDeduplication":"true"})");
  const std::string queue = kQ1 + ".fifo";
  h_.Subscribe(topic, "sqs", queue, R"({"RawMessageDelivery":"true"})");
  for (int i = 0; i < 5; ++i) {
    Publish(topic, fmt::format(R"("Message":"m{}","MessageGroupId":"g")", i));
  }
  sink_.fail_first = 2;
  StartEngine();
  ASSERT_TRUE(WaitFor([&] { return sink_.Count(queue) == 5; }));
  auto messages = sink_.Messages(queue);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(messages[i].body, fmt::format("m{}", i));
    EXPECT_EQ(messages[i].group_id, "g");
    EXPECT_FALSE(messages[i].dedup_id.empty());
  }
}

// A standard queue refuses a MessageDeduplicationId: before the FIFO fields were left out for
// it, every such delivery was refused and the message lost.
TEST_F(SnsDeliveryTest, FifoTopicsDeliverToStandardQueuesWithoutFifoFields) {
  const std::string topic =
      h_.CreateTopic("f.fifo", R"({"FifoTopic":"true","ContentBasedDeduplication":"true"})");
  h_.Subscribe(topic, "sqs", kQ1, R"({"RawMessageDelivery":"true"})");
  h_.Subscribe(topic, "sqs", kQ2 + ".fifo", R"({"RawMessageDelivery":"true"})");
  Publish(topic, R"("Message":"m","MessageGroupId":"g")");
  StartEngine();
  ASSERT_TRUE(WaitFor([&] { return sink_.Count(kQ1) == 1 && sink_.Count(kQ2 + ".fifo") == 1; }));
  const auto standard = sink_.Messages(kQ1)[0];
  EXPECT_EQ(standard.body, "m");
  EXPECT_TRUE(standard.group_id.empty());
  EXPECT_TRUE(standard.dedup_id.empty());
  const auto fifo = sink_.Messages(kQ2 + ".fifo")[0];
  EXPECT_EQ(fifo.group_id, "g");
  EXPECT_FALSE(fifo.dedup_id.empty());
}

TEST_F(SnsDeliveryTest, LambdaDeliveriesWaitForAFunctionSink) {
  const std::string topic = h_.CreateTopic("t");
  const std::string sub =
      h_.Subscribe(topic, "lambda", "arn:aws:lambda:us-east-1:123456789012:function:f");
  StartEngine();
  for (int i = 0; i < 50; ++i) Publish(topic, R"("Message":"to lambda","Subject":"s")");
  ASSERT_TRUE(WaitFor([&] { return engine_->stats().parked == 50; }));
  EXPECT_EQ(engine_->stats().pending, 0u);  // left in the outbox, not held in memory
  EXPECT_EQ(OutboxSize(), 50u);
  StopEngine();
  FakeFunctionSink functions;
  StartEngine(&functions);
  ASSERT_TRUE(WaitFor([&] {
    std::lock_guard lock(functions.mu);
    return functions.payloads.size() == 50;
  }));
  EXPECT_EQ(engine_->stats().parked, 0u);
  auto event = json::parse(functions.payloads[0]).as_object();
  auto& record = event["Records"].as_array()[0].as_object();
  EXPECT_EQ(record["EventSource"], "aws:sns");
  EXPECT_EQ(std::string(record["EventSubscriptionArn"].as_string()), sub);
  EXPECT_EQ(record["Sns"].as_object()["Message"], "to lambda");
  EXPECT_EQ(record["Sns"].as_object()["Subject"], "s");
  ASSERT_TRUE(WaitFor([&] { return OutboxSize() == 0; }));
}

TEST_F(SnsDeliveryTest, DeliveriesToRemovedSubscriptionsAreDropped) {
  const std::string topic = h_.CreateTopic("t");
  const std::string sub = h_.Subscribe(topic, "sqs", kQ1);
  Publish(topic, R"("Message":"m")");
  h_.Ok("Unsubscribe", fmt::format(R"({{"SubscriptionArn":"{}"}})", sub));
  StartEngine();
  ASSERT_TRUE(WaitFor([&] { return OutboxSize() == 0; }));
  EXPECT_EQ(sink_.Count(kQ1), 0u);
}

// Samples the engine's memory use while `condition` becomes true.
bool WaitTrackingPending(SnsDelivery& engine, const std::function<bool()>& condition,
                         size_t* max_pending) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  for (;;) {
    *max_pending = std::max<size_t>(*max_pending, engine.stats().pending);
    if (condition()) return true;
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(1ms);
  }
}

TEST_F(SnsDeliveryTest, ABacklogBeyondTheMemoryLimitWaitsInTheOutbox) {
  const std::string topic = h_.CreateTopic("t");
  h_.Subscribe(topic, "sqs", kQ1, R"({"RawMessageDelivery":"true"})");
  options_.max_loaded = 4;
  options_.max_attempts = 1'000'000;
  sink_.down = true;  // the target is down while the publishes go on
  StartEngine();
  for (int i = 0; i < 50; ++i) Publish(topic, fmt::format(R"("Message":"m{}")", i));
  size_t max_pending = 0;
  ASSERT_TRUE(WaitTrackingPending(
      *engine_, [&] { return engine_->stats().retries > 20; }, &max_pending));
  EXPECT_TRUE(engine_->stats().spilled);
  EXPECT_EQ(engine_->stats().pending, 4u);
  EXPECT_EQ(OutboxSize(), 50u);
  {
    std::lock_guard lock(sink_.mu);
    sink_.down = false;
  }
  ASSERT_TRUE(WaitTrackingPending(
      *engine_, [&] { return sink_.Count(kQ1) == 50; }, &max_pending));
  ASSERT_TRUE(WaitFor([&] { return OutboxSize() == 0; }));
  EXPECT_LE(max_pending, 4u);
  EXPECT_FALSE(engine_->stats().spilled);
  std::set<std::string> bodies;
  for (const auto& m : sink_.Messages(kQ1)) bodies.insert(m.body);
  EXPECT_EQ(bodies.size(), 50u);  // each once
  // An entry leaves the outbox in its delivery's commit; it is counted when that commit's
  // completion runs, a moment later.
  EXPECT_TRUE(WaitFor([&] { return engine_->stats().delivered >= 50; }));
  EXPECT_EQ(engine_->stats().delivered, 50u);
  // Once the backlog is gone, new entries go straight from the listener again.
  Publish(topic, R"("Message":"after")");
  ASSERT_TRUE(WaitFor([&] { return sink_.Count(kQ1) == 51; }));
}

TEST_F(SnsDeliveryTest, ALargeOutboxLeftByAPreviousRunIsReadInPages) {
  const std::string topic = h_.CreateTopic("t");
  h_.Subscribe(topic, "sqs", kQ1, R"({"RawMessageDelivery":"true"})");
  for (int i = 0; i < 30; ++i) Publish(topic, fmt::format(R"("Message":"m{}")", i));
  h_.Restart();
  options_.max_loaded = 3;
  sink_.down = true;
  StartEngine();
  size_t max_pending = 0;
  ASSERT_TRUE(WaitTrackingPending(
      *engine_, [&] { return engine_->stats().retries > 10; }, &max_pending));
  EXPECT_EQ(engine_->stats().pending, 3u);
  {
    std::lock_guard lock(sink_.mu);
    sink_.down = false;
  }
  ASSERT_TRUE(WaitTrackingPending(
      *engine_, [&] { return sink_.Count(kQ1) == 30; }, &max_pending));
  EXPECT_LE(max_pending, 3u);
  std::set<std::string> bodies;
  for (const auto& m : sink_.Messages(kQ1)) bodies.insert(m.body);
  EXPECT_EQ(bodies.size(), 30u);
  ASSERT_TRUE(WaitFor([&] { return OutboxSize() == 0; }));
}

TEST_F(SnsDeliveryTest, ManyParkedEntriesOnDiskDoNotHoldUpTheOnesBehindThem) {
  const std::string to_queue = h_.CreateTopic("q");
  h_.Subscribe(to_queue, "sqs", kQ1, R"({"RawMessageDelivery":"true"})");
  const std::string to_lambda = h_.CreateTopic("l");
  h_.Subscribe(to_lambda, "lambda", "arn:aws:lambda:us-east-1:123456789012:function:f");
  for (int i = 0; i < 3; ++i) Publish(to_queue, fmt::format(R"("Message":"a{}")", i));
  for (int i = 0; i < 2'500; ++i) Publish(to_lambda, R"("Message":"parked")");
  for (int i = 0; i < 3; ++i) Publish(to_queue, fmt::format(R"("Message":"b{}")", i));
  h_.Restart();
  options_.max_loaded = 2;  // pages of parked entries pass with nothing loaded
  StartEngine();            // no function sink: the lambda entries stay parked
  ASSERT_TRUE(WaitFor([&] { return sink_.Count(kQ1) == 6; }));
  EXPECT_EQ(engine_->stats().parked, 2'500u);
  EXPECT_FALSE(engine_->stats().spilled);
}

TEST_F(SnsDeliveryTest, FifoOrderHoldsWhenEntriesWaitInTheOutbox) {
  const std::string topic =
      h_.CreateTopic("f.fifo", R"({"FifoTopic":"true","ContentBasedDeduplication":"true"})");
  const std::string queue = kQ1 + ".fifo";
  h_.Subscribe(topic, "sqs", queue, R"({"RawMessageDelivery":"true"})");
  options_.max_loaded = 2;
  options_.max_attempts = 1'000'000;
  sink_.fail_first = 3;
  StartEngine();
  for (int i = 0; i < 20; ++i) {
    Publish(topic, fmt::format(R"("Message":"m{}","MessageGroupId":"g")", i));
  }
  ASSERT_TRUE(WaitFor([&] { return sink_.Count(queue) == 20; }));
  auto messages = sink_.Messages(queue);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(messages[i].body, fmt::format("m{}", i));
}

TEST_F(SnsDeliveryTest, TheByteLimitHoldsOneLargeEntryAtATime) {
  const std::string topic = h_.CreateTopic("t");
  h_.Subscribe(topic, "sqs", kQ1, R"({"RawMessageDelivery":"true"})");
  options_.max_loaded_bytes = 1;  // any entry fills it: one at a time
  options_.max_attempts = 1'000'000;
  sink_.down = true;
  StartEngine();
  for (int i = 0; i < 10; ++i) Publish(topic, fmt::format(R"("Message":"m{}")", i));
  size_t max_pending = 0;
  ASSERT_TRUE(WaitTrackingPending(
      *engine_, [&] { return engine_->stats().retries > 5; }, &max_pending));
  {
    std::lock_guard lock(sink_.mu);
    sink_.down = false;
  }
  ASSERT_TRUE(WaitTrackingPending(
      *engine_, [&] { return sink_.Count(kQ1) == 10; }, &max_pending));
  EXPECT_EQ(max_pending, 1u);
}

}  // namespace
}  // namespace tidepool::engine
