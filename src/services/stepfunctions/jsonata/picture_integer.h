// Integer pictures of XPath F&O 3.1 §4.6.1, shared by $formatInteger, $parseInteger and the
// date-time components of $fromMillis/$toMillis: decimal digit patterns with grouping
// separators ("#,##0", any Unicode decimal digit family), letters ("a", "A"), roman numerals
// ("i", "I") and English words ("w", "W", "Ww"), each optionally ordinal (";o").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tidepool::sfn::jsonata {

struct IntegerPicture {
  enum class Primary : uint8_t { kDecimal, kLetters, kRoman, kWords };
  enum class Case : uint8_t { kLower, kUpper, kTitle };
  Primary primary = Primary::kDecimal;
  Case letter_case = Case::kLower;
  bool ordinal = false;
  // kDecimal: the family's zero, how many digits at least, and the separators as
  // (digits to their right, character); `regular` > 0 repeats the one separator every so many.
  uint32_t zero = '0';
  int mandatory_digits = 1;
  std::vector<std::pair<int, uint32_t>> separators;
  int regular = 0;
};

// The zero of the Unicode decimal digit family `c` belongs to, or nullopt.
std::optional<uint32_t> DigitFamilyZero(uint32_t c);

// Throws D3130 (no digit in a decimal pattern) or D3131 (digits of two families).
IntegerPicture ParseIntegerPicture(std::string_view picture);
// A primary format token alone ("01", "I", "Ww") with an ordinal flag; the date-time pictures
// use this, their modifiers being written differently.
IntegerPicture ParseIntegerPrimary(std::string_view primary, bool ordinal);

// `value` (truncated toward minus infinity) as the picture writes it.
std::string FormatIntegerPicture(double value, const IntegerPicture& picture);

// The inverse: the whole of `text` read by the picture; nullopt when it does not match.
std::optional<double> ParseIntegerText(std::string_view text, const IntegerPicture& picture);

// English words for the non-negative decimal integer `digits` ("1984" -> "one thousand, nine
// hundred and eighty-four"), lower case; the last word made ordinal when asked.
std::string IntegerWords(std::string_view digits, bool ordinal);
std::optional<double> ParseIntegerWords(std::string_view words);
// How many leading bytes of `text` are number words (with "and", spaces, commas and hyphens
// between them), ending on a word; 0 when none.
size_t MatchIntegerWords(std::string_view text);

}  // namespace tidepool::sfn::jsonata
