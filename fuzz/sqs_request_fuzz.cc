// libFuzzer target: arbitrary request bodies run by SqsService on an in-memory store, decoded
// by the JSON codec with the SQS model or, for the operations the service takes raw
// (TakesRawInput), handed over undecoded as the router does. Input: byte 0 picks the
// operation (index into the model's operations, modulo their count); the rest is the JSON
// body. Long polls are turned into short polls (nothing runs the io_context's timers here).
// Every call must complete once, with an output, hand-encoded JSON that decodes along the
// output shape, or an AwsError, and never crash.
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
#include "protocol/input.h"
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
    // As the router does, the operations the service reads itself get the body raw (bodies
    // the codec refuses too: the service must fail them with the codec's error). A receive
    // that would long-poll is decoded here instead and made a short poll: no timers run.
    const bool long_poll = op.name == "ReceiveMessage" && input != nullptr &&
                           protocol::InputInt(*input, "WaitTimeSeconds").value_or(0) != 0;
    const bool raw = service->TakesRawInput(op) && !long_poll;
    if (!raw && !input) return;
    if (long_poll) (*input)["WaitTimeSeconds"] = 0;
    if (input != nullptr) {
      if (auto* attrs = input->if_contains("Attributes"); attrs && attrs->is_object()) {
        attrs->get_object().erase("ReceiveMessageWaitTimeSeconds");
      }
    }
    std::atomic<bool> completed{false};
    protocol::RequestContext ctx{"123456789012", "us-east-1", "", "fuzz", "localhost:4566"};
    auto done = [&completed, &op](protocol::Outcome o) {
      if (auto* out = std::get_if<boost::json::object>(&o)) {
        (void)protocol::json_codec::EncodeOutput(protocol::model::SqsModel(), op, *out);
      } else if (auto* text = std::get_if<protocol::EncodedJson>(&o)) {
        // A hand-encoded reply must read back along the output shape.
        auto back = protocol::json_codec::DecodeOutput(protocol::model::SqsModel(), op, text->body);
        if (std::holds_alternative<protocol::AwsError>(back)) std::abort();
      }
      completed = true;
    };
    std::shared_ptr<protocol::Call> call;
    if (raw) {
      call = std::make_shared<protocol::Call>(
          ctx, op, protocol::json_codec::RawInput(model, std::string(body)), done);
    } else {
      call = std::make_shared<protocol::Call>(ctx, op, std::move(*input), done);
    }
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
