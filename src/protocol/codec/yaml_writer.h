// Writes a JSON value as a block-style YAML document (GetExport's application/yaml). Mappings
// keep their member order; strings are plain when they read back as the same string, else
// double-quoted with JSON's escapes (valid YAML); empty containers are `{}` and `[]`.
// ParseYaml(WriteYaml(v)) == v for every value without non-finite numbers. Pure.
#pragma once

#include <boost/json/value.hpp>
#include <string>

namespace tidepool::protocol::yaml {

std::string WriteYaml(const boost::json::value& value);

}  // namespace tidepool::protocol::yaml
