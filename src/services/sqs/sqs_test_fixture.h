// Test fixture for SqsService: a MemoryStore, a CommitQueue, a FakeClock and an io_context run
// on its own thread (for long-poll and move-task timers). Calls are built from the real SQS
// model and their Outcomes captured synchronously, as the AWS JSON protocol delivers them
// (protocol_ picks the other way, input decoded up front as by the query protocol).
#pragma once

#include <gtest/gtest.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "core/clock.h"
#include "protocol/codec/json_codec.h"
#include "protocol/model/models.h"
#include "services/sqs/keyspace.h"
#include "services/sqs/sqs_service.h"
#include "storage/commit_queue.h"
#include "storage/key_codec.h"
#include "storage/memory_store.h"

namespace tidepool::sqs {

class SqsTest : public ::testing::Test {
 protected:
  using Outcome = protocol::Outcome;

  void SetUp() override {
    commits_ = std::make_unique<storage::CommitQueue>(store_, storage::Durability::kMemory);
    work_ = std::make_unique<WorkGuard>(io_.get_executor());
    io_thread_ = std::thread([this] { io_.run(); });
    StartService();
  }

  void TearDown() override {
    commits_->Flush();
    work_.reset();
    io_.stop();
    io_thread_.join();
    service_.reset();
    commits_.reset();
  }

  virtual SqsOptions Options() {
    SqsOptions o;
    o.move_task_step = std::chrono::milliseconds(10);
    return o;
  }

  void StartService() {
    service_ = std::make_unique<SqsService>(store_, *commits_, clock_, io_, Options());
    ASSERT_TRUE(service_->Recover().ok());
  }

  // Replaces the service by a new one recovered from the same store. The io thread stops
  // first: a timer of the old service (a move-task step) may be running on it, and must not
  // see its service destroyed. Handlers still queued check the old service's liveness token.
  void Restart() {
    commits_->Flush();
    work_.reset();
    io_.stop();
    io_thread_.join();
    io_.restart();
    service_.reset();
    StartService();
    work_ = std::make_unique<WorkGuard>(io_.get_executor());
    io_thread_ = std::thread([this] { io_.run(); });
  }

  std::future<Outcome> CallAsync(std::string_view op, const boost::json::object& input) {
    return CallAsync(op, input, std::nullopt);
  }

  // A raw-input call with exactly `body` (the operation must be one the service takes raw).
  Outcome CallRaw(std::string_view op, std::string body) {
    auto f = CallAsync(op, {}, std::move(body));
    EXPECT_EQ(f.wait_for(std::chrono::seconds(30)), std::future_status::ready) << op;
    return f.get();
  }

  std::future<Outcome> CallAsync(std::string_view op, const boost::json::object& input,
                                 std::optional<std::string> raw_body) {
    const auto& model = protocol::model::SqsModel();
    const auto* operation = model.FindOperation(op);
    EXPECT_NE(operation, nullptr) << op;
    auto promise = std::make_shared<std::promise<Outcome>>();
    auto future = promise->get_future();
    protocol::RequestContext ctx{"123456789012", "us-east-1", "AKIDEXAMPLE", "req-1",
                                 "localhost:4566"};
    // Hand-encoded replies are read back along the output shape, as a client would.
    auto done = [this, promise, operation, &model](Outcome o) {
      if (auto* encoded = std::get_if<protocol::EncodedJson>(&o)) {
        ++encoded_replies_;
        auto output = protocol::json_codec::DecodeOutput(model, *operation, encoded->body);
        if (auto* err = std::get_if<protocol::AwsError>(&output)) {
          ADD_FAILURE() << operation->name << " replied malformed JSON: " << encoded->body;
          o = *err;
        } else {
          o = std::get<boost::json::object>(std::move(output));
        }
      }
      promise->set_value(std::move(o));
    };
    std::shared_ptr<protocol::Call> call;
    if (raw_body || (protocol_ == Protocol::kJson && service_->TakesRawInput(*operation))) {
      // As the router does: the body undecoded, for the service to decode.
      EXPECT_TRUE(service_->TakesRawInput(*operation)) << op;
      call = std::make_shared<protocol::Call>(
          ctx, *operation,
          protocol::json_codec::RawInput(
              model, raw_body ? std::move(*raw_body) : boost::json::serialize(input)),
          std::move(done));
    } else {
      call = std::make_shared<protocol::Call>(ctx, *operation, input, std::move(done));
    }
    service_->Invoke(std::move(call));
    return future;
  }

