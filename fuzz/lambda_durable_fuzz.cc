// libFuzzer target: a Lambda durable execution's inputs from outside. The input is one of
// (by its first byte): 'u' + the Updates of a CheckpointDurableExecution (JSON, applied to a
// new execution, then its timers fired and its state paged and stored); 'r' + a stored
// execution record (decoded and, when it decodes, encoded again); anything else: a checkpoint
// token or callback id to decode.
#include <boost/json.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "services/lambda/durable/execution.h"

using tidepool::lambda::durable::DurableExecution;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  if (input.empty()) return 0;
  const char kind = input.front();
  input.remove_prefix(1);
  constexpr int64_t kNow = 1'700'000'000'000;
  if (kind == 'u') {
    boost::system::error_code ec;
    boost::json::value updates = boost::json::parse(input, ec);
    if (ec || !updates.is_array()) return 0;
    DurableExecution e =
        DurableExecution::Start(boost::json::object{{"DurableExecutionArn",
                                                     "arn:aws:lambda:us-east-1:000000000000:"
                                                     "function:f:$LATEST/durable-execution/n/i"},
                                                    {"ExecutionTimeout", 60}},
                                "{}", kNow, 0.5);
    (void)e.Apply(updates.get_array(), kNow, 0.5);
    (void)e.FireDue(kNow + 120'000);
    std::string marker;
    (void)e.OperationsPage(0, 3, &marker);
    (void)e.OperationsAfter(1);
    (void)DurableExecution::Decode(e.Encode());
  } else if (kind == 'r') {
    auto decoded = DurableExecution::Decode(input);
    if (decoded.ok()) {
      (void)decoded->Encode();
      (void)decoded->NextDue();
      (void)decoded->FireDue(kNow);
    }
  } else {
    (void)tidepool::lambda::durable::DecodeCheckpointToken(input);
    (void)tidepool::lambda::durable::DecodeCallbackId(input);
  }
  return 0;
}
