// Test harness for KinesisService: a MemoryStore, a CommitQueue, a FakeClock and an
// io_context, with helpers that run an operation from a JSON body through the real model's
// codec (json_codec::DecodeRequest; or raw, as the router sends PutRecord(s)) and
// KinesisService::Invoke, and wait for its Outcome.
// Used only by *_test.cc files.
#pragma once

#include <gtest/gtest.h>

#include <fmt/format.h>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>

#include <chrono>
#include <future>
#include <memory>
#include <string>

#include "core/encoding.h"
#include "protocol/codec/json_codec.h"
#include "protocol/model/models.h"
#include "services/kinesis/kinesis_service.h"
#include "storage/commit_queue.h"
#include "storage/memory_store.h"

namespace tidepool::kinesis::testing {

namespace json = boost::json;

constexpr std::string_view kAccount = "123456789012";
constexpr std::string_view kRegion = "us-east-1";

inline std::string B64(std::string_view raw) { return Base64Encode(raw); }

class KinesisHarness {
 public:
  explicit KinesisHarness(KinesisOptions options = {}) : options_(options) {
    options_.trim_interval = std::chrono::milliseconds(0);
    Start();
  }
  ~KinesisHarness() { Stop(); }

  // Destroys the service (after draining commits) and builds a new one over the same store.
  void Restart() {
    Stop();
    Start();
  }

  protocol::Outcome Invoke(std::string_view operation, std::string_view body,
                           std::string account = std::string(kAccount)) {
    const auto* op = protocol::model::KinesisModel().FindOperation(operation);
    if (op == nullptr)
      return protocol::AwsError{"NoSuchOperation", std::string(operation), 400, true, {}};
    auto promise = std::make_shared<std::promise<protocol::Outcome>>();
    auto future = promise->get_future();
    protocol::RequestContext ctx{account, std::string(kRegion), "", "req-1", "localhost"};
    auto done = [promise](protocol::Outcome outcome) { promise->set_value(std::move(outcome)); };
    // As the router does: raw for the operations the service reads itself, else decoded.
    auto call = protocol::json_codec::MakeCall(*service_, *op, std::string(body), std::move(ctx),
                                               std::move(done));
    if (call) service_->Invoke(std::move(call));
    if (future.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
      ADD_FAILURE() << operation << " did not complete";
      return protocol::AwsError{"Timeout", std::string(operation), 500, false, {}};
    }
    protocol::Outcome outcome = future.get();
    // Hand-encoded replies are read back along the output shape, as a client would: the
    // tests then check them exactly like model-encoded ones.
    if (auto* encoded = std::get_if<protocol::EncodedJson>(&outcome)) {
      auto output =
          protocol::json_codec::DecodeOutput(protocol::model::KinesisModel(), *op, encoded->body);
      if (auto* err = std::get_if<protocol::AwsError>(&output)) {
        ADD_FAILURE() << operation << " replied malformed JSON: " << err->message << "\n"
                      << encoded->body;
        return *err;
      }
      return std::get<json::object>(std::move(output));
    }
    return outcome;
  }

  // The output of a call that must succeed.
  json::object Ok(std::string_view operation, std::string_view body) {
    auto outcome = Invoke(operation, body);
    if (auto* err = std::get_if<protocol::AwsError>(&outcome)) {
      ADD_FAILURE() << operation << " " << body << " -> " << err->code << ": " << err->message;
      return {};
    }
    return std::get<json::object>(std::move(outcome));
  }

  // The error of a call that must fail.
  protocol::AwsError Err(std::string_view operation, std::string_view body) {
    auto outcome = Invoke(operation, body);
    if (auto* err = std::get_if<protocol::AwsError>(&outcome)) return *err;
    ADD_FAILURE() << operation << " " << body
                  << " succeeded: " << json::serialize(std::get<json::object>(outcome));
    return {};
  }

  void CreateStream(std::string_view name, int shards) {
    Ok("CreateStream", fmt::format(R"({{"StreamName":"{}","ShardCount":{}}})", name, shards));
  }
  // PutRecord; returns {ShardId, SequenceNumber}.
  json::object Put(std::string_view stream, std::string_view data, std::string_view key) {
    return Ok("PutRecord", fmt::format(R"({{"StreamName":"{}","Data":"{}","PartitionKey":"{}"}})",
                                       stream, B64(data), key));
  }
  std::string Iterator(std::string_view stream, std::string_view shard, std::string_view type,
                       std::string_view extra = "") {
    auto out = Ok("GetShardIterator",
                  fmt::format(R"({{"StreamName":"{}","ShardId":"{}","ShardIteratorType":"{}"{}}})",
                              stream, shard, type, extra));
    return std::string(out["ShardIterator"].as_string());
  }
  json::object Get(std::string_view iterator, int limit = 10000) {
    return Ok("GetRecords", fmt::format(R"({{"ShardIterator":"{}","Limit":{}}})", iterator, limit));
  }

  FakeClock& clock() { return clock_; }
  boost::asio::io_context& io() { return io_; }
  storage::MemoryStore& store() { return store_; }
  storage::CommitQueue& commits() { return *commits_; }
  KinesisService& service() { return *service_; }

 private:
  void Start() {
    commits_ = std::make_unique<storage::CommitQueue>(store_, storage::Durability::kMemory);
    service_ = std::make_unique<KinesisService>(store_, *commits_, clock_, io_, options_);
    Status st = service_->Recover();
    EXPECT_TRUE(st.ok()) << st.ToString();
  }
  void Stop() {
    if (commits_) commits_->Flush();
    io_.stop();
    io_.restart();
    service_.reset();
    if (commits_) commits_->Stop();
    commits_.reset();
  }

  KinesisOptions options_;
  storage::MemoryStore store_;
  FakeClock clock_;
  boost::asio::io_context io_;
  std::unique_ptr<storage::CommitQueue> commits_;
  std::unique_ptr<KinesisService> service_;
};

}  // namespace tidepool::kinesis::testing