  Outcome Call(std::string_view op, const boost::json::object& input) {
    auto f = CallAsync(op, input);
    EXPECT_EQ(f.wait_for(std::chrono::seconds(30)), std::future_status::ready) << op;
    return f.get();
  }

  Outcome Call(std::string_view op, std::string_view json_input) {
    return Call(op, boost::json::parse(json_input).as_object());
  }

  // The output object; fails the test on an error outcome.
  boost::json::object Ok(const Outcome& o) {
    if (const auto* e = std::get_if<protocol::AwsError>(&o)) {
      ADD_FAILURE() << "unexpected error " << e->code << ": " << e->message;
      return {};
    }
    return std::get<boost::json::object>(o);
  }

  // The error; fails the test on success.
  protocol::AwsError Err(const Outcome& o) {
    if (const auto* e = std::get_if<protocol::AwsError>(&o)) return *e;
    ADD_FAILURE() << "unexpected success " << boost::json::serialize(std::get<0>(o));
    return {};
  }

  std::string CreateQueue(std::string_view name, boost::json::object attributes = {}) {
    boost::json::object in{{"QueueName", name}};
    if (!attributes.empty()) in["Attributes"] = std::move(attributes);
    auto out = Ok(Call("CreateQueue", in));
    return std::string(out["QueueUrl"].as_string());
  }

  boost::json::object Send(const std::string& url, std::string_view body,
                           boost::json::object extra = {}) {
    extra["QueueUrl"] = url;
    extra["MessageBody"] = body;
    return Ok(Call("SendMessage", extra));
  }

  boost::json::array Receive(const std::string& url, boost::json::object extra = {}) {
    extra["QueueUrl"] = url;
    auto out = Ok(Call("ReceiveMessage", extra));
    if (!out.contains("Messages")) return {};
    return out["Messages"].as_array();
  }

  std::string Attribute(const std::string& url, std::string_view name) {
    auto out = Ok(
        Call("GetQueueAttributes",
             boost::json::object{{"QueueUrl", url}, {"AttributeNames", boost::json::array{name}}}));
    if (!out.contains("Attributes")) return "<absent>";
    auto& attrs = out["Attributes"].as_object();
    if (!attrs.contains(name)) return "<absent>";
    return std::string(attrs[name].as_string());
  }

  // How many store records of SQS key kind `kind` exist (keyspace.h).
  size_t Records(char kind) {
    size_t n = 0;
    const std::string begin = keyspace::KindPrefix(kind);
    EXPECT_TRUE(store_
                    .Scan(begin, storage::PrefixEnd(begin),
                          [&](std::string_view, std::string_view) { return ++n > 0; })
                    .ok());
    return n;
  }

  using WorkGuard = boost::asio::executor_work_guard<boost::asio::io_context::executor_type>;
  storage::MemoryStore store_;
  std::unique_ptr<storage::CommitQueue> commits_;
  FakeClock clock_;
  boost::asio::io_context io_;
  std::unique_ptr<WorkGuard> work_;
  std::thread io_thread_;
  std::unique_ptr<SqsService> service_;

  // kJson: operations the service takes raw get their body undecoded, as over the AWS JSON
  // protocol; kDecoded: every input decoded up front, as the query protocol delivers it.
  enum class Protocol { kJson, kDecoded };
  Protocol protocol_ = Protocol::kJson;
  std::atomic<int> encoded_replies_{0};  // hand-encoded replies seen
};

}  // namespace tidepool::sqs
