// Model-driven validation of a decoded input object, shared by every codec (JSON, query,
// rest-json, rest-xml). The object follows the value conventions of protocol/service.h (blobs
// hold raw bytes, timestamps are doubles); the codec has already checked JSON types.
//
// Reproduces AWS's (Coral's) ValidationException text, as kinesalite does:
//   1 validation error detected: Value 'x' at 'streamName' failed to satisfy constraint:
//   Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+
// Several failures are joined with "; " after "N validation errors detected: ", at most 10.
// Paths: member names with the first letter lower-cased, joined with '.'; list elements as
// "records.1.member" (1-based), map values as "tags.<key>.member".
// Per member the checks run in this order: not null, enum, pattern, min length, max length
// (strings/blobs/lists/maps), min value, max value (numbers); then list elements / map entries,
// then the members of nested structures. Members are visited in table order (see
// scripts/gen_models.py, MEMBER_ORDER).
//
// Patterns are the model's Java regexes, translated to RE2 and compiled once per shape
// (lazily, thread-safe) and matched against the whole value. A pattern RE2 cannot compile
// (lookaround, for instance) is skipped, with one warning in the log.
//
// Thread-safe.
#pragma once

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <string_view>

#include "protocol/model/model.h"

namespace tidepool::protocol::validate {

// Validates `input` against the structure shape `shape` of `model`. Returns nullopt when valid,
// else the ValidationException message.
std::optional<std::string> ValidateInput(const model::ServiceModel& model, uint16_t shape,
                                         const boost::json::object& input);

// Java regex syntax -> RE2 syntax: \uXXXX escapes (surrogate pairs joined), \p{ASCII},
// \p{Print} and the other POSIX \p{...} classes. Everything else passes through.
std::string JavaPatternToRe2(std::string_view pattern);

// Number of UTF-16 code units in UTF-8 text: the length Java (and so AWS) compares with a
// string shape's min/max.
size_t Utf16Length(std::string_view utf8);

}  // namespace tidepool::protocol::validate
