// Names and paging tokens as Step Functions checks them.
#pragma once

#include <fmt/format.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "services/stepfunctions/sfn_errors.h"

namespace tidepool::sfn {

// State machine, execution and activity names: 1-80 characters, no whitespace, brackets,
// wildcards, special characters or control characters (AWS's rule).
inline Status CheckName(std::string_view name) {
  bool ok = !name.empty() && name.size() <= 80;
  for (unsigned char c : name) {
    if (c <= 0x20 || c == 0x7f ||
        std::string_view("<>{}[]?*\"#%\\^|~`$&,;:/").find(c) != std::string_view::npos) {
      ok = false;
    }
  }
  if (ok) return Status::Ok();
  return SfnStatus(SfnError::kInvalidName, fmt::format("Invalid Name: '{}'", name));
}

// nextToken of the list operations: the decimal offset of the next item.
inline Result<size_t> ParsePageToken(std::optional<std::string_view> token) {
  if (!token) return size_t{0};
  size_t v = 0;
  for (char c : *token) {
    if (c < '0' || c > '9' || v > 100'000'000) {
      return SfnStatus(SfnError::kValidation, "Invalid Token: 'Invalid pagination token'");
    }
    v = v * 10 + static_cast<size_t>(c - '0');
  }
  return v;
}

}  // namespace tidepool::sfn
