// $fromMillis pictures: the marker grammar of XPath F&O 3.1 §9.8.4 and formatting an instant
// with it. Dates are proleptic Gregorian in UTC shifted by the requested offset; weeks are ISO
// (Monday first, week 1 holds the year's first Thursday).
#include "services/stepfunctions/jsonata/picture_datetime.h"

#include <cctype>
#include <cmath>

#include "services/stepfunctions/jsonata/functions.h"

namespace tidepool::sfn::jsonata {

const char* const kMonthNames[12] = {"January",   "February", "March",    "April",
                                     "May",       "June",     "July",     "August",
                                     "September", "October",  "November", "December"};
const char* const kDayNames[7] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                  "Friday", "Saturday", "Sunday"};

namespace {

constexpr std::string_view kComponents = "YMDdFWwXxHhPmsfZzCE";
constexpr std::string_view kNamedComponents = "MxFPCE";
constexpr int64_t kMillisPerDay = 86'400'000;

const char* DefaultPresentation(char component) {
  switch (component) {
    case 'F':
    case 'P':
    case 'C':
    case 'E':
      return "n";
    case 'm':
    case 's':
      return "01";
    case 'Z':
    case 'z':
      return "01:01";
    default:
      return "1";
  }
}

// "*", "3" or "3-3" into min/max; false when `text` is not a width.
bool ParseWidth(std::string_view text, DateMarker* m) {
  auto one = [](std::string_view t, int* out) {
    if (t == "*") return true;
    if (t.empty() || t.size() > 4) return false;
    int v = 0;
    for (char c : t) {
      if (!std::isdigit(static_cast<unsigned char>(c))) return false;
      v = v * 10 + (c - '0');
    }
    *out = v;
    return true;
  };
  size_t dash = text.find('-');
  if (dash == std::string_view::npos) return one(text, &m->min_width);
  return one(text.substr(0, dash), &m->min_width) && one(text.substr(dash + 1), &m->max_width);
}

DateMarker ParseMarker(std::string body) {
  std::string compact;
  for (char c : body) {
    if (!std::isspace(static_cast<unsigned char>(c))) compact.push_back(c);
  }
  DateMarker m;
  if (compact.empty() || kComponents.find(compact[0]) == std::string_view::npos) {
    Fail("D3132", "Unknown component specifier in date/time picture: " + compact, Value());
  }
  m.component = compact[0];
  std::string rest = compact.substr(1);
  size_t comma = rest.rfind(',');
  if (comma != std::string::npos && ParseWidth(rest.substr(comma + 1), &m)) {
    rest.resize(comma);
  }
  if (rest.size() > 1 && std::string_view("ocat").find(rest.back()) != std::string_view::npos) {
    m.second_modifier = rest.back();
    rest.pop_back();
  }
  m.presentation = rest.empty() ? DefaultPresentation(m.component) : rest;
  m.names = m.presentation == "N" || m.presentation == "n" || m.presentation == "Nn";
  if (m.names && kNamedComponents.find(m.component) == std::string_view::npos) {
    Fail("D3133", std::string("The ") + m.component + " component cannot be written as a name",
         Value());
  }
  if (!m.names && m.component != 'Z' && m.component != 'z') {
    m.integer = ParseIntegerPrimary(m.presentation, m.second_modifier == 'o');
    if (m.min_width > m.integer.mandatory_digits &&
        m.integer.primary == IntegerPicture::Primary::kDecimal) {
      m.integer.mandatory_digits = m.min_width;
    }
    if (m.max_width > 0 && m.max_width < m.integer.mandatory_digits) {
      m.integer.mandatory_digits = m.max_width;
    }
  }
  return m;
}

struct Fields {
  int64_t year;
  int month, day, hour, minute, second, millis, day_of_year, iso_weekday;
  int64_t iso_week_year;
  int iso_week, week_of_month, month_of_week;
};

// Thursday of the ISO week holding `days` (days since the epoch, a Thursday).
int64_t ThursdayOf(int64_t days) {
  int64_t weekday = ((days % 7) + 7 + 3) % 7;  // 0 = Monday
  return days - weekday + 3;
}

Fields Breakdown(int64_t millis) {
  Fields f{};
  int64_t days =
      millis >= 0 ? millis / kMillisPerDay : -((-millis + kMillisPerDay - 1) / kMillisPerDay);
  int64_t in_day = millis - days * kMillisPerDay;
  CivilFromDays(days, &f.year, &f.month, &f.day);
  f.hour = static_cast<int>(in_day / 3'600'000);
  f.minute = static_cast<int>(in_day / 60'000 % 60);
  f.second = static_cast<int>(in_day / 1000 % 60);
  f.millis = static_cast<int>(in_day % 1000);
  f.day_of_year = static_cast<int>(days - DaysFromCivil(f.year, 1, 1)) + 1;
  f.iso_weekday = static_cast<int>(((days % 7) + 7 + 3) % 7) + 1;
  int64_t thursday = ThursdayOf(days);
  int thursday_month = 0, thursday_day = 0;
  CivilFromDays(thursday, &f.iso_week_year, &thursday_month, &thursday_day);
  f.iso_week = static_cast<int>((thursday - DaysFromCivil(f.iso_week_year, 1, 1)) / 7) + 1;
  f.week_of_month = (thursday_day - 1) / 7 + 1;
  f.month_of_week = thursday_month;
  return f;
}

std::string Name(const char* name, const DateMarker& m) {
  std::string s = name;
  for (size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (m.presentation == "N" || (m.presentation == "Nn" && i == 0)) {
      s[i] = static_cast<char>(std::toupper(c));
    } else {
      s[i] = static_cast<char>(std::tolower(c));
    }
  }
  if (m.max_width > 0 && static_cast<int>(s.size()) > m.max_width) {
    s.resize(static_cast<size_t>(m.max_width));
  }
  return s;
}

std::string Offset(int offset_minutes, const DateMarker& m) {
  if (m.second_modifier == 't' && offset_minutes == 0) return "Z";
  int hours = std::abs(offset_minutes) / 60, minutes = std::abs(offset_minutes) % 60;
  std::string out = offset_minutes < 0 ? "-" : "+";
  std::string pres = m.presentation;
  size_t digits = 0;
  for (char c : pres) digits += std::isdigit(static_cast<unsigned char>(c)) != 0;
  size_t sep = 0;
  while (sep < pres.size() && std::isdigit(static_cast<unsigned char>(pres[sep]))) ++sep;
  auto padded = [](int v, size_t width) {
    std::string s = std::to_string(v);
    if (s.size() < width) s.insert(0, width - s.size(), '0');
    return s;
  };
  if (sep < pres.size()) {  // "01:01": hours, the separator, minutes
    return out + padded(hours, sep) + pres[sep] + padded(minutes, 2);
  }
  if (digits > 4) {
    Fail("D3134", "The timezone picture has more than four digits: " + pres, Value());
  }
  if (digits <= 2) {
    out += padded(hours, digits);
    if (minutes != 0) out += ":" + padded(minutes, 2);
    return out;
  }
  return out + padded(hours, digits - 2) + padded(minutes, 2);
}

std::string Component(const DateMarker& m, const Fields& f, int offset_minutes) {
  double value = 0;
  switch (m.component) {
    case 'Y': {
      value = static_cast<double>(f.year);
      int max = m.max_width;
      if (max < 0 && m.min_width > 0 && m.presentation == "1") max = m.min_width;
      if (max > 0 && m.integer.primary == IntegerPicture::Primary::kDecimal && max < 10) {
        value = std::fmod(value, std::pow(10.0, max));
      }
      break;
    }
    case 'M':
      if (m.names) return Name(kMonthNames[f.month - 1], m);
      value = f.month;
      break;
    case 'x':
      if (m.names) return Name(kMonthNames[f.month_of_week - 1], m);
      value = f.month_of_week;
      break;
    case 'D':
      value = f.day;
      break;
    case 'd':
      value = f.day_of_year;
      break;
    case 'F':
      if (m.names) return Name(kDayNames[f.iso_weekday - 1], m);
      value = f.iso_weekday;
      break;
    case 'W':
      value = f.iso_week;
      break;
    case 'w':
      value = f.week_of_month;
      break;
    case 'X':
      value = static_cast<double>(f.iso_week_year);
      break;
    case 'H':
      value = f.hour;
      break;
    case 'h':
      value = f.hour % 12 == 0 ? 12 : f.hour % 12;
      break;
    case 'P':
      return Name(f.hour < 12 ? "am" : "pm", m);
    case 'm':
      value = f.minute;
      break;
    case 's':
      value = f.second;
      break;
    case 'f': {
      // Fractional seconds: the leading digits of the milliseconds, as many as asked.
      std::string ms = std::to_string(1000 + f.millis).substr(1);
      int width = std::max(1, m.integer.mandatory_digits);
      if (width <= 3)
        return FormatIntegerPicture(std::stod(ms.substr(0, static_cast<size_t>(width))), m.integer);
      return FormatIntegerPicture(f.millis, m.integer) +
             std::string(static_cast<size_t>(width - 3), '0');
    }
    case 'Z':
      return Offset(offset_minutes, m);
    case 'z': {
      DateMarker plain = m;
      plain.second_modifier = 0;
      return "GMT" + Offset(offset_minutes, plain);
    }
    case 'C':
    case 'E':
      return "ISO";  // the only calendar and era JSONata knows, whatever the presentation
    default:
      break;
  }
  return FormatIntegerPicture(value, m.integer);
}

}  // namespace

// Howard Hinnant's days_from_civil / civil_from_days (public-domain algorithms).
int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void CivilFromDays(int64_t z, int64_t* year, int* month, int* day) {
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  *day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  *month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  *year = yoe + era * 400 + (*month <= 2);
}

std::vector<DateMarker> ParseDatePicture(std::string_view picture) {
  std::vector<DateMarker> out;
  std::string literal;
  size_t i = 0;
  while (i < picture.size()) {
    char c = picture[i];
    if ((c == '[' || c == ']') && i + 1 < picture.size() && picture[i + 1] == c) {
      literal.push_back(c);
      i += 2;
      continue;
    }
    if (c != '[') {
      literal.push_back(c);
      ++i;
      continue;
    }
    size_t close = picture.find(']', i);
    if (close == std::string_view::npos) {
      Fail("D3135", "No matching closing bracket ']' in date/time picture string", Value());
    }
    if (!literal.empty()) {
      DateMarker lit;
      lit.literal = std::move(literal);
      out.push_back(std::move(lit));
      literal.clear();
    }
    DateMarker body;
    body.presentation = std::string(picture.substr(i + 1, close - i - 1));
    out.push_back(std::move(body));
    i = close + 1;
  }
  if (!literal.empty()) {
    DateMarker lit;
    lit.literal = std::move(literal);
    out.push_back(std::move(lit));
  }
  // Markers are analysed once the brackets are known to balance: D3135 comes first.
  for (DateMarker& m : out) {
    if (m.literal.empty()) m = ParseMarker(m.presentation);
  }
  return out;
}

std::optional<int> ParseTimezoneArgument(std::string_view tz) {
  int sign = 1;
  if (!tz.empty() && (tz[0] == '+' || tz[0] == '-')) {
    sign = tz[0] == '-' ? -1 : 1;
    tz.remove_prefix(1);
  }
  if (tz.size() != 4) return std::nullopt;
  for (char c : tz) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
  }
  int hours = (tz[0] - '0') * 10 + (tz[1] - '0'), minutes = (tz[2] - '0') * 10 + (tz[3] - '0');
  return sign * (hours * 60 + minutes);
}

std::string FormatDateTime(int64_t millis, const std::string& picture, int offset_minutes) {
  std::vector<DateMarker> markers = ParseDatePicture(picture);
  Fields f = Breakdown(millis + static_cast<int64_t>(offset_minutes) * 60'000);
  std::string out;
  for (const DateMarker& m : markers) {
    out += m.component == 0 ? m.literal : Component(m, f, offset_minutes);
  }
  return out;
}

}  // namespace tidepool::sfn::jsonata
