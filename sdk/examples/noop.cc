// A provided.al2023 function built with sdk/lambda_runtime.h that does nothing: it answers `{}`
// and writes no output. The benchmarks' "no-op C++ function" (issues 14 and 15): what an invoke
// costs without the function's own work or logging.
#include "lambda_runtime.h"

int main() {
  namespace rt = tidepool::lambda_runtime;
  return rt::Run([](const rt::Request&) { return rt::Response::Success("{}"); });
}
