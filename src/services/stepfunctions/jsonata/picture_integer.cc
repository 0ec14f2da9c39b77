// $formatInteger and $parseInteger (XPath F&O 3.1 §4.6.1 and JSONata's inverse of it).
#include "services/stepfunctions/jsonata/picture_integer.h"

#include <array>
#include <cctype>
#include <cmath>
#include <cstdlib>

#include "services/stepfunctions/jsonata/functions.h"

namespace tidepool::sfn::jsonata {
namespace {

// Zeros of the Unicode decimal digit families (general category Nd).
constexpr std::array<uint32_t, 61> kDigitZeros = {
    0x30,    0x660,   0x6F0,   0x7C0,   0x966,   0x9E6,   0xA66,   0xAE6,   0xB66,
    0xBE6,   0xC66,   0xCE6,   0xD66,   0xDE6,   0xE50,   0xED0,   0xF20,   0x1040,
    0x1090,  0x17E0,  0x1810,  0x1946,  0x19D0,  0x1A80,  0x1A90,  0x1B50,  0x1BB0,
    0x1C40,  0x1C50,  0xA620,  0xA8D0,  0xA900,  0xA9D0,  0xA9F0,  0xAA50,  0xABF0,
    0xFF10,  0x104A0, 0x10D30, 0x11066, 0x110F0, 0x11136, 0x111D0, 0x112F0, 0x11450,
    0x114D0, 0x11650, 0x116C0, 0x11730, 0x118E0, 0x11C50, 0x11D50, 0x11DA0, 0x16A60,
    0x16B50, 0x1D7CE, 0x1D7D8, 0x1D7E2, 0x1D7EC, 0x1D7F6, 0x1E950};

// Roman numeral values, largest first, with the subtractive pairs.
constexpr std::array<std::pair<int, const char*>, 13> kRoman = {{{1000, "m"},
                                                                 {900, "cm"},
                                                                 {500, "d"},
                                                                 {400, "cd"},
                                                                 {100, "c"},
                                                                 {90, "xc"},
                                                                 {50, "l"},
                                                                 {40, "xl"},
                                                                 {10, "x"},
                                                                 {9, "ix"},
                                                                 {5, "v"},
                                                                 {4, "iv"},
                                                                 {1, "i"}}};
// Beyond this a roman numeral would be a run of thousands of "M"s; decimal digits instead.
constexpr double kMaxRoman = 100000;

// The digits JavaScript shows for the integer: its shortest form ("1e+46") written out, so a
// large power of ten stays a one and zeros.
std::string DecimalDigits(double non_negative_integer) {
  std::string text = NumberToString(non_negative_integer);
  size_t e = text.find('e');
  if (e == std::string::npos) return text;
  std::string mantissa = text.substr(0, e);
  int exponent = std::atoi(text.c_str() + e + 1);
  size_t dot = mantissa.find('.');
  int fraction = 0;
  if (dot != std::string::npos) {
    fraction = static_cast<int>(mantissa.size() - dot - 1);
    mantissa.erase(dot, 1);
  }
  return mantissa + std::string(static_cast<size_t>(std::max(0, exponent - fraction)), '0');
}

const char* OrdinalSuffix(const std::string& digits) {
  size_t n = digits.size();
  char last = digits[n - 1];
  if (n >= 2 && digits[n - 2] == '1') return "th";
  if (last == '1') return "st";
  if (last == '2') return "nd";
  if (last == '3') return "rd";
  return "th";
}

std::string ApplyCase(std::string s, IntegerPicture::Case c) {
  bool word_start = true;
  for (size_t i = 0; i < s.size(); ++i) {
    auto ch = static_cast<unsigned char>(s[i]);
    if (c == IntegerPicture::Case::kUpper) {
      s[i] = static_cast<char>(std::toupper(ch));
    } else if (c == IntegerPicture::Case::kTitle && word_start && s.compare(i, 4, "and ") != 0) {
      s[i] = static_cast<char>(std::toupper(ch));
    }
    word_start = s[i] == ' ' || s[i] == '-';
  }
  return s;
}

std::string FormatDecimal(const std::string& digits_in, const IntegerPicture& p) {
  std::string digits = digits_in;
  if (static_cast<int>(digits.size()) < p.mandatory_digits) {
    digits.insert(0, static_cast<size_t>(p.mandatory_digits) - digits.size(), '0');
  }
  auto len = static_cast<int>(digits.size());
  std::string out;
  for (int i = 0; i < len; ++i) {
    int right = len - i;  // digits from here to the end
    if (i > 0) {
      if (p.regular > 0 && right % p.regular == 0) {
        AppendUtf8(&out, p.separators[0].second);
      } else if (p.regular == 0) {
        for (const auto& [at, c] : p.separators) {
          if (at == right) AppendUtf8(&out, c);
        }
      }
    }
    AppendUtf8(&out, p.zero + static_cast<uint32_t>(digits[static_cast<size_t>(i)] - '0'));
  }
  return out;
}

std::string Letters(double n, IntegerPicture::Case c) {
  std::string out;
  char base = c == IntegerPicture::Case::kUpper ? 'A' : 'a';
  while (n > 0) {
    n -= 1;
    out.insert(out.begin(), static_cast<char>(base + static_cast<int>(std::fmod(n, 26))));
    n = std::floor(n / 26);
  }
  return out;
}

std::string Roman(double value, IntegerPicture::Case c) {
  auto n = static_cast<int>(value);
  std::string out;
  for (const auto& [v, text] : kRoman) {
    for (; n >= v; n -= v) out += text;
  }
  return ApplyCase(out, c);
}

std::optional<double> ParseRoman(std::string_view text) {
  double total = 0;
  size_t i = 0;
  for (const auto& [v, numeral] : kRoman) {
    std::string_view sv(numeral);
    while (i + sv.size() <= text.size()) {
      bool match = true;
      for (size_t k = 0; k < sv.size(); ++k) {
        match &= std::tolower(static_cast<unsigned char>(text[i + k])) == sv[k];
      }
      if (!match) break;
      total += v;
      i += sv.size();
    }
  }
  if (i != text.size()) return std::nullopt;
  return total;
}

std::optional<double> ParseLetters(std::string_view text) {
  double total = 0;
  for (char ch : text) {
    int c = std::tolower(static_cast<unsigned char>(ch));
    if (c < 'a' || c > 'z') return std::nullopt;
    total = total * 26 + (c - 'a' + 1);
  }
  return text.empty() ? std::nullopt : std::optional<double>(total);
}

std::optional<double> ParseDecimal(std::string_view text, const IntegerPicture& p) {
  std::string digits;
  for (uint32_t c : CodePoints(text)) {
    if (c >= p.zero && c <= p.zero + 9) {
      digits.push_back(static_cast<char>('0' + (c - p.zero)));
      continue;
    }
    bool separator = false;
    for (const auto& s : p.separators) separator |= s.second == c;
    if (!separator) return std::nullopt;
  }
  if (digits.empty()) return std::nullopt;
  return std::strtod(digits.c_str(), nullptr);
}

}  // namespace

std::optional<uint32_t> DigitFamilyZero(uint32_t c) {
  for (uint32_t zero : kDigitZeros) {
    if (c >= zero && c <= zero + 9) return zero;
  }
  return std::nullopt;
}

IntegerPicture ParseIntegerPrimary(std::string_view primary, bool ordinal) {
  IntegerPicture p;
  p.ordinal = ordinal;
  using P = IntegerPicture::Primary;
  using C = IntegerPicture::Case;
  if (primary == "A" || primary == "a") {
    p.primary = P::kLetters;
    p.letter_case = primary == "A" ? C::kUpper : C::kLower;
    return p;
  }
  if (primary == "I" || primary == "i") {
    p.primary = P::kRoman;
    p.letter_case = primary == "I" ? C::kUpper : C::kLower;
    return p;
  }
  if (primary == "W" || primary == "w" || primary == "Ww") {
    p.primary = P::kWords;
    p.letter_case = primary == "W" ? C::kUpper : primary == "Ww" ? C::kTitle : C::kLower;
    return p;
  }
  std::vector<uint32_t> cps = CodePoints(primary);
  std::optional<uint32_t> zero;
  p.mandatory_digits = 0;
  int counted = 0;
  for (auto it = cps.rbegin(); it != cps.rend(); ++it) {
    std::optional<uint32_t> family = DigitFamilyZero(*it);
    if (family) {
      if (zero && *zero != *family) {
        Fail("D3131", "Decimal digits of different families in the picture string", Value());
      }
      zero = family;
      ++p.mandatory_digits;
      ++counted;
    } else if (*it == '#') {
      ++counted;
    } else {
      p.separators.emplace_back(counted, *it);
    }
  }
  if (!zero) {
    Fail("D3130", "The picture string has no decimal digit: " + std::string(primary), Value());
  }
  p.zero = *zero;
  if (!p.separators.empty()) {
    p.regular = p.separators[0].first;
    for (size_t i = 0; i < p.separators.size(); ++i) {
      if (p.separators[i].second != p.separators[0].second ||
          p.separators[i].first != static_cast<int>(i + 1) * p.separators[0].first) {
        p.regular = 0;
      }
    }
  }
  return p;
}

IntegerPicture ParseIntegerPicture(std::string_view picture) {
  size_t semicolon = picture.rfind(';');
  if (semicolon == std::string_view::npos) return ParseIntegerPrimary(picture, false);
  std::string_view modifier = picture.substr(semicolon + 1);
  return ParseIntegerPrimary(picture.substr(0, semicolon), !modifier.empty() && modifier[0] == 'o');
}

std::string FormatIntegerPicture(double value, const IntegerPicture& p) {
  value = std::floor(value);
  if (value < 0) return "-" + FormatIntegerPicture(-value, p);
  if (std::isinf(value)) value = 1e308;
  std::string digits = DecimalDigits(value);
  using P = IntegerPicture::Primary;
  switch (p.primary) {
    case P::kLetters:
      return Letters(value, p.letter_case);
    case P::kRoman:
      if (value < kMaxRoman) return Roman(value, p.letter_case);
      return digits;
    case P::kWords:
      return ApplyCase(IntegerWords(digits, p.ordinal), p.letter_case);
    case P::kDecimal:
      break;
  }
  std::string out = FormatDecimal(digits, p);
  return p.ordinal ? out + OrdinalSuffix(digits) : out;
}

std::optional<double> ParseIntegerText(std::string_view text, const IntegerPicture& p) {
  using P = IntegerPicture::Primary;
  switch (p.primary) {
    case P::kLetters:
      return ParseLetters(text);
    case P::kRoman:
      return ParseRoman(text);
    case P::kWords:
      return ParseIntegerWords(text);
    case P::kDecimal:
      break;
  }
  if (p.ordinal && text.size() >= 2) {
    std::string_view suffix = text.substr(text.size() - 2);
    if (suffix == "st" || suffix == "nd" || suffix == "rd" || suffix == "th") {
      text.remove_suffix(2);
    }
  }
  return ParseDecimal(text, p);
}

void DefineIntegerPictureFunctions(Library& lib) {
  Define(lib, "formatInteger", "<n-s:s>", [](CallContext&, std::vector<Value>& a) {
    // An undefined picture (a path that matched nothing) gives undefined, like the value.
    if (a[0].undefined() || !Arg(a, 1).is_string()) return Value();
    return Value::String(FormatIntegerPicture(a[0].number(), ParseIntegerPicture(a[1].str())));
  });
  Define(lib, "parseInteger", "<s-s:n>", [](CallContext&, std::vector<Value>& a) {
    // An undefined picture (a path that matched nothing) gives undefined, like the value.
    if (a[0].undefined() || !Arg(a, 1).is_string()) return Value();
    auto n = ParseIntegerText(a[0].str(), ParseIntegerPicture(a[1].str()));
    return n ? Value::Number(*n) : Value();
  });
}

}  // namespace tidepool::sfn::jsonata
