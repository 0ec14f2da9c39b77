#include "services/dynamodb/decimal.h"

#include <algorithm>

#include "services/dynamodb/dynamodb_errors.h"

namespace tidepool::dynamodb {
namespace {

Status NotANumber(std::string_view text) {
  if (text.empty()) return Invalid("The parameter cannot be converted to a numeric value");
  return Invalid("The parameter cannot be converted to a numeric value: " + std::string(text));
}

// Unsigned decimal digit strings of equal length: a + b, a - b (a >= b).
std::string AddDigits(const std::string& a, const std::string& b) {
  std::string out(a.size() + 1, '0');
  int carry = 0;
  for (size_t i = a.size(); i-- > 0;) {
    int d = (a[i] - '0') + (b[i] - '0') + carry;
    carry = d / 10;
    out[i + 1] = static_cast<char>('0' + d % 10);
  }
  out[0] = static_cast<char>('0' + carry);
  return out;
}
std::string SubDigits(const std::string& a, const std::string& b) {
  std::string out(a.size(), '0');
  int borrow = 0;
  for (size_t i = a.size(); i-- > 0;) {
    int d = (a[i] - '0') - (b[i] - '0') - borrow;
    borrow = d < 0 ? 1 : 0;
    out[i] = static_cast<char>('0' + (d + 10) % 10);
  }
  return out;
}

}  // namespace

Result<Decimal> Decimal::FromDigits(bool negative, std::string digits, int scale) {
  size_t first = digits.find_first_not_of('0');
  if (first == std::string::npos) return Decimal();
  size_t last = digits.find_last_not_of('0');
  const int trailing = static_cast<int>(digits.size() - 1 - last);
  Decimal d;
  d.negative_ = negative;
  d.digits_ = digits.substr(first, last - first + 1);
  // value = digits x 10^-scale; the first significant digit sits at 10^(len-1-first-scale).
  d.exponent_ = static_cast<int>(digits.size()) - 1 - static_cast<int>(first) - scale;
  (void)trailing;
  if (d.exponent_ > kMaxExponent) {
    return Invalid(
        "Number overflow. Attempting to store a number with magnitude larger than supported "
        "range");
  }
  if (d.exponent_ < kMinExponent) {
    return Invalid(
        "Number underflow. Attempting to store a number with magnitude smaller than supported "
        "range");
  }
  if (d.digits_.size() > static_cast<size_t>(kMaxDigits)) {
    return Invalid("Attempting to store more than 38 significant digits in a Number");
  }
  return d;
}

Result<Decimal> Decimal::Parse(std::string_view text) {
  size_t i = 0;
  bool negative = false;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) negative = text[i++] == '-';
  std::string digits;
  int scale = 0;
  bool any_digit = false, dot = false;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (c >= '0' && c <= '9') {
      any_digit = true;
      // Leading zeros carry no information; skip them to keep huge inputs cheap.
      if (!(digits.empty() && c == '0')) digits.push_back(c);
      if (dot) ++scale;
      if (digits.size() > 1000) return NotANumber(text);
    } else if (c == '.' && !dot) {
      dot = true;
    } else {
      break;
    }
  }
  if (!any_digit) return NotANumber(text);
  if (i < text.size()) {
    if (text[i] != 'e' && text[i] != 'E') return NotANumber(text);
    ++i;
    bool exp_negative = false;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) exp_negative = text[i++] == '-';
    if (i == text.size()) return NotANumber(text);
    int64_t exp = 0;
    for (; i < text.size(); ++i) {
      if (text[i] < '0' || text[i] > '9') return NotANumber(text);
      exp = std::min<int64_t>(exp * 10 + (text[i] - '0'), 100000);
    }
    scale -= static_cast<int>(exp_negative ? -exp : exp);
  }
  if (digits.empty()) return Decimal();
  return FromDigits(negative, std::move(digits), scale);
}

std::string Decimal::ToString() const {
  if (digits_.empty()) return "0";
  std::string out;
  if (negative_) out.push_back('-');
  const int n = static_cast<int>(digits_.size());
  if (exponent_ < 0) {
    out += "0.";
    out.append(static_cast<size_t>(-exponent_ - 1), '0');
    out += digits_;
  } else if (exponent_ + 1 >= n) {
    out += digits_;
    out.append(static_cast<size_t>(exponent_ + 1 - n), '0');
  } else {
    out.append(digits_, 0, exponent_ + 1);
    out.push_back('.');
    out.append(digits_, exponent_ + 1);
  }
  return out;
}

