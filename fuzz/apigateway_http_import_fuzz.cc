// libFuzzer target: the HTTP API OpenAPI importer (ImportApi / ReimportApi bodies) and the
// exporter. Any input must be imported or refused with a Status, never crash; an imported
// definition's export must import again with the same route keys.
#include <boost/json.hpp>

#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include "counting_id.h"
#include "services/apigateway/http_api_import.h"
#include "services/apigateway/records.h"

namespace {

std::set<std::string> RouteKeys(const boost::json::object& routes) {
  std::set<std::string> keys;
  for (const auto& kv : routes) {
    keys.insert(tidepool::apigateway::StringField(kv.value().as_object(), "RouteKey"));
  }
  return keys;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tidepool::apigateway;
  std::string_view body(reinterpret_cast<const char*>(data), size);
  auto imported = ImportHttpApi(body, "prepend", &tidepool::fuzz::CountingId);
  if (!imported.ok()) return 0;
  boost::json::object exported =
      ExportHttpApi(imported->api, imported->routes, imported->integrations, imported->authorizers,
                    "http://api.example", true);
  auto again =
      ImportHttpApi(boost::json::serialize(exported), "ignore", &tidepool::fuzz::CountingId);
  if (again.ok() && RouteKeys(again->routes) != RouteKeys(imported->routes)) {
    __builtin_trap();
  }
  return 0;
}
