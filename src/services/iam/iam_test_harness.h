// Test harness for IamService and StsService: a MemoryStore, a CommitQueue and a FakeClock,
// with helpers that build a Call from a JSON body through the real IAM/STS models
// (json_codec::DecodeRequest validates it against the operation's input shape, as the query
// codec does) and wait for its Outcome. Used only by *_test.cc files.
#pragma once

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <chrono>
#include <future>
#include <memory>
#include <string>

#include "protocol/codec/json_codec.h"
#include "protocol/model/models.h"
#include "services/iam/iam_service.h"
#include "services/iam/sts_service.h"
#include "storage/commit_queue.h"
#include "storage/memory_store.h"

namespace tidepool::iam::testing {

namespace json = boost::json;

constexpr std::string_view kAccount = "123456789012";

class IamHarness {
 public:
  IamHarness() { Start(); }
  ~IamHarness() { Stop(); }

  // Destroys the services (after draining commits) and builds new ones over the same store.
  void Restart() {
    Stop();
    Start();
  }

  // `access_key`: the request's SigV4 access key id (GetCallerIdentity).
  protocol::Outcome Invoke(std::string_view operation, std::string_view body,
                           std::string_view access_key = "") {
    const bool sts = protocol::model::StsModel().FindOperation(operation) != nullptr &&
                     protocol::model::IamModel().FindOperation(operation) == nullptr;
    const auto& model = sts ? protocol::model::StsModel() : protocol::model::IamModel();
    const auto* op = model.FindOperation(operation);
    if (op == nullptr) {
      return protocol::AwsError{"NoSuchOperation", std::string(operation), 400, true, {}};
    }
    auto decoded = protocol::json_codec::DecodeRequest(model, *op, body);
    if (auto* err = std::get_if<protocol::AwsError>(&decoded)) return *err;
    auto promise = std::make_shared<std::promise<protocol::Outcome>>();
    auto future = promise->get_future();
    protocol::RequestContext ctx{std::string(kAccount), "us-east-1", std::string(access_key),
                                 "req-1", "localhost:4566"};
    auto call = std::make_shared<protocol::Call>(
        std::move(ctx), *op, std::get<json::object>(std::move(decoded)),
        [promise](protocol::Outcome outcome) { promise->set_value(std::move(outcome)); });
    if (sts) {
      sts_->Invoke(std::move(call));
    } else {
      iam_->Invoke(std::move(call));
    }
    if (future.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
      ADD_FAILURE() << operation << " did not complete";
      return protocol::AwsError{"Timeout", std::string(operation), 500, false, {}};
    }
    return future.get();
  }

  json::object Ok(std::string_view operation, std::string_view body,
                  std::string_view access_key = "") {
    auto outcome = Invoke(operation, body, access_key);
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

  FakeClock& clock() { return clock_; }
  storage::MemoryStore& store() { return store_; }
  storage::CommitQueue& commits() { return *commits_; }
  IamService& iam() { return *iam_; }

 private:
  void Start() {
    commits_ = std::make_unique<storage::CommitQueue>(store_, storage::Durability::kMemory);
    iam_ = std::make_unique<IamService>(store_, *commits_, clock_);
    Status st = iam_->Recover();
    EXPECT_TRUE(st.ok()) << st.ToString();
    sts_ = std::make_unique<StsService>(*iam_, clock_);
  }
  void Stop() {
    if (commits_) commits_->Flush();
    sts_.reset();
    iam_.reset();
    if (commits_) commits_->Stop();
    commits_.reset();
  }

  storage::MemoryStore store_;
  FakeClock clock_;
  std::unique_ptr<storage::CommitQueue> commits_;
  std::unique_ptr<IamService> iam_;
  std::unique_ptr<StsService> sts_;
};

}  // namespace tidepool::iam::testing
