#include "engine/lambda_function_sink.h"

namespace tidepool::engine {

void LambdaFunctionSink::InvokeAsync(std::string_view function_arn, std::string payload,
                                     SinkDone done) {
  InvokeAsyncTraced(function_arn, std::move(payload), {}, std::move(done));
}

void LambdaFunctionSink::InvokeAsyncTraced(std::string_view function_arn, std::string payload,
                                           std::string trace_header, SinkDone done) {
  lambda_.EnqueueInternal(
      function_arn, std::move(payload),
      [done = std::move(done)](const Status& st) {
        if (st.ok()) return done({SinkOutcome::kAccepted, {}});
        if (st.code() == StatusCode::kServiceError &&
            st.message().rfind("Function not found", 0) == 0) {
          return done({SinkOutcome::kGone, st.message()});
        }
        done({SinkOutcome::kRetry, st.ToString()});
      },
      std::move(trace_header));
}

}  // namespace tidepool::engine
