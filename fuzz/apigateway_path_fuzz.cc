// libFuzzer target: API Gateway's resource path matching and proxy response parsing. The input
// is resource paths (one per line) up to a NUL byte, then a request path, then (after a second
// NUL) a Lambda proxy response. Every resource path that Add accepts is matched; a match must
// name a resource that was added, with one parameter per braced segment at most.
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include "services/apigateway/proxy_event.h"
#include "services/apigateway/resource_tree.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  size_t nul = input.find('\0');
  std::string_view resources = input.substr(0, nul);
  std::string_view rest = nul == std::string_view::npos ? "" : input.substr(nul + 1);
  size_t nul2 = rest.find('\0');
  std::string_view request = rest.substr(0, nul2);
  std::string_view response = nul2 == std::string_view::npos ? "" : rest.substr(nul2 + 1);

  tidepool::apigateway::ResourceTree tree;
  std::set<std::string> added;
  int n = 0;
  while (!resources.empty() && n < 64) {
    size_t nl = resources.find('\n');
    std::string_view line = resources.substr(0, nl);
    std::string id = std::to_string(n++);
    if (tree.Add(line, id).ok()) added.insert(id);
    if (nl == std::string_view::npos) break;
    resources.remove_prefix(nl + 1);
  }
  if (auto match = tree.Find(request)) {
    if (!added.contains(match->resource_id)) __builtin_trap();
    if (match->path_parameters.size() > match->resource_path.size()) __builtin_trap();
  }
  (void)tidepool::apigateway::ParseProxyResponse(response);
  return 0;
}
