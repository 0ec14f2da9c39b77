// Test harness for DynamoDbService whose commits the test holds open: a MemoryStore, a
// CommitQueue in memory mode whose completions run only when the test says so (a manual
// Deferrer; batches reach the store at Submit), and a FakeClock. Calls are built from a JSON
// body through the real DynamoDB model (json_codec::DecodeRequest validates it).
//
// Start() begins an operation and returns at once; a write's reply waits for its commit
// completion, which runs at Complete(). Run() = Start() + Complete(). Used only by *_test.cc.
#pragma once

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "protocol/codec/json_codec.h"
#include "protocol/model/models.h"
#include "services/dynamodb/dynamodb_service.h"
#include "storage/commit_queue.h"
#include "storage/memory_store.h"

namespace tidepool::dynamodb::testing {

// An operation started by DynamoHarness::Start: its outcome once replied.
class Started {
 public:
  void Set(protocol::Outcome o) {
    std::lock_guard lock(mu_);
    outcome_ = std::move(o);
  }
  bool done() const {
    std::lock_guard lock(mu_);
    return outcome_.has_value();
  }
  // The outcome; fails the test (and returns an InternalFailure) when there is none yet.
  protocol::Outcome outcome() const {
    std::lock_guard lock(mu_);
    if (!outcome_) {
      ADD_FAILURE() << "the operation has not replied";
      return protocol::AwsError{"NotReplied", "", 500, false, {}};
    }
    return *outcome_;
  }

 private:
  mutable std::mutex mu_;
  std::optional<protocol::Outcome> outcome_;
};

class DynamoHarness {
 public:
  DynamoHarness()
      : commits_(std::make_unique<storage::CommitQueue>(store_, storage::Durability::kMemory,
                                                        [this](std::function<void()> task) {
                                                          std::lock_guard lock(tasks_mu_);
                                                          tasks_.push_back(std::move(task));
                                                        })),
        service_(std::make_unique<DynamoDbService>(store_, *commits_, clock_)) {
    EXPECT_TRUE(service_->Recover().ok());
  }
  ~DynamoHarness() {
    commits_->Stop();  // runs the completions still held
    service_.reset();
    commits_.reset();
  }
  DynamoHarness(const DynamoHarness&) = delete;
  DynamoHarness& operator=(const DynamoHarness&) = delete;

  DynamoDbService& service() { return *service_; }
  FakeClock& clock() { return clock_; }

  std::shared_ptr<Started> Start(std::string_view operation, std::string_view body) {
    auto started = std::make_shared<Started>();
    const auto& model = protocol::model::DynamoDbModel();
    const auto* op = model.FindOperation(operation);
    if (op == nullptr) {
      ADD_FAILURE() << "no operation " << operation;
      started->Set(protocol::AwsError{"NoSuchOperation", std::string(operation), 400, true, {}});
      return started;
    }
    auto decoded = protocol::json_codec::DecodeRequest(model, *op, body);
    if (auto* err = std::get_if<protocol::AwsError>(&decoded)) {
      started->Set(*err);
      return started;
    }
    protocol::RequestContext ctx{"123456789012", "us-east-1", "", "req-1", "localhost:4566", ""};
    auto call = std::make_shared<protocol::Call>(
        std::move(ctx), *op, std::get<boost::json::object>(std::move(decoded)),
        [started](protocol::Outcome o) { started->Set(std::move(o)); });
    service_->Invoke(std::move(call));
    return started;
  }

  // Runs every commit completion held so far (and those they lead to).
  void Complete() {
    for (;;) {
      std::vector<std::function<void()>> now;
      {
        std::lock_guard lock(tasks_mu_);
        now.swap(tasks_);
      }
      if (now.empty()) return;
      for (auto& task : now) task();
    }
  }

  protocol::Outcome Run(std::string_view operation, std::string_view body) {
    auto started = Start(operation, body);
    Complete();
    return started->outcome();
  }

  boost::json::object Ok(std::string_view operation, std::string_view body) {
    return Ok(Run(operation, body), operation);
  }
  static boost::json::object Ok(const protocol::Outcome& o, std::string_view what = "") {
    if (const auto* e = std::get_if<protocol::AwsError>(&o)) {
      ADD_FAILURE() << what << ": unexpected " << e->code << ": " << e->message;
      return {};
    }
    if (const auto* enc = std::get_if<protocol::EncodedJson>(&o)) {
      return boost::json::parse(enc->body).as_object();
    }
    return std::get<boost::json::object>(o);
  }

  protocol::AwsError Err(std::string_view operation, std::string_view body) {
    return Err(Run(operation, body), operation);
  }
  static protocol::AwsError Err(const protocol::Outcome& o, std::string_view what = "") {
    if (const auto* e = std::get_if<protocol::AwsError>(&o)) return *e;
    ADD_FAILURE() << what << ": unexpected success";
    return {};
  }

  // Creates table `name` with a string hash key `pk` and, when `range` is set, a string
  // range key `sk`.
  void CreateTable(std::string_view name, bool range = false) {
    std::string body = R"({"TableName":")" + std::string(name) +
                       R"(","BillingMode":"PAY_PER_REQUEST","KeySchema":[{"AttributeName":"pk",)"
                       R"("KeyType":"HASH"})";
    body += range ? R"(,{"AttributeName":"sk","KeyType":"RANGE"}])" : "]";
    body += R"(,"AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"})";
    body += range ? R"(,{"AttributeName":"sk","AttributeType":"S"}]})" : "]}";
    Ok("CreateTable", body);
  }

 private:
  storage::MemoryStore store_;
  FakeClock clock_;
  std::mutex tasks_mu_;
  std::vector<std::function<void()>> tasks_;  // deferred commit completions
  std::unique_ptr<storage::CommitQueue> commits_;
  std::unique_ptr<DynamoDbService> service_;
};

}  // namespace tidepool::dynamodb::testing
