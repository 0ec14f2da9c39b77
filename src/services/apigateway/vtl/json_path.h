// The JSONPath subset of $input.json() and $input.path(): "$", ".name", "['name']",
// "[\"name\"]", "[n]", "[*]" and ".*" (every element or member: the result is a list). Any
// other syntax is InvalidArgument; a path that selects nothing gives nullopt.
// Thread-safety: pure functions.
#pragma once

#include <boost/json/value.hpp>

#include <optional>
#include <string_view>

#include "core/result.h"

namespace tidepool::apigateway::vtl {

Result<std::optional<boost::json::value>> SelectJsonPath(const boost::json::value& root,
                                                         std::string_view path);

}  // namespace tidepool::apigateway::vtl
