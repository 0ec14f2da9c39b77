// DynamoDB's reserved words: an expression may not use them as attribute names (it must use an
// expression attribute name such as #s instead). Case-insensitive. Thread-safe.
#pragma once

#include <string_view>

namespace tidepool::dynamodb {

bool IsReservedWord(std::string_view word);

}  // namespace tidepool::dynamodb
