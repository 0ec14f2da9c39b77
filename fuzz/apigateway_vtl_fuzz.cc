// libFuzzer target: API Gateway mapping templates (the VTL parser and evaluator, $input's
// JSONPath). The input is a template, a NUL byte, then a request body. A template that parses
// is rendered against the body with a few parameters; rendering must end (bounded output,
// iterations and nesting) and never crash.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "services/apigateway/mapping_template.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  size_t nul = input.find('\0');
  std::string_view text = input.substr(0, nul);
  tidepool::apigateway::MappingInput mapping;
  mapping.body = nul == std::string_view::npos ? "" : std::string(input.substr(nul + 1));
  mapping.path_parameters = {{"id", "7"}};
  mapping.query = {{"q", "x"}};
  mapping.headers = {{"Content-Type", "application/json"}};
  mapping.context = boost::json::object{{"requestId", "r"}, {"stage", "dev"}};
  mapping.stage_variables = boost::json::object{{"env", "test"}};
  (void)tidepool::apigateway::RenderMappingTemplate(text, mapping);
  return 0;
}
