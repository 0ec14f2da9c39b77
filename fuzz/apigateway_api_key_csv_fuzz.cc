// libFuzzer target: the API key file ImportApiKeys reads (api_key_csv.h). Every key accepted
// has a value of 20-128 characters and a line inside the input; a refused file is a
// BadRequest, never a crash.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "services/apigateway/api_key_csv.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto file = tidepool::apigateway::ParseApiKeyCsv(input);
  if (!file.ok()) return 0;
  for (const auto& key : file->keys) {
    if (key.value.size() < 20 || key.value.size() > 128) __builtin_trap();
    if (key.line < 2 || key.line > size + 1) __builtin_trap();
  }
  return 0;
}
