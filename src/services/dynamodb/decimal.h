// Decimal: DynamoDB's number type, an exact decimal of at most 38 significant digits with a
// magnitude between 1E-130 and 9.99...E+125 (or zero). Parsing validates with AWS's messages;
// arithmetic is exact (a result that needs more than 38 digits is an error, as on AWS).
// Values are immutable and thread-compatible.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace tidepool::dynamodb {

class Decimal {
 public:
  static constexpr int kMaxDigits = 38;
  static constexpr int kMaxExponent = 125;   // scientific exponent of the largest magnitude
  static constexpr int kMinExponent = -130;  // scientific exponent of the smallest magnitude

  Decimal() = default;  // zero
  // Parses a number as DynamoDB accepts it ("-1.50", "1e3", ".5"); ValidationException texts.
  static Result<Decimal> Parse(std::string_view text);

  bool is_zero() const { return digits_.empty(); }
  bool negative() const { return negative_; }
  // The canonical text DynamoDB returns: no exponent, no trailing zeros ("1.5", "-20", "0").
  std::string ToString() const;
  // Significant digits (no leading or trailing zeros; empty for zero) and scientific exponent.
  const std::string& digits() const { return digits_; }
  int exponent() const { return exponent_; }

  // -1, 0, 1 as numbers compare.
  static int Compare(const Decimal& a, const Decimal& b);
  // Exact sum / difference; ValidationException when out of range or precision.
  static Result<Decimal> Add(const Decimal& a, const Decimal& b);
  static Result<Decimal> Subtract(const Decimal& a, const Decimal& b);

  // Appends an order-preserving, self-delimiting encoding (see keyspace.h `number`).
  void AppendKey(std::string* out) const;
  // Reads an encoding written by AppendKey from the front of `*in`.
  static bool ReadKey(std::string_view* in, Decimal* out);
  // The size DynamoDB counts for this number in an item: about one byte per two digits.
  size_t StoredSize() const { return (digits_.size() + 1) / 2 + 1; }

 private:
  // Builds a decimal from a digit string (leading zeros allowed) times 10^-scale; validates
  // the range and precision.
  static Result<Decimal> FromDigits(bool negative, std::string digits, int scale);

  bool negative_ = false;
  std::string digits_;  // significant digits, first and last non-zero
  int exponent_ = 0;    // value = d.ddd x 10^exponent_
};

}  // namespace tidepool::dynamodb
