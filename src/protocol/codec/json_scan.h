// A forward-only reader for hand-written fast paths over request bodies (see
// Service::TakesRawInput). It accepts only the plain subset of JSON such bodies use: ASCII
// strings without escapes, small integers, and the structure the caller walks (objects,
// arrays of strings). Anything else makes a method return false, and the caller then
// decodes the body with the model codec, which accepts all of JSON and reports AWS's errors;
// so a fast path never writes an error text itself.
// Not thread-safe (one reader per body); the body must outlive the reader and its views.
#pragma once

#include <cstdint>
#include <string_view>

namespace tidepool::protocol {

class JsonScan {
 public:
  explicit JsonScan(std::string_view text) : p_(text.data()), end_(text.data() + text.size()) {}

  // Skips whitespace; consumes `c` and returns true if it comes next.
  bool Consume(char c) {
    SkipSpace();
    if (p_ == end_ || *p_ != c) return false;
    ++p_;
    return true;
  }

  // Skips whitespace and reads a string into `out` (a view into the text, quotes removed).
  // False unless every byte of it is printable ASCII (0x20-0x7e) other than a backslash, so
  // its length is its length in characters and in UTF-16 code units.
  bool String(std::string_view* out);

  // Skips whitespace and reads a string up to the next quote without looking at its bytes:
  // the caller must reject any content outside an alphabet that has neither backslashes nor
  // control bytes (base64, say), which is then exactly what the JSON text holds.
  bool UncheckedString(std::string_view* out);

  // Skips whitespace and reads an integer of at most 9 digits, with an optional minus sign
  // and no leading zero, fraction or exponent: a JSON number the codec keeps as that exact
  // int64 (within Java's Integer range, so nothing is clamped). "-0" is refused.
  bool SmallInt(int64_t* out);

  // Skips whitespace; true when the text is used up.
  bool AtEnd() {
    SkipSpace();
    return p_ == end_;
  }

  // Calls `member(name)` for each member of the object that comes next, with the scan just
  // past the member's colon. False when the text is not such an object or `member` says false.
  template <typename Member>
  bool Object(Member&& member) {
    if (!Consume('{')) return false;
    if (Consume('}')) return true;
    do {
      std::string_view name;
      if (!String(&name) || !Consume(':') || !member(name)) return false;
    } while (Consume(','));
    return Consume('}');
  }

  // Reads an array of strings (as String reads them), calling `item(s)` for each. False when
  // the text is not such an array or `item` says false.
  template <typename Item>
  bool StringArray(Item&& item) {
    if (!Consume('[')) return false;
    if (Consume(']')) return true;
    do {
      std::string_view s;
      if (!String(&s) || !item(s)) return false;
    } while (Consume(','));
    return Consume(']');
  }

 private:
  void SkipSpace() {
    while (p_ != end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }

  const char* p_;
  const char* end_;
};

}  // namespace tidepool::protocol
