// A function URL in RESPONSE_STREAM mode: the function's streamed response
// (functions::ResponseStream) becomes the HTTP response as it arrives, the way
// https://docs.aws.amazon.com/lambda/latest/dg/config-rs-invoke-furls.html describes it. A
// response of type application/vnd.awslambda.http-integration-response (Node's
// awslambda.HttpResponseStream.from) starts with a JSON prelude (statusCode, headers, cookies)
// ended by eight zero bytes; any other type is the body of a 200 with that Content-Type.
//
// Thread-safety: every member may be called from any thread.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "functions/invoker.h"
#include "protocol/http/push_body.h"
#include "protocol/http/responder.h"

namespace tidepool::apigateway {

class FunctionUrlStream final : public functions::ResponseStream {
 public:
  // `decorate` adds what every response gets (the URL's CORS headers).
  FunctionUrlStream(protocol::http::Responder respond,
                    std::function<void(protocol::http::HttpResponse&)> decorate);

  void Begin(std::string_view content_type) override;
  void Write(std::string_view bytes) override;

  // The invocation ended. True when the response was streamed (it ends here; a function error
  // after it began cuts it short); false when nothing streamed and the caller answers.
  bool End();

 private:
  void StartLocked(protocol::http::HttpResponse head);

  std::mutex mu_;
  protocol::http::Responder respond_;
  std::function<void(protocol::http::HttpResponse&)> decorate_;
  bool begun_ = false;
  bool prelude_ = false;                            // reading the prelude (begun, not started)
  std::string pending_;                             // prelude bytes so far
  std::shared_ptr<protocol::http::PushBody> body_;  // once the HTTP response started
  bool failed_ = false;                             // a malformed prelude was answered 502
};

}  // namespace tidepool::apigateway
