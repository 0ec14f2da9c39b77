// Fuzz target: arbitrary bodies for arbitrary Kinesis operations, through the JSON codec
// (json_codec::DecodeRequest; raw for the operations the service reads itself, as the router
// does) and then KinesisService::Invoke on an in-memory store.
//
// Input: byte 0 picks the operation (modulo the model's operation count), the rest is the
// request body. Each input's work is bounded: the body is at most -max_len bytes, shard
// counts are capped by the service's shard limit, and the whole service and store are rebuilt
// every kInputsPerWorld inputs so state cannot grow without bound. A pre-made stream "s"
// (2 shards, one record) gives stream-addressed operations something to find.
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string_view>

#include "core/clock.h"
#include "protocol/codec/json_codec.h"
#include "protocol/model/models.h"
#include "services/kinesis/kinesis_service.h"
#include "storage/commit_queue.h"
#include "storage/memory_store.h"

namespace {

using namespace tidepool;

constexpr int kInputsPerWorld = 200;

struct World {
  World() {
    kinesis::KinesisOptions options;
    options.trim_interval = std::chrono::milliseconds(0);
    options.shard_limit = 64;
    commits = std::make_unique<storage::CommitQueue>(store, storage::Durability::kMemory);
    service = std::make_unique<kinesis::KinesisService>(store, *commits, clock, io, options);
    if (!service->Recover().ok()) std::abort();
    Run("CreateStream", R"({"StreamName":"s","ShardCount":2})");
    Run("PutRecord", R"({"StreamName":"s","Data":"aGVsbG8=","PartitionKey":"k"})");
  }
  ~World() {
    commits->Flush();
    service.reset();
    commits->Stop();
  }

  void Run(std::string_view operation, std::string_view body) {
    const auto* op = protocol::model::KinesisModel().FindOperation(operation);
    if (op) Run(*op, body);
  }

  void Run(const protocol::model::Operation& op, std::string_view body) {
    bool done = false;
    auto finish = [&done, &op](protocol::Outcome outcome) {
      done = true;
      // A reply must serialize along the model's output shape.
      if (auto* out = std::get_if<boost::json::object>(&outcome)) {
        (void)protocol::json_codec::EncodeOutput(protocol::model::KinesisModel(), op, *out);
      }
    };
    protocol::RequestContext context{"123456789012", "us-east-1", "", "fuzz", "localhost"};
    auto call = protocol::json_codec::MakeCall(*service, op, std::string(body), std::move(context),
                                               finish);  // as the router
    if (!call) return;  // the codec refused the body (and `finish` saw its error)
    service->Invoke(std::move(call));
    commits->Flush();  // every reply has been sent once this returns
    if (!done) std::abort();
  }

  storage::MemoryStore store;
  FakeClock clock;
  boost::asio::io_context io;
  std::unique_ptr<storage::CommitQueue> commits;
  std::unique_ptr<kinesis::KinesisService> service;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static std::unique_ptr<World> world;
  static int inputs = 0;
  if (!world || ++inputs % kInputsPerWorld == 0) {
    world.reset();
    world = std::make_unique<World>();
  }
  if (size == 0) return 0;
  const auto& ops = protocol::model::KinesisModel().operations;
  const auto& op = ops[data[0] % ops.size()];
  world->Run(op, std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1));
  world->clock.AdvanceMicros(1000);
  return 0;
}
