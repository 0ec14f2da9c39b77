// A YAML reader that turns one YAML document into a boost::json value (libyaml underneath).
// Used by API Gateway's OpenAPI import and meant for CloudFormation/SAM templates.
//
// Scalars follow the YAML 1.2 core schema: a plain `null`/`~`/empty scalar is null,
// `true`/`false` (and their capitalised forms) are booleans, decimal, 0x and 0o integers and
// decimal floats are numbers, everything else (and every quoted scalar) is a string. `.inf` and
// `.nan` stay strings (JSON has no such numbers). Standard tags (`!!str`, `!!int`, `!!float`,
// `!!bool`, `!!null`, `!!map`, `!!seq`) are honoured. Mapping keys are the scalars' text
// (`200:` gives the key "200"); complex keys and duplicate keys are refused. The YAML 1.1 merge
// key (`<<: *base`) is applied; explicit keys win over merged ones.
//
// Local tags (`!Ref`, `!Sub`, `!GetAtt`...) are the caller's: in plain mode (no TagHandler)
// they are refused; with a TagHandler every tagged node (scalar, sequence or mapping) is handed
// to it once complete, and its answer replaces the node. CloudFormationShortForm is the handler
// for templates (`!Ref x` → {"Ref": "x"}, `!GetAtt a.b` → {"Fn::GetAtt": ["a","b"]}, ...).
//
// Bounds (untrusted input): nesting deeper than max_depth, more than one document, and
// documents whose expansion (aliases copied in) exceeds max_expansion are refused, so a
// "billion laughs" document fails quickly. Errors are InvalidArgument with "line L, column C"
// (1-based). Pure and thread-safe.
#pragma once

#include <boost/json/value.hpp>
#include <cstddef>
#include <functional>
#include <string_view>

#include "core/result.h"

namespace tidepool::protocol::yaml {

// Receives a node's local tag as written (e.g. "!Ref") and the node's value; returns the value
// that replaces it, or a Status (reported with the node's position).
using TagHandler =
    std::function<Result<boost::json::value>(std::string_view tag, boost::json::value node)>;

struct YamlOptions {
  TagHandler on_tag;  // empty: plain mode, local tags are refused
  size_t max_depth = 64;
  // The document's size after alias expansion: each node counts 1 plus its scalar's bytes.
  size_t max_expansion = 16 << 20;
};

// Parses a stream holding at most one document; an empty stream is null.
Result<boost::json::value> ParseYaml(std::string_view text, const YamlOptions& options = {});

// CloudFormation's short forms: `!Ref` and `!Condition` become {"Ref"|"Condition": value},
// `!GetAtt` on a scalar "a.b.c" becomes {"Fn::GetAtt": ["a", "b.c"]}, the other intrinsic
// functions (`!Sub`, `!Join`, `!If`...) {"Fn::<Name>": value}. Other tags are refused.
Result<boost::json::value> CloudFormationShortForm(std::string_view tag, boost::json::value node);

}  // namespace tidepool::protocol::yaml
