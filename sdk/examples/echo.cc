// A provided.al2023 function built with sdk/lambda_runtime.h: answers {"echo": <event>}, or a
// function error when the event is {"fail": ...}. Used by the integration tests.
#include <cstdio>
#include <string>

#include "lambda_runtime.h"

int main() {
  namespace rt = tidepool::lambda_runtime;
  return rt::Run([](const rt::Request& req) {
    std::printf("echo function got %s\n", req.payload.c_str());
    std::fflush(stdout);
    if (req.payload.find("\"fail\"") != std::string::npos) {
      throw rt::HandlerError("EchoError", "asked to fail");
    }
    return rt::Response::Success("{\"echo\":" + req.payload + ",\"request_id\":\"" +
                                 req.request_id + "\"}");
  });
}
