// URL query strings and form bodies (application/x-www-form-urlencoded). Pure functions.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tidepool::protocol::http {

// Percent-decodes `in`; with `plus_is_space` a '+' becomes a space (form encoding). A '%' that is
// not followed by two hex digits is kept as it is.
std::string PercentDecode(std::string_view in, bool plus_is_space);

// Percent-encodes `in` as RFC 3986 asks: unreserved characters (A-Z a-z 0-9 - _ . ~) and those
// in `keep` stay, every other byte becomes %XX (upper-case hex).
std::string PercentEncode(std::string_view in, std::string_view keep = {});

// Calls visit(raw_name, raw_value) for each item of "a=1&b=&c", in order, still encoded ("c"
// gets an empty value; empty items are skipped). Stops when `visit` returns false.
template <typename Visit>
void ForEachQueryItem(std::string_view query, Visit&& visit) {
  size_t start = 0;
  while (start < query.size()) {
    size_t amp = query.find('&', start);
    if (amp == std::string_view::npos) amp = query.size();
    std::string_view item = query.substr(start, amp - start);
    start = amp + 1;
    if (item.empty()) continue;
    const size_t eq = item.find('=');
    if (!visit(item.substr(0, eq),
               eq == std::string_view::npos ? std::string_view() : item.substr(eq + 1))) {
      return;
    }
  }
}

// Splits "a=1&b=&c" into decoded (name, value) pairs in order ("c" gets an empty value; empty
// items are skipped).
std::vector<std::pair<std::string, std::string>> ParseQueryString(std::string_view query,
                                                                  bool plus_is_space);

// Splits a request target "/path?query" into its path and query (without '?').
std::pair<std::string_view, std::string_view> SplitTarget(std::string_view target);

}  // namespace tidepool::protocol::http
