// libFuzzer target: REST API documentation read from an OpenAPI definition's
// x-amazon-apigateway-documentation (ImportDocumentationParts, ImportRestApi, PutRestApi
// bodies). Any input must be read or refused with a Status, never crash; every part read must
// have a location that checks again to itself, merging the parts twice must keep their ids,
// and writing them into the definition (as GetExport does) must not crash.
#include <boost/json.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "counting_id.h"
#include "services/apigateway/documentation.h"
#include "services/apigateway/openapi.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace api = tidepool::apigateway;
  std::string_view body(reinterpret_cast<const char*>(data), size);
  auto definition = api::ParseOpenApiDefinition(body);
  if (!definition.ok() || !definition->is_object()) return 0;
  auto imported = api::ReadDocumentationExtension(definition->get_object());
  if (!imported.ok()) return 0;
  for (const boost::json::object& part : imported->parts) {
    const boost::json::value& location = part.at("location");
    auto again = api::CanonicalDocumentationLocation(&location);
    if (!again.ok() || boost::json::value(*again) != location) __builtin_trap();
  }
  boost::json::object parts;
  auto ids =
      api::MergeDocumentationParts(parts, imported->parts, false, &tidepool::fuzz::CountingId);
  if (api::MergeDocumentationParts(parts, imported->parts, false, &tidepool::fuzz::CountingId) !=
      ids) {
    __builtin_trap();
  }
  boost::json::object version{{"version", imported->version}, {"parts", parts}};
  (void)api::DocumentationExtension(version);
  api::ApplyDocumentationToExport(parts, definition->get_object().contains("swagger"),
                                  definition->get_object());
  return 0;
}
