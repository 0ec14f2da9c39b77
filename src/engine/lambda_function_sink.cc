#include "engine/lambda_function_sink.h"

namespace tidepool::engine {

using functions::InvokeOutcome;

void LambdaFunctionSink::InvokeAsync(std::string_view function_arn, std::string payload,
                                     SinkDone done) {
  functions::Invocation invocation;
  invocation.payload = std::move(payload);
  lambda_.InvokeFunction(function_arn, "", "", std::move(invocation),
                         [done = std::move(done)](InvokeOutcome outcome) {
                           switch (outcome.kind) {
                             case InvokeOutcome::Kind::kSuccess:
                             case InvokeOutcome::Kind::kFunctionError:
                               return done({SinkOutcome::kAccepted, {}});
                             case InvokeOutcome::Kind::kThrottled:
                               return done({SinkOutcome::kRetry, outcome.message});
                             case InvokeOutcome::Kind::kServiceError:
                               if (outcome.message.rfind("Function not found", 0) == 0) {
                                 return done({SinkOutcome::kGone, outcome.message});
                               }
                               return done({SinkOutcome::kRetry, outcome.message});
                           }
                         });
}

}  // namespace tidepool::engine
