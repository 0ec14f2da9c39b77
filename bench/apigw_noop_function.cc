// A provided.al2023 function for the apigw-proxy scenario: answers every event with the
// smallest Lambda proxy response ({"statusCode":200,"body":"{}"}), doing nothing else.
#include "lambda_runtime.h"

int main() {
  namespace rt = tidepool::lambda_runtime;
  return rt::Run([](const rt::Request&) {
    return rt::Response::Success(R"({"statusCode":200,"body":"{}"})");
  });
}