int Decimal::Compare(const Decimal& a, const Decimal& b) {
  const int sa = a.is_zero() ? 0 : (a.negative_ ? -1 : 1);
  const int sb = b.is_zero() ? 0 : (b.negative_ ? -1 : 1);
  if (sa != sb) return sa < sb ? -1 : 1;
  if (sa == 0) return 0;
  int magnitude = 0;
  if (a.exponent_ != b.exponent_) {
    magnitude = a.exponent_ < b.exponent_ ? -1 : 1;
  } else {
    int c = a.digits_.compare(b.digits_);
    magnitude = c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  return sa < 0 ? -magnitude : magnitude;
}

Result<Decimal> Decimal::Add(const Decimal& a, const Decimal& b) {
  if (a.is_zero()) return b;
  if (b.is_zero()) return a;
  // Align both as integers times 10^low.
  const int low_a = a.exponent_ - static_cast<int>(a.digits_.size()) + 1;
  const int low_b = b.exponent_ - static_cast<int>(b.digits_.size()) + 1;
  const int low = std::min(low_a, low_b);
  const int high = std::max(a.exponent_, b.exponent_);
  const size_t width = static_cast<size_t>(high - low + 1);
  auto aligned = [&](const Decimal& d, int d_low) {
    std::string s(width, '0');
    const size_t offset = static_cast<size_t>(high - d.exponent_);
    s.replace(offset, d.digits_.size(), d.digits_);
    (void)d_low;
    return s;
  };
  std::string da = aligned(a, low_a), db = aligned(b, low_b);
  bool negative;
  std::string sum;
  if (a.negative_ == b.negative_) {
    sum = AddDigits(da, db);
    negative = a.negative_;
  } else if (da >= db) {
    sum = SubDigits(da, db);
    negative = a.negative_;
  } else {
    sum = SubDigits(db, da);
    negative = b.negative_;
  }
  return FromDigits(negative, std::move(sum), -low);
}

Result<Decimal> Decimal::Subtract(const Decimal& a, const Decimal& b) {
  Decimal nb = b;
  if (!nb.is_zero()) nb.negative_ = !nb.negative_;
  return Add(a, nb);
}

void Decimal::AppendKey(std::string* out) const {
  if (digits_.empty()) {
    out->push_back(static_cast<char>(0x80));
    return;
  }
  const auto biased = static_cast<uint8_t>(exponent_ - kMinExponent);  // 0..255
  if (!negative_) {
    out->push_back(static_cast<char>(0x81));
    out->push_back(static_cast<char>(biased));
    out->append(digits_);
    out->push_back('\0');
  } else {
    out->push_back(static_cast<char>(0x7F));
    out->push_back(static_cast<char>(0xFF - biased));
    for (char c : digits_) out->push_back(static_cast<char>(0xFF - static_cast<uint8_t>(c)));
    out->push_back(static_cast<char>(0xFF));
  }
}

bool Decimal::ReadKey(std::string_view* in, Decimal* out) {
  std::string_view s = *in;
  if (s.empty()) return false;
  const auto tag = static_cast<uint8_t>(s[0]);
  Decimal d;
  if (tag == 0x80) {
    *out = d;
    in->remove_prefix(1);
    return true;
  }
  if ((tag != 0x81 && tag != 0x7F) || s.size() < 3) return false;
  d.negative_ = tag == 0x7F;
  auto biased = static_cast<uint8_t>(s[1]);
  if (d.negative_) biased = static_cast<uint8_t>(0xFF - biased);
  d.exponent_ = biased + kMinExponent;
  const char end = d.negative_ ? static_cast<char>(0xFF) : '\0';
  size_t i = 2;
  for (; i < s.size() && s[i] != end; ++i) {
    char c = d.negative_ ? static_cast<char>(0xFF - static_cast<uint8_t>(s[i])) : s[i];
    if (c < '0' || c > '9') return false;
    d.digits_.push_back(c);
  }
  // Canonical digits only: no leading or trailing zero (AppendKey never writes one).
  if (i == s.size() || d.digits_.empty() || d.digits_.size() > static_cast<size_t>(kMaxDigits) ||
      d.digits_.front() == '0' || d.digits_.back() == '0') {
    return false;
  }
  in->remove_prefix(i + 1);
  *out = std::move(d);
  return true;
}

}  // namespace tidepool::dynamodb
