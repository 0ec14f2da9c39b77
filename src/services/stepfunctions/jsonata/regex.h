// Regular expressions of JSONata (JavaScript's syntax and defaults) on Boost.Regex.
//
// Why not std::regex: libstdc++'s matcher recurses once per input character, so `.+` on a
// 100 kB string overflows the stack and kills the process, and catastrophic patterns such as
// `(a*)*b` backtrack forever. Boost.Regex matches without recursion and gives up with an error
// past fixed complexity bounds; RegexSearch turns that into JSONata error D1012.
#pragma once

#include <boost/regex.hpp>

#include <cstddef>
#include <string>

namespace tidepool::sfn::jsonata {

using Regex = boost::regex;
using RegexMatch = boost::smatch;

// Compiles `pattern` as JavaScript would: '.' does not match a newline, '^' and '$' match only
// at the string's ends unless `multiline`. Throws boost::regex_error on a malformed pattern.
Regex CompileRegex(const std::string& pattern, bool icase, bool multiline);

// The first match of `re` in `s` at or after byte `from` (`^`, `\b` and lookbehind see the bytes
// before `from`, as JavaScript's lastIndex does). Positions in `m` count from `from`; use
// MatchStart for an offset into `s`. Throws JsonataError D1012 when the matcher gives up.
bool RegexSearch(const std::string& s, size_t from, RegexMatch* m, const Regex& re);
// True when `re` matches the whole of `s`; throws as RegexSearch.
bool RegexFullMatch(const std::string& s, RegexMatch* m, const Regex& re);
bool RegexFullMatch(const std::string& s, const Regex& re);

// Offset into the searched string of sub-match `i` of `m`.
size_t MatchStart(const std::string& s, const RegexMatch& m, size_t i = 0);

}  // namespace tidepool::sfn::jsonata
