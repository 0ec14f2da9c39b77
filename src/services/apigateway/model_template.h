// GetModelTemplate: the mapping template API Gateway generates from a model's schema. The
// template reads the body as `$inputRoot = $input.path('$')` and writes every property the
// schema declares: strings quoted ("$inputRoot.name"), numbers, integers and booleans bare,
// objects as nested braces and arrays with #foreach ($elem, $elem2, ... by depth), each element
// as its `items` schema says. `$ref`s to "#/definitions/<name>" of the schema and to other
// models of the API ("https://apigateway.amazonaws.com/restapis/<api>/models/<name>", or a
// bare model name) are followed, at most 16 levels deep (deeper parts render as a quoted
// reference). The layout (indentation, line breaks) is tidepool's own; rendered against a
// body that has every property, the template yields valid JSON.
//
// Thread-safety: a pure function of its arguments.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <string>

namespace tidepool::apigateway {

// `schema`: the model's parsed schema; `models`: the API's models by name (Model objects, their
// schemas as JSON text).
std::string GenerateModelTemplate(const boost::json::value& schema,
                                  const boost::json::object& models);

}  // namespace tidepool::apigateway
