// How a plain (unquoted, untagged) YAML scalar resolves under the YAML 1.2 core schema, shared
// by the reader (to type scalars) and the writer (to quote strings that would not read back as
// strings). Pure.
#pragma once

#include <boost/json/value.hpp>
#include <string_view>

namespace tidepool::protocol::yaml {

// null for "", "~" and null/Null/NULL; a bool for true/false/True/False/TRUE/FALSE; an integer
// for decimal, 0x and 0o digits (a double beyond 64 bits); a double for decimal floats; else the
// text as a string (".inf" and ".nan" included).
boost::json::value ResolvePlainScalar(std::string_view text);

}  // namespace tidepool::protocol::yaml
