#include "services/stepfunctions/jsonata/regex.h"

#include <stdexcept>

#include "services/stepfunctions/jsonata/error.h"

namespace tidepool::sfn::jsonata {
namespace {

[[noreturn]] void GaveUp(const std::exception& e) {
  throw JsonataError{"D1012", -1, "",
                     std::string("The regular expression is too complex to match: ") + e.what(),
                     Value()};
}

}  // namespace

Regex CompileRegex(const std::string& pattern, bool icase, bool multiline) {
  auto flags = Regex::ECMAScript | Regex::no_mod_s;
  if (icase) flags |= Regex::icase;
  if (!multiline) flags |= Regex::no_mod_m;
  return Regex(pattern, flags);
}

bool RegexSearch(const std::string& s, size_t from, RegexMatch* m, const Regex& re) {
  if (from > s.size()) return false;
  auto flags = boost::match_default;
  // Past the start, the bytes before `from` are context, and `from` is not the string's start.
  if (from > 0) flags |= boost::match_prev_avail | boost::match_not_bob;
  try {
    return boost::regex_search(s.cbegin() + static_cast<std::ptrdiff_t>(from), s.cend(), *m, re,
                               flags);
  } catch (const std::runtime_error& e) {
    GaveUp(e);
  }
}

bool RegexFullMatch(const std::string& s, RegexMatch* m, const Regex& re) {
  try {
    return boost::regex_match(s, *m, re);
  } catch (const std::runtime_error& e) {
    GaveUp(e);
  }
}

bool RegexFullMatch(const std::string& s, const Regex& re) {
  RegexMatch m;
  return RegexFullMatch(s, &m, re);
}

size_t MatchStart(const std::string& s, const RegexMatch& m, size_t i) {
  return static_cast<size_t>(m[static_cast<int>(i)].first - s.cbegin());
}

}  // namespace tidepool::sfn::jsonata
