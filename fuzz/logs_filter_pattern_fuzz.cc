// libFuzzer target: CloudWatch Logs filter patterns (FilterLogEvents' filterPattern). The input
// is a pattern, a NUL byte, then a log event's message; a pattern that parses is matched
// against the message (and against the message read as JSON, and split into fields, by the
// pattern's own form).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "services/logs/filter_pattern.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t split = input.find('\0');
  std::string_view pattern = input.substr(0, split);
  std::string_view message = split == std::string_view::npos ? "" : input.substr(split + 1);
  auto parsed = tidepool::logs::FilterPattern::Parse(pattern);
  if (parsed.ok()) (void)parsed->Matches(message);
  return 0;
}
