// Test harness for SnsService: a MemoryStore, a CommitQueue and a FakeClock, with helpers
// that build a Call from a JSON body through the real SNS model (json_codec::DecodeRequest
// validates it against the model's input shape, as the query codec will) and wait for its
// Outcome. Used only by *_test.cc files (and the engine's tests).
#pragma once

#include <gtest/gtest.h>

#include <fmt/format.h>
#include <boost/json.hpp>

#include <chrono>
#include <future>
#include <memory>
#include <string>

#include "protocol/codec/json_codec.h"
#include "protocol/model/models.h"
#include "services/sns/sns_service.h"
#include "storage/commit_queue.h"
#include "storage/memory_store.h"

namespace tidepool::sns::testing {

namespace json = boost::json;

constexpr std::string_view kAccount = "123456789012";
constexpr std::string_view kRegion = "us-east-1";

class SnsHarness {
 public:
  SnsHarness() { Start(); }
  ~SnsHarness() { Stop(); }

  // Destroys the service (after draining commits) and builds a new one over the same store.
  void Restart() {
    Stop();
    Start();
  }

  protocol::Outcome Invoke(std::string_view operation, std::string_view body) {
    const auto& model = protocol::model::SnsModel();
    const auto* op = model.FindOperation(operation);
    if (op == nullptr)
      return protocol::AwsError{"NoSuchOperation", std::string(operation), 400, true, {}};
    auto decoded = protocol::json_codec::DecodeRequest(model, *op, body);
    if (auto* err = std::get_if<protocol::AwsError>(&decoded)) return *err;
    auto promise = std::make_shared<std::promise<protocol::Outcome>>();
    auto future = promise->get_future();
    protocol::RequestContext ctx{std::string(kAccount), std::string(kRegion), "", "req-1",
                                 "localhost:4566"};
    auto call = std::make_shared<protocol::Call>(
        std::move(ctx), *op, std::get<json::object>(std::move(decoded)),
        [promise](protocol::Outcome outcome) { promise->set_value(std::move(outcome)); });
    service_->Invoke(std::move(call));
    if (future.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
      ADD_FAILURE() << operation << " did not complete";
      return protocol::AwsError{"Timeout", std::string(operation), 500, false, {}};
    }
    return future.get();
  }

  json::object Ok(std::string_view operation, std::string_view body) {
    auto outcome = Invoke(operation, body);
    if (auto* err = std::get_if<protocol::AwsError>(&outcome)) {
      ADD_FAILURE() << operation << " " << body << " -> " << err->code << ": " << err->message;
      return {};
    }
    return std::get<json::object>(std::move(outcome));
  }

  protocol::AwsError Err(std::string_view operation, std::string_view body) {
    auto outcome = Invoke(operation, body);
    if (auto* err = std::get_if<protocol::AwsError>(&outcome)) return *err;
    ADD_FAILURE() << operation << " " << body
                  << " succeeded: " << json::serialize(std::get<json::object>(outcome));
    return {};
  }

  std::string CreateTopic(std::string_view name, std::string_view attributes = "{}") {
    auto out =
        Ok("CreateTopic", fmt::format(R"({{"Name":"{}","Attributes":{}}})", name, attributes));
    return out.contains("TopicArn") ? std::string(out["TopicArn"].as_string()) : "";
  }
  std::string Subscribe(std::string_view topic, std::string_view protocol,
                        std::string_view endpoint, std::string_view attributes = "{}") {
    auto out = Ok("Subscribe", fmt::format(R"({{"TopicArn":"{}","Protocol":"{}","Endpoint":"{}",)"
                                           R"("Attributes":{},"ReturnSubscriptionArn":true}})",
                                           topic, protocol, endpoint, attributes));
    return out.contains("SubscriptionArn") ? std::string(out["SubscriptionArn"].as_string()) : "";
  }

  FakeClock& clock() { return clock_; }
  storage::MemoryStore& store() { return store_; }
  storage::CommitQueue& commits() { return *commits_; }
  SnsService& service() { return *service_; }

 private:
  void Start() {
    commits_ = std::make_unique<storage::CommitQueue>(store_, storage::Durability::kMemory);
    service_ = std::make_unique<SnsService>(store_, *commits_, clock_, SnsOptions{});
    Status st = service_->Recover();
    EXPECT_TRUE(st.ok()) << st.ToString();
  }
  void Stop() {
    if (commits_) commits_->Flush();
    service_.reset();
    if (commits_) commits_->Stop();
    commits_.reset();
  }

  storage::MemoryStore store_;
  FakeClock clock_;
  std::unique_ptr<storage::CommitQueue> commits_;
  std::unique_ptr<SnsService> service_;
};

}  // namespace tidepool::sns::testing
