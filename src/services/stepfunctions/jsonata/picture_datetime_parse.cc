// $toMillis pictures: reading an instant back through a §9.8.4 date-time picture. Markers are
// matched left to right; a numeric marker directly followed by another marker takes only its
// width (max width, else its mandatory digits), so "[Y0001][M01]" reads "201802". Components
// left out before the first one given come from the current instant, those after the last one
// given take their least value; a gap between given components is an error (D3136).
#include <cctype>
#include <cmath>
#include <map>

#include "services/stepfunctions/jsonata/functions.h"
#include "services/stepfunctions/jsonata/picture_datetime.h"

namespace tidepool::sfn::jsonata {
namespace {

using CodePointText = std::vector<uint32_t>;

bool IsAsciiAlpha(uint32_t c) { return c < 128 && std::isalpha(static_cast<int>(c)); }
bool IsAsciiDigit(uint32_t c) { return c >= '0' && c <= '9'; }
uint32_t Lower(uint32_t c) {
  return c < 128 ? static_cast<uint32_t>(std::tolower(static_cast<int>(c))) : c;
}

std::string Ascii(const CodePointText& t, size_t begin, size_t end) {
  std::string s;
  for (size_t i = begin; i < end; ++i) s.push_back(t[i] < 128 ? static_cast<char>(t[i]) : '\x01');
  return s;
}

size_t AlphaRun(const CodePointText& t, size_t pos) {
  size_t end = pos;
  while (end < t.size() && IsAsciiAlpha(t[end])) ++end;
  return end;
}

std::optional<double> MatchName(const DateMarker& m, const CodePointText& t, size_t* pos) {
  size_t end = AlphaRun(t, *pos);
  std::string run = Ascii(t, *pos, end);
  for (char& c : run) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::vector<std::string> names;
  if (m.component == 'M' || m.component == 'x') names.assign(kMonthNames, kMonthNames + 12);
  if (m.component == 'F') names.assign(kDayNames, kDayNames + 7);
  if (m.component == 'P') names = {"am", "pm"};
  if (m.component == 'C' || m.component == 'E') names = {"iso"};
  for (size_t i = 0; i < names.size(); ++i) {
    std::string name = names[i];
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (m.max_width > 0 && static_cast<int>(name.size()) > m.max_width) {
      name.resize(static_cast<size_t>(m.max_width));
    }
    if (run == name) {
      *pos = end;
      return static_cast<double>(m.component == 'P' ? i : i + 1);
    }
  }
  return std::nullopt;
}

// Minutes east of UTC: "Z", "+05:30", "-5", "+0530"; [z] first reads "GMT".
std::optional<double> MatchOffset(const DateMarker& m, const CodePointText& t, size_t* pos) {
  size_t p = *pos;
  if (m.component == 'z') {
    if (Ascii(t, p, std::min(t.size(), p + 3)) != "GMT") return std::nullopt;
    p += 3;
  }
  if (p < t.size() && t[p] == 'Z') {
    *pos = p + 1;
    return 0.0;
  }
  if (p >= t.size() || (t[p] != '+' && t[p] != '-')) return std::nullopt;
  int sign = t[p] == '-' ? -1 : 1;
  ++p;
  std::string hours, minutes;
  while (p < t.size() && IsAsciiDigit(t[p]) && hours.size() < 4)
    hours.push_back(static_cast<char>(t[p++]));
  if (p + 1 < t.size() && t[p] == ':' && IsAsciiDigit(t[p + 1])) {
    ++p;
    while (p < t.size() && IsAsciiDigit(t[p]) && minutes.size() < 2)
      minutes.push_back(static_cast<char>(t[p++]));
  } else if (hours.size() > 2) {
    minutes = hours.substr(hours.size() - 2);
    hours.resize(hours.size() - 2);
  }
  if (hours.empty()) return std::nullopt;
  *pos = p;
  return sign * (std::stod(hours) * 60 + (minutes.empty() ? 0 : std::stod(minutes)));
}

std::optional<double> MatchInteger(const DateMarker& m, const CodePointText& t, size_t* pos,
                                   bool width_bound) {
  const IntegerPicture& ip = m.integer;
  size_t p = *pos, end = p;
  using P = IntegerPicture::Primary;
  if (ip.primary == P::kWords) {
    end = p + MatchIntegerWords(Ascii(t, p, t.size()));
  } else if (ip.primary == P::kLetters) {
    end = AlphaRun(t, p);
  } else if (ip.primary == P::kRoman) {
    while (end < t.size() &&
           std::string_view("ivxlcdm").find(static_cast<char>(Lower(t[end]))) !=
               std::string_view::npos &&
           t[end] < 128)
      ++end;
  } else {
    int limit = width_bound ? (m.max_width > 0 ? m.max_width : ip.mandatory_digits) : 1 << 30;
    int digits = 0;
    while (end < t.size() && digits < limit) {
      if (t[end] >= ip.zero && t[end] <= ip.zero + 9) {
        ++digits;
        ++end;
        continue;
      }
      bool separator = false;
      for (const auto& s : ip.separators) separator |= s.second == t[end];
      if (!separator || end + 1 >= t.size() || t[end + 1] < ip.zero || t[end + 1] > ip.zero + 9)
        break;
      ++end;
    }
    if (digits == 0) return std::nullopt;
  }
  if (end == p) return std::nullopt;
  std::optional<double> v;
  if (m.component == 'f') {
    v = std::round(std::stod("0." + Ascii(t, p, end)) * 1000);
  } else {
    IntegerPicture plain = ip;
    plain.ordinal = false;
    v = ParseIntegerText(FromCodePoints(t, p, end), plain);
  }
  if (ip.primary == P::kDecimal && m.second_modifier == 'o' && end + 2 <= t.size()) {
    std::string suffix = Ascii(t, end, end + 2);
    if (suffix == "st" || suffix == "nd" || suffix == "rd" || suffix == "th") end += 2;
  }
  if (v) *pos = end;
  return v;
}

// D3136 unless the components given leave no gap in year, month, day (or day of year), hour,
// minute, second, fraction.
void CheckDetermined(const std::map<char, double>& given) {
  auto has = [&](char c) { return given.count(c) > 0; };
  auto fail = [] {
    Fail("D3136",
         "The date/time picture string is missing specifiers required to parse the timestamp",
         Value());
  };
  for (char c : std::string_view("XWwx")) {
    if (has(c)) fail();
  }
  bool day_of_year = has('d');
  if (day_of_year && (has('M') || has('D'))) fail();
  std::vector<bool> mask = {has('Y')};
  if (day_of_year) {
    mask.push_back(true);
  } else {
    mask.push_back(has('M'));
    mask.push_back(has('D'));
  }
  mask.insert(mask.end(), {has('H') || has('h'), has('m'), has('s'), has('f')});
  size_t first = mask.size(), last = 0;
  for (size_t i = 0; i < mask.size(); ++i) {
    if (mask[i]) {
      first = std::min(first, i);
      last = i;
    }
  }
  for (size_t i = first; i < last; ++i) {
    if (!mask[i]) fail();
  }
}

}  // namespace

std::optional<double> ParseDateTime(std::string_view text, const std::string& picture,
                                    int64_t now_millis) {
  std::vector<DateMarker> markers = ParseDatePicture(picture);
  std::map<char, double> given;
  for (const DateMarker& m : markers) {
    if (m.component != 0) given[m.component] = 0;
  }
  if (given.empty()) return std::nullopt;
  CheckDetermined(given);

  CodePointText t = CodePoints(text);
  size_t pos = 0;
  for (size_t i = 0; i < markers.size(); ++i) {
    const DateMarker& m = markers[i];
    if (m.component == 0) {
      CodePointText lit = CodePoints(m.literal);
      if (t.size() - pos < lit.size() ||
          !std::equal(lit.begin(), lit.end(), t.begin() + static_cast<std::ptrdiff_t>(pos))) {
        return std::nullopt;
      }
      pos += lit.size();
      continue;
    }
    bool width_bound = i + 1 < markers.size() && markers[i + 1].component != 0;
    std::optional<double> v;
    if (m.component == 'Z' || m.component == 'z') {
      v = MatchOffset(m, t, &pos);
    } else if (m.names) {
      v = MatchName(m, t, &pos);
    } else {
      v = MatchInteger(m, t, &pos, width_bound);
    }
    if (!v) return std::nullopt;
    given[m.component] = *v;
  }
  if (pos != t.size()) return std::nullopt;

  // Leading components not given come from now (UTC); trailing ones take their least value.
  int64_t now_days =
      now_millis >= 0 ? now_millis / 86'400'000 : (now_millis - 86'399'999) / 86'400'000;
  int64_t now_year = 0;
  int now_month = 0, now_day = 0;
  CivilFromDays(now_days, &now_year, &now_month, &now_day);
  auto has = [&](char c) { return given.count(c) > 0; };
  bool leading = true;
  auto field = [&](bool present, char c, double now_value, double least) {
    if (present) {
      leading = false;
      return given[c];
    }
    return leading ? now_value : least;
  };
  double year = field(has('Y'), 'Y', static_cast<double>(now_year), 1970);
  // Beyond a million years the day arithmetic would overflow; no such instant is a number.
  if (std::fabs(year) > 1e6 || (has('d') && std::fabs(given['d']) > 1e6)) return std::nullopt;
  int64_t days = 0;
  if (has('d')) {
    days = DaysFromCivil(static_cast<int64_t>(year), 1, 1) + static_cast<int64_t>(given['d']) - 1;
    leading = false;
  } else {
    double month = field(has('M'), 'M', now_month, 1);
    double day = field(has('D'), 'D', now_day, 1);
    if (month < 1 || month > 12 || day < 1 || day > 31) return std::nullopt;
    days =
        DaysFromCivil(static_cast<int64_t>(year), static_cast<int>(month), static_cast<int>(day));
  }
  double hour = 0;
  if (has('h')) {
    hour = std::fmod(given['h'], 12) + (has('P') && given['P'] == 1 ? 12 : 0);
    leading = false;
  } else {
    hour = field(has('H'), 'H', 0, 0);
  }
  double minute = field(has('m'), 'm', 0, 0);
  double second = field(has('s'), 's', 0, 0);
  double fraction = field(has('f'), 'f', 0, 0);
  double offset = has('Z') ? given['Z'] : has('z') ? given['z'] : 0;
  return static_cast<double>(days) * 86'400'000 + hour * 3'600'000 + minute * 60'000 +
         second * 1000 + fraction - offset * 60'000;
}

}  // namespace tidepool::sfn::jsonata
