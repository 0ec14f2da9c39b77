// Date-time pictures of XPath F&O 3.1 §9.8.4, shared by $fromMillis (formatting,
// picture_datetime.cc) and $toMillis (parsing, picture_datetime_parse.cc): literal text with
// "[[" and "]]" escapes, and markers such as [Y0001], [MNn,3-3], [D1o], [Z01:01t].
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "services/stepfunctions/jsonata/picture_integer.h"

namespace tidepool::sfn::jsonata {

struct DateMarker {
  char component = 0;                  // one of YMDdFWwXxHhPmsfZzCE; 0 for a literal
  std::string literal;                 // component == 0
  std::string presentation;            // first presentation modifier, defaulted per component
  char second_modifier = 0;            // 'o', 'c', 'a' or 't' when given
  bool names = false;                  // presentation is N, n or Nn
  IntegerPicture integer;              // when not names and not Z/z
  int min_width = -1, max_width = -1;  // -1: not given ("*" or absent)
};

// Throws D3135 (unclosed marker), D3132 (unknown component) or D3133 (names for a numeric
// component).
std::vector<DateMarker> ParseDatePicture(std::string_view picture);

// Days since 1970-01-01 for a proleptic Gregorian date, and back.
int64_t DaysFromCivil(int64_t year, int month, int day);
void CivilFromDays(int64_t days, int64_t* year, int* month, int* day);

extern const char* const kMonthNames[12];  // January..December
extern const char* const kDayNames[7];     // Monday..Sunday

// Offset in minutes from "+HHMM"/"-HHMM"/"HHMM"; nullopt when malformed.
std::optional<int> ParseTimezoneArgument(std::string_view tz);

std::string FormatDateTime(int64_t millis, const std::string& picture, int offset_minutes);
// The instant `text` denotes under `picture`; nullopt when it does not match. Throws D3136 when
// the picture cannot determine a date and time.
std::optional<double> ParseDateTime(std::string_view text, const std::string& picture,
                                    int64_t now_millis);

}  // namespace tidepool::sfn::jsonata
