// $formatNumber: decimal-format pictures of XPath F&O 3.1 §4.7 ("#,##0.00", "0.0e0", "0%",
// "#;(#)"), with the options object overriding the decimal-format properties. A picture is
// analysed into one or two sub-pictures (positive; negative), then the number is rounded
// half-to-even, scaled for an exponent when the picture has one, and laid out digit by digit.
#include <cmath>
#include <cstdio>

#include "services/stepfunctions/jsonata/functions.h"

namespace tidepool::sfn::jsonata {
namespace {

// The decimal-format properties; the single-character ones are code points.
struct DecimalFormat {
  uint32_t decimal_separator = '.';
  uint32_t grouping_separator = ',';
  uint32_t exponent_separator = 'e';
  uint32_t zero_digit = '0';
  uint32_t optional_digit = '#';
  uint32_t pattern_separator = ';';
  std::string infinity = "Infinity";
  std::string nan = "NaN";
  std::string minus_sign = "-";
  std::string percent = "%";
  std::string per_mille = "\xE2\x80\xB0";  // U+2030

  bool IsDigit(uint32_t c) const { return c >= zero_digit && c <= zero_digit + 9; }
  bool IsActive(uint32_t c) const {
    return IsDigit(c) || c == optional_digit || c == decimal_separator || c == grouping_separator;
  }
};

// What §4.7.4 derives from one sub-picture. Grouping positions count digits from the decimal
// separator: leftwards for the integer part, rightwards for the fraction.
struct SubPicture {
  std::string prefix, suffix;
  std::vector<int> integer_groups;
  int regular_group = 0;  // > 0: a separator every this many integer digits
  std::vector<int> fraction_groups;
  int min_integer = 0, scaling = 0, min_fraction = 0, max_fraction = 0, min_exponent = 0;
  bool has_exponent = false, percent = false, per_mille = false;
};

size_t CountOf(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
    ++n;
  }
  return n;
}

[[noreturn]] void PictureError(const char* code, const char* what) {
  Fail(code, std::string("Invalid picture string for $formatNumber: ") + what, Value());
}

SubPicture Analyse(const std::vector<uint32_t>& pic, const DecimalFormat& f) {
  std::string text = FromCodePoints(pic, 0, pic.size());
  SubPicture sp;
  size_t decimals = 0;
  for (uint32_t c : pic) decimals += c == f.decimal_separator;
  if (decimals > 1) PictureError("D3081", "more than one decimal separator");
  size_t percents = CountOf(text, f.percent), per_milles = CountOf(text, f.per_mille);
  if (percents > 1) PictureError("D3082", "more than one percent sign");
  if (per_milles > 1) PictureError("D3083", "more than one per-mille sign");
  if (percents > 0 && per_milles > 0) PictureError("D3084", "both percent and per-mille");
  sp.percent = percents > 0;
  sp.per_mille = per_milles > 0;

  size_t first = pic.size(), last = 0;
  for (size_t i = 0; i < pic.size(); ++i) {
    if (f.IsActive(pic[i])) {
      if (first == pic.size()) first = i;
      last = i;
    }
  }
  if (first == pic.size()) PictureError("D3085", "no digit in the mantissa");
  sp.prefix = FromCodePoints(pic, 0, first);
  sp.suffix = FromCodePoints(pic, last + 1, pic.size());

  std::vector<uint32_t> mantissa, exponent;
  for (size_t i = first; i <= last; ++i) {
    if (!sp.has_exponent && pic[i] == f.exponent_separator && i > first) {
      sp.has_exponent = true;
      continue;
    }
    (sp.has_exponent ? exponent : mantissa).push_back(pic[i]);
  }
  bool mantissa_digit = false;
  for (uint32_t c : mantissa) mantissa_digit |= f.IsDigit(c) || c == f.optional_digit;
  if (!mantissa_digit) PictureError("D3085", "no digit in the mantissa");
  for (uint32_t c : mantissa) {
    if (!f.IsActive(c)) PictureError("D3086", "a passive character between active ones");
  }
  for (uint32_t c : exponent) {
    if (!f.IsActive(c)) PictureError("D3086", "a passive character between active ones");
  }

  std::vector<uint32_t> integer, fraction;
  bool in_fraction = false;
  for (uint32_t c : mantissa) {
    if (c == f.decimal_separator) {
      in_fraction = true;
      continue;
    }
    (in_fraction ? fraction : integer).push_back(c);
  }
  uint32_t g = f.grouping_separator;
  if ((in_fraction && !integer.empty() && integer.back() == g) ||
      (!fraction.empty() && fraction.front() == g)) {
    PictureError("D3087", "a grouping separator next to the decimal separator");
  }
  if (!in_fraction && integer.back() == g) {
    PictureError("D3088", "a grouping separator at the end of the integer part");
  }
  for (size_t i = 1; i < mantissa.size(); ++i) {
    if (mantissa[i] == g && mantissa[i - 1] == g) {
      PictureError("D3089", "two adjacent grouping separators");
    }
  }
  bool seen_digit = false, integer_optional = false;
  for (uint32_t c : integer) {
    if (c == f.optional_digit) {
      if (seen_digit) PictureError("D3090", "an optional digit after a digit in the integer part");
      integer_optional = true;
    }
    seen_digit |= f.IsDigit(c);
  }
  bool seen_optional = false;
  for (uint32_t c : fraction) {
    if (f.IsDigit(c) && seen_optional) {
      PictureError("D3091", "a digit after an optional digit in the fractional part");
    }
    seen_optional |= c == f.optional_digit;
  }
  if (sp.has_exponent && (sp.percent || sp.per_mille)) {
    PictureError("D3092", "an exponent with a percent or per-mille sign");
  }
  for (uint32_t c : exponent) {
    if (!f.IsDigit(c)) PictureError("D3093", "a non-digit in the exponent");
  }

  int digits = 0;
  for (auto it = integer.rbegin(); it != integer.rend(); ++it) {
    if (*it == g) {
      sp.integer_groups.push_back(digits);
    } else {
      ++digits;
      sp.min_integer += f.IsDigit(*it);
    }
  }
  if (!sp.integer_groups.empty()) {
    sp.regular_group = sp.integer_groups[0];
    for (size_t i = 0; i < sp.integer_groups.size(); ++i) {
      if (sp.integer_groups[i] != static_cast<int>(i + 1) * sp.integer_groups[0]) {
        sp.regular_group = 0;
      }
    }
  }
  digits = 0;
  for (uint32_t c : fraction) {
    if (c == g) {
      sp.fraction_groups.push_back(digits);
    } else {
      ++digits;
      sp.min_fraction += f.IsDigit(c);
      ++sp.max_fraction;
    }
  }
  for (uint32_t c : exponent) sp.min_exponent += f.IsDigit(c);
  sp.scaling = sp.min_integer;

  // The adjustments of §4.7.4, in its order.
  if (sp.min_integer == 0 && sp.min_fraction == 0 && decimals == 0) sp.min_integer = 1;
  if (sp.min_integer == 0 && sp.max_fraction == 0) {
    if (sp.has_exponent) {
      sp.min_fraction = sp.max_fraction = 1;
    } else {
      sp.min_integer = 1;
    }
  }
  if (sp.has_exponent && sp.min_integer == 0 && integer_optional) sp.min_integer = 1;
  if (sp.min_integer == 0 && sp.min_fraction == 0) sp.min_fraction = 1;
  return sp;
}

// `digits` (ASCII) in the picture's digit family.
std::string Localise(const std::string& digits, const DecimalFormat& f) {
  std::string out;
  for (char c : digits) AppendUtf8(&out, f.zero_digit + static_cast<uint32_t>(c - '0'));
  return out;
}

std::string WithSeparators(const std::string& digits, const std::vector<int>& at,
                           const DecimalFormat& f, bool from_right, int regular) {
  std::string sep;
  AppendUtf8(&sep, f.grouping_separator);
  auto len = static_cast<int>(digits.size());
  auto separated_before = [&](int counted) {
    if (counted <= 0 || counted >= len) return false;
    if (regular > 0) return counted % regular == 0;
    for (int p : at) {
      if (p == counted) return true;
    }
    return false;
  };
  std::string out;
  for (int i = 0; i < len; ++i) {
    int counted = from_right ? len - i : i;
    if (separated_before(counted)) out += sep;
    out += Localise(digits.substr(static_cast<size_t>(i), 1), f);
  }
  return out;
}

std::string FixedDigits(double value, int places) {
  int n = std::snprintf(nullptr, 0, "%.*f", places, value);
  std::string text(static_cast<size_t>(n) + 1, '\0');
  std::snprintf(text.data(), text.size(), "%.*f", places, value);
  text.resize(static_cast<size_t>(n));
  return text;
}

std::string Format(double value, const std::vector<SubPicture>& pics, const DecimalFormat& f) {
  if (std::isnan(value)) return f.nan;
  bool negative = value < 0;
  const SubPicture& sp = negative && pics.size() > 1 ? pics[1] : pics[0];
  std::string prefix = negative && pics.size() == 1 ? f.minus_sign + sp.prefix : sp.prefix;
  double a = std::fabs(value);
  if (sp.percent) a *= 100;
  if (sp.per_mille) a *= 1000;
  if (std::isinf(a)) return prefix + f.infinity + sp.suffix;

  int exponent = 0;
  double mantissa = a;
  if (sp.has_exponent && a != 0) {
    exponent = static_cast<int>(std::floor(std::log10(a))) + 1 - sp.scaling;
    for (int attempt = 0; attempt < 4; ++attempt) {
      mantissa = RoundHalfEven(ShiftDecimal(a, -exponent), sp.max_fraction);
      double upper = std::pow(10.0, sp.scaling), lower = upper / 10;
      if (mantissa >= upper) {
        ++exponent;
      } else if (mantissa < lower && mantissa != 0) {
        --exponent;
      } else {
        break;
      }
    }
  } else {
    mantissa = RoundHalfEven(a, sp.max_fraction);
  }
  std::string text = FixedDigits(mantissa, sp.max_fraction);
  size_t dot = text.find('.');
  std::string integer = text.substr(0, dot);
  std::string fraction = dot == std::string::npos ? "" : text.substr(dot + 1);
  while (static_cast<int>(fraction.size()) > sp.min_fraction && fraction.back() == '0') {
    fraction.pop_back();
  }
  size_t lead = integer.find_first_not_of('0');
  integer = lead == std::string::npos ? "" : integer.substr(lead);
  if (static_cast<int>(integer.size()) < sp.min_integer) {
    integer.insert(0, static_cast<size_t>(sp.min_integer) - integer.size(), '0');
  }

  std::string out = prefix;
  out += WithSeparators(integer, sp.integer_groups, f, true, sp.regular_group);
  if (!fraction.empty()) {
    AppendUtf8(&out, f.decimal_separator);
    out += WithSeparators(fraction, sp.fraction_groups, f, false, 0);
  }
  if (sp.has_exponent) {
    AppendUtf8(&out, f.exponent_separator);
    if (exponent < 0) out += f.minus_sign;
    std::string e = std::to_string(std::abs(exponent));
    if (static_cast<int>(e.size()) < sp.min_exponent) {
      e.insert(0, static_cast<size_t>(sp.min_exponent) - e.size(), '0');
    }
    out += Localise(e, f);
  }
  return out + sp.suffix;
}

DecimalFormat FormatFromOptions(const Value& options) {
  DecimalFormat f;
  if (!options.is_object()) return f;
  auto text = [&](const char* key, std::string* out) {
    const Value* v = options.object().Find(key);
    if (v && v->is_string()) *out = v->str();
  };
  auto character = [&](const char* key, uint32_t* out) {
    const Value* v = options.object().Find(key);
    if (v && v->is_string() && !v->str().empty()) *out = CodePoints(v->str())[0];
  };
  character("decimal-separator", &f.decimal_separator);
  character("grouping-separator", &f.grouping_separator);
  character("exponent-separator", &f.exponent_separator);
  character("zero-digit", &f.zero_digit);
  character("digit", &f.optional_digit);
  character("pattern-separator", &f.pattern_separator);
  text("infinity", &f.infinity);
  text("NaN", &f.nan);
  text("minus-sign", &f.minus_sign);
  text("percent", &f.percent);
  text("per-mille", &f.per_mille);
  return f;
}

}  // namespace

std::string FormatNumberPicture(double value, const std::string& picture, const Value& options) {
  DecimalFormat f = FormatFromOptions(options);
  std::vector<uint32_t> cps = CodePoints(picture);
  std::vector<std::vector<uint32_t>> parts(1);
  for (uint32_t c : cps) {
    if (c == f.pattern_separator) {
      parts.emplace_back();
    } else {
      parts.back().push_back(c);
    }
  }
  if (parts.size() > 2) PictureError("D3080", "more than one pattern separator");
  std::vector<SubPicture> pics;
  for (const auto& part : parts) pics.push_back(Analyse(part, f));
  return Format(value, pics, f);
}

void DefineNumberPictureFunctions(Library& lib) {
  Define(lib, "formatNumber", "<n-so?:s>", [](CallContext&, std::vector<Value>& a) {
    // An undefined picture (a path that matched nothing) gives undefined, like the value.
    if (a[0].undefined() || !Arg(a, 1).is_string()) return Value();
    return Value::String(FormatNumberPicture(a[0].number(), a[1].str(), Arg(a, 2)));
  });
}

}  // namespace tidepool::sfn::jsonata
