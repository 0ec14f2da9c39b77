// Fuzzes the store key codec's readers: arbitrary bytes must decode or be refused without
// reading out of bounds, and whatever decodes must re-encode to the bytes it consumed.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "storage/key_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tidepool::storage;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  while (!in.empty()) {
    std::string_view before = in;
    std::string value;
    if (ReadOrderedString(&in, &value)) {
      std::string again;
      AppendOrderedString(&again, value);
      if (again != before.substr(0, before.size() - in.size())) std::abort();
      continue;
    }
    if (in != before) std::abort();  // a failed read must leave the input untouched
    uint64_t u = 0;
    if (!ReadU64BE(&in, &u)) break;
  }
  std::string end = PrefixEnd(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!end.empty() && end <= std::string_view(reinterpret_cast<const char*>(data), size)) {
    std::abort();
  }
  return 0;
}
