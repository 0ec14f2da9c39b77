// libFuzzer target: CloudFormation's TemplateURL parser and stack record codec. The input is a
// URL up to a NUL byte, then a stack record. A URL that parses names a non-empty bucket and
// key; a record that decodes encodes to a record that decodes to the same encoding.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "services/cloudformation/stack.h"
#include "services/cloudformation/template_source.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  size_t nul = input.find('\0');
  std::string url(input.substr(0, nul));
  std::string_view record = nul == std::string_view::npos ? "" : input.substr(nul + 1);

  auto location = tidepool::cloudformation::ParseTemplateUrl(url);
  if (location.ok() && (location->first.empty() || location->second.empty())) std::abort();

  auto stack = tidepool::cloudformation::DecodeStack(record);
  if (stack.ok()) {
    std::string once = tidepool::cloudformation::EncodeStack(*stack);
    auto again = tidepool::cloudformation::DecodeStack(once);
    if (!again.ok() || tidepool::cloudformation::EncodeStack(*again) != once) std::abort();
  }
  return 0;
}
