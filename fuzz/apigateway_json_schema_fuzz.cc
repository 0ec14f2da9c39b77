// libFuzzer target: API Gateway's JSON Schema validator (json_schema.h), which checks request
// bodies against models. The input is a schema and an instance separated by a newline (the
// schema also serves as model "M" for $refs); any pair must validate or fail with a Status,
// never crash or run away.
#include <boost/json.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "services/apigateway/json_schema.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  size_t newline = input.find('\n');
  if (newline == std::string_view::npos) return 0;
  boost::system::error_code ec;
  boost::json::parse_options options;
  options.max_depth = 64;
  boost::json::value schema = boost::json::parse(input.substr(0, newline), ec, {}, options);
  if (ec) return 0;
  boost::json::value instance = boost::json::parse(input.substr(newline + 1), ec, {}, options);
  if (ec) return 0;
  boost::json::object models{{"M", schema}};
  (void)tidepool::apigateway::ValidateJsonSchema(schema, instance, models);
  return 0;
}
