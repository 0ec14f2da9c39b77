// Readers for members of a validated input object: the protocol layer's (protocol/input.h),
// with SQS's strings read as views. Pure; thread-safe.
#pragma once

#include <optional>
#include <string_view>

#include "protocol/input.h"

namespace tidepool::sqs {

using protocol::InputArray;
using protocol::InputInt;
using protocol::InputObject;

inline std::optional<std::string_view> InputString(const boost::json::object& in,
                                                   std::string_view key) {
  return protocol::InputStringView(in, key);
}

}  // namespace tidepool::sqs
