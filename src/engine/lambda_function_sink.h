// LambdaFunctionSink: the engine's FunctionSink bound to LambdaService::InvokeFunction, the
// in-process invoke path (no HTTP hop). `done` runs once the function has run: success and
// function errors are kAccepted (Lambda took the event; its own async retries are not built
// yet), a throttled invoke is kRetry, a function that does not exist kGone. Thread-safe;
// `lambda` must outlive the sink.
#pragma once

#include "engine/sinks.h"
#include "services/lambda/lambda_service.h"

namespace tidepool::engine {

class LambdaFunctionSink final : public FunctionSink {
 public:
  explicit LambdaFunctionSink(lambda::LambdaService& lambda) : lambda_(lambda) {}
  void InvokeAsync(std::string_view function_arn, std::string payload, SinkDone done) override;

 private:
  lambda::LambdaService& lambda_;
};

}  // namespace tidepool::engine
