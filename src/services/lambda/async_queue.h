// The durable queue of accepted Event invocations (Invoke with InvocationType Event, and
// InvokeAsync). An entry is written in the batch that accepts the invocation (the 202 is sent
// once it is durable) and deleted once the invocation is done: it succeeded, or failed its
// retries, or its function is gone. The engine (engine/lambda_async_invoke.h) runs entries.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/result.h"

namespace tidepool::lambda {

struct AsyncInvocation {
  uint64_t seq = 0;
  std::string function_arn;  // as invoked: qualified when the caller named a qualifier
  std::string payload;
  std::string request_id;
  int64_t enqueued_ms = 0;
  std::string trace_header;  // the invoker's X-Ray trace (X-Amzn-Trace-Id), empty for none

  std::string Encode() const;  // {"fn","payload","id","at"[,"trace"]}; seq is the key
  static Result<AsyncInvocation> Decode(uint64_t seq, std::string_view text);
};
using AsyncInvocationPtr = std::shared_ptr<const AsyncInvocation>;

}  // namespace tidepool::lambda
