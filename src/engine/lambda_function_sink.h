// LambdaFunctionSink: the engine's FunctionSink bound to Lambda's durable async queue
// (LambdaService::EnqueueInternal), as AWS's SNS and S3 hand events to Lambda: `done` is
// kAccepted once the event is queued durably; Lambda's own retries, destinations and
// dead-letter queue take it from there (engine/lambda_async_invoke.h). A function that does not
// exist is kGone; a failed write kRetry. Thread-safe; `lambda` must outlive the sink.
#pragma once

#include "engine/sinks.h"
#include "services/lambda/lambda_service.h"

namespace tidepool::engine {

class LambdaFunctionSink final : public FunctionSink {
 public:
  explicit LambdaFunctionSink(lambda::LambdaService& lambda) : lambda_(lambda) {}
  void InvokeAsync(std::string_view function_arn, std::string payload, SinkDone done) override;
  void InvokeAsyncTraced(std::string_view function_arn, std::string payload,
                         std::string trace_header, SinkDone done) override;

 private:
  lambda::LambdaService& lambda_;
};

}  // namespace tidepool::engine
