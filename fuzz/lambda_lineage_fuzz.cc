// Fuzzes the Lineage of X-Ray trace headers (services/lambda/recursion.h), which come from any
// client (X-Amzn-Trace-Id, an SQS message's AWSTraceHeader). The continued header goes into a
// runtime API response header: it must hold no control character, must carry a Root and the
// Lineage, and the count must be at least one, also when the result is continued again.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "services/lambda/recursion.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using tidepool::lambda::ContinueLineage;
  const std::string_view arn = "arn:aws:lambda:us-east-1:000000000000:function:fuzz";
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto step = ContinueLineage(text, arn);
  if (step.count < 1) std::abort();
  for (char c : step.header) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) std::abort();
  }
  if (step.header.find("Root=") == std::string::npos) std::abort();
  if (step.header.find(";Lineage=") == std::string::npos) std::abort();
  auto again = ContinueLineage(step.header, arn);
  if (again.count < 1) std::abort();
  return 0;
}
