// Mapping templates as API Gateway evaluates them: a VTL template (vtl/template.h) with
// $input (body, json(path), path(path), params(), params(name)), $context, $stageVariables
// and $util.
//
// $input.json('$.a') is the selected value as JSON text; $input.path('$.a') the value itself;
// $input.params(name) the first of the path parameter, query string parameter and header of
// that name ("" when none); $input.params() {"path": {...}, "querystring": {...},
// "header": {...}}. A body that is not JSON selects nothing (and $input.json('$') is "{}").
// Thread-safety: MappingInput is read-only during a render.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

namespace tidepool::apigateway {

struct MappingInput {
  std::string body;
  std::vector<std::pair<std::string, std::string>> path_parameters;
  std::vector<std::pair<std::string, std::string>> query;
  std::vector<std::pair<std::string, std::string>> headers;
  boost::json::object context;          // $context
  boost::json::object stage_variables;  // $stageVariables
};

// Parses and renders `text` against `input` (BadRequest-free: template errors are
// InvalidArgument, which the invoke path answers with 500 as API Gateway does).
Result<std::string> RenderMappingTemplate(std::string_view text, const MappingInput& input);

// Whether `text` parses as a mapping template (the management API's check).
Status CheckMappingTemplate(std::string_view text);

}  // namespace tidepool::apigateway
