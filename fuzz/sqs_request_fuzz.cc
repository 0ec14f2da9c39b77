// libFuzzer target: arbitrary request bodies decoded by the JSON codec with the SQS model, then
// run by SqsService on an in-memory store. Input: byte 0 picks the operation (index into the
// model's operations, modulo their count); the rest is the JSON body. Long polls are turned
// into short polls (nothing runs the io_context's timers here). Every call must complete once,
// with an output or an AwsError, and never crash.
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string_view>

#include "core/clock.h"
#include "protocol/codec/json_codec.h"
#include "protocol/model/models.h"
#include "services/sqs/sqs_service.h"
#include "storage/commit_queue.h"
#include "storage/memory_store.h"

namespace {

using namespace tidepool;

struct Harness {
  storage::MemoryStore store;
  storage::CommitQueue commits{store, storage::Durability::kMemory};
  FakeClock clock;
  boost::asio::io_context io;
  std::unique_ptr<sqs::SqsService> service;

  Harness() {
    sqs::SqsOptions options;
    options.retention_sweep_interval = std::chrono::milliseconds(0);
    service = std::make_unique<sqs::SqsService>(store, commits, clock, io, options);
    if (!service->Recover().ok()) std::abort();
    Run("CreateQueue", R"({"QueueName":"dlq"})");
    Run("CreateQueue",
        R"({"QueueName":"q","Attributes":{"RedrivePolicy":"{\"deadLetterTargetArn\":\"arn:aws:sqs:us-east-1:123456789012:dlq\",\"maxReceiveCount\":2}"}})");
    Run("CreateQueue", R"({"QueueName":"q.fifo","Attributes":{"FifoQueue":"true"}})");
  }

  void Run(std::string_view op_name, std::string_view body) {
    const auto& model = protocol::model::SqsModel();
    const auto* op = model.FindOperation(op_name);
    if (op) Run(*op, body);
  }

  void Run(const protocol::model::Operation& op, std::string_view body) {
    const auto& model = protocol::model::SqsModel();
    auto decoded = protocol::json_codec::DecodeRequest(model, op, body);
    auto* input = std::get_if<boost::json::object>(&decoded);
    if (!input) return;
    // No timers run here: make every receive a short poll.
    if (op.name == "ReceiveMessage") (*input)["WaitTimeSeconds"] = 0;
    if (auto* attrs = input->if_contains("Attributes"); attrs && attrs->is_object()) {
      attrs->get_object().erase("ReceiveMessageWaitTimeSeconds");
    }
    std::atomic<bool> completed{false};
    protocol::RequestContext ctx{"123456789012", "us-east-1", "", "fuzz", "localhost:4566"};
    auto call = std::make_shared<protocol::Call>(
        ctx, op, std::move(*input), [&completed, &op](protocol::Outcome o) {
          if (auto* out = std::get_if<boost::json::object>(&o)) {
            (void)protocol::json_codec::EncodeOutput(protocol::model::SqsModel(), op, *out);
          }
          completed = true;
        });
    service->Invoke(std::move(call));
    // Completions may submit further batches (a send serving a receive...): flush until done.
    for (int i = 0; i < 8 && !completed; ++i) commits.Flush();
    if (!completed) std::abort();  // a call was parked or lost
    clock.AdvanceSeconds(1);
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Harness* harness = new Harness();
  static int runs = 0;
  if (++runs % 2000 == 0) {  // bounds the messages piling up in memory
    delete harness;
    harness = new Harness();
  }
  if (size < 1) return 0;
  const auto& model = protocol::model::SqsModel();
  const auto& op = model.operations[data[0] % model.operations.size()];
  harness->Run(op, std::string_view(reinterpret_cast<const char*>(data + 1), size - 1));
  return 0;
}
