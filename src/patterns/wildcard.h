// `*` wildcards: shared by SNS filter policies / event patterns and CloudWatch Logs filter
// patterns.
#pragma once

#include <string_view>

namespace tidepool::patterns {

// Whether `text` matches `pattern`, where '*' matches any run of characters and every other
// character itself (greedy with backtracking to the last star: linear in practice, O(n*m) at
// worst).
bool WildcardMatches(std::string_view pattern, std::string_view text);

}  // namespace tidepool::patterns
