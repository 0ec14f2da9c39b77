// A forward-only reader of plain JSON request bodies for SQS's fast paths: protocol::JsonScan's
// strings (printable ASCII without escapes), plus small integers and the object / array walks
// the scans need. Every method returns false on anything outside that subset; the caller then
// decodes the body with the model codec instead. Not thread-safe (one reader per body); the
// body must outlive the reader and its views.
#pragma once

#include <cstdint>
#include <string_view>

namespace tidepool::sqs {

class BodyScan {
 public:
  explicit BodyScan(std::string_view text) : rest_(text) {}

  // Skips whitespace; consumes `c` and returns true if it comes next.
  bool Consume(char c) {
    SkipSpace();
    if (rest_.empty() || rest_.front() != c) return false;
    rest_.remove_prefix(1);
    return true;
  }

  // Skips whitespace and reads a string as protocol::JsonScan::String does (a view into the
  // text; every byte printable ASCII other than a backslash).
  bool String(std::string_view* out);

  // Skips whitespace and reads an integer of at most 9 digits, with an optional minus sign and
  // no leading zero, fraction or exponent: a JSON number the codec keeps as that exact int64
  // (it is within Java's Integer range, so nothing is clamped). "-0" is refused.
  bool SmallInt(int64_t* out);

  // Skips whitespace; true when the text is used up.
  bool AtEnd() {
    SkipSpace();
    return rest_.empty();
  }

  // Calls `member(name)` for each member of the object that comes next, with the reader just
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

  // Reads an array of strings, calling `item(s)` for each. False when the text is not such an
  // array or `item` says false.
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
    while (!rest_.empty() && (rest_.front() == ' ' || rest_.front() == '\n' ||
                              rest_.front() == '\r' || rest_.front() == '\t')) {
      rest_.remove_prefix(1);
    }
  }

  std::string_view rest_;
};

}  // namespace tidepool::sqs
