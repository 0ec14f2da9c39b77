// Validation and digests of what a sender supplies: the body, message attributes and message
// system attributes, with AWS's rules and error texts. Pure; thread-safe.
#pragma once

#include <boost/json/object.hpp>

#include <string>
#include <string_view>

#include "core/result.h"
#include "services/sqs/message.h"

namespace tidepool::sqs {

// InvalidMessageContents unless every character of `body` (UTF-8) is one of #x9 | #xA | #xD |
// #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF.
Status CheckMessageCharacters(std::string_view text);

// Parses a MessageBodyAttributeMap (service.h value conventions: BinaryValue holds raw bytes)
// into attributes sorted by name, checking names, data types, values and the count (10).
Result<MessageAttributes> ParseMessageAttributes(const boost::json::object& map);

// Parses MessageSystemAttributes: only AWSTraceHeader, of type String.
Result<MessageAttributes> ParseSystemAttributes(const boost::json::object& map);

// Lower-case hex MD5 of the attributes by AWS's algorithm: for each attribute in name order,
// length-prefixed (4 bytes, big endian) name and data type, one transport byte (1 string,
// 2 binary, 3 string list, 4 binary list) and the length-prefixed value(s).
std::string Md5OfAttributes(const MessageAttributes& attributes);

std::string Md5Hex(std::string_view data);

// The attributes of `all` that `names` selects ("All", ".*", "prefix.*" or exact names).
MessageAttributes SelectAttributes(const MessageAttributes& all, const boost::json::array* names);

}  // namespace tidepool::sqs
