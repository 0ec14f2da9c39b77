// libFuzzer target: API Gateway's OpenAPI importer (ImportRestApi / PutRestApi bodies). Any
// input must be imported or refused with a Status, never crash; an imported API's resources
// must each have a path that a ResourceTree accepts.
#include <boost/json.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "counting_id.h"
#include "services/apigateway/openapi.h"
#include "services/apigateway/resource_tree.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  auto imported = tidepool::apigateway::ImportOpenApi(body, &tidepool::fuzz::CountingId);
  if (!imported.ok()) return 0;
  tidepool::apigateway::ResourceTree tree;
  for (const auto& kv : imported->resources) {
    const auto& r = kv.value().as_object();
    if (!tree.Add(std::string(r.at("path").as_string()), std::string(kv.key())).ok()) {
      __builtin_trap();
    }
  }
  return 0;
}
