#include "services/sqs/body_scan.h"

#include "protocol/codec/json_scan.h"

namespace tidepool::sqs {

bool BodyScan::String(std::string_view* out) {
  protocol::JsonScan scan(rest_);
  if (!scan.String(out)) return false;
  // `out` views rest_'s text; the closing quote follows it.
  rest_.remove_prefix(static_cast<size_t>(out->data() + out->size() + 1 - rest_.data()));
  return true;
}

bool BodyScan::SmallInt(int64_t* out) {
  SkipSpace();
  const bool negative = !rest_.empty() && rest_.front() == '-';
  if (negative) rest_.remove_prefix(1);
  size_t n = 0;
  int64_t value = 0;
  while (n < rest_.size() && rest_[n] >= '0' && rest_[n] <= '9') {
    if (n == 9) return false;
    value = value * 10 + (rest_[n] - '0');
    ++n;
  }
  if (n == 0 || (rest_[0] == '0' && (n > 1 || negative))) return false;
  // A fraction or exponent would make it a double for the codec (which then truncates).
  if (n < rest_.size() && (rest_[n] == '.' || rest_[n] == 'e' || rest_[n] == 'E')) return false;
  rest_.remove_prefix(n);
  *out = negative ? -value : value;
  return true;
}

}  // namespace tidepool::sqs
