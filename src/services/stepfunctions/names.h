// Names and paging tokens as Step Functions checks them.
#pragma once

#include <fmt/format.h>
#include <boost/json/array.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

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

// One page of the entries of `by_arn` (a map ordered by ARN) whose ARN starts with `prefix`,
// from offset `start`, at most `max` (<= 0: 100): `item` turns an entry into the listed
// object. Returns the page and the next page's token (empty when this is the last page).
template <typename Map, typename Item>
std::pair<boost::json::array, std::string> ListPage(const Map& by_arn, std::string_view prefix,
                                                    size_t start, int64_t max, Item item) {
  if (max <= 0) max = 100;
  boost::json::array list;
  size_t index = 0;
  for (auto it = by_arn.lower_bound(std::string(prefix)); it != by_arn.end(); ++it) {
    if (!std::string_view(it->first).starts_with(prefix)) break;
    if (index++ < start) continue;
    if (static_cast<int64_t>(list.size()) == max)
      return {std::move(list), std::to_string(index - 1)};
    list.push_back(item(*it->second));
  }
  return {std::move(list), std::string()};
}

}  // namespace tidepool::sfn
