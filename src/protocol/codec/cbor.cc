#include "protocol/codec/cbor.h"

#include <boost/json.hpp>

#include <cmath>
#include <cstring>
#include <limits>

#include "core/base64.h"

namespace tidepool::protocol::cbor {
namespace json = boost::json;
namespace {

constexpr uint8_t kBreak = 0xff;
constexpr uint64_t kIndefinite = UINT64_MAX;

// Whether `s` is well-formed UTF-8 (no overlongs, surrogates or code points past U+10FFFF).
bool ValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t extra;
    uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if (c >= 0xC2 && c <= 0xDF) {
      extra = 1;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      extra = 2;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      extra = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + extra >= s.size()) return false;
    for (size_t k = 1; k <= extra; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if ((extra == 2 && cp < 0x800) || (extra == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += extra + 1;
  }
  return true;
}

double HalfToDouble(uint16_t half) {
  const int exponent = (half >> 10) & 0x1f;
  const int mantissa = half & 0x3ff;
  double value;
  if (exponent == 0) {
    value = std::ldexp(mantissa, -24);
  } else if (exponent != 31) {
    value = std::ldexp(mantissa + 1024, exponent - 25);
  } else {
    value = mantissa == 0 ? std::numeric_limits<double>::infinity()
                          : std::numeric_limits<double>::quiet_NaN();
  }
  return (half & 0x8000) ? -value : value;
}

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}

  bool Item(json::value* out, int depth) {
    if (depth > kMaxDepth) return Fail("nesting too deep");
    uint8_t initial;
    if (!Byte(&initial)) return false;
    const uint8_t major = initial >> 5;
    uint64_t arg;
    if (!Argument(initial & 0x1f, major, &arg)) return false;
    switch (major) {
      case 0:
        if (arg > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
          *out = arg;
        } else {
          *out = static_cast<int64_t>(arg);
        }
        return true;
      case 1:
        if (arg > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
          return Fail("negative integer out of range");
        }
        *out = -1 - static_cast<int64_t>(arg);
        return true;
      case 2:
      case 3: {
        std::string s;
        if (!String(major, arg, &s)) return false;
        if (major == 3) {
          if (!ValidUtf8(s)) return Fail("text string is not UTF-8");
          *out = json::string(s);
        } else {
          std::string b64;
          AppendBase64(s, b64);
          *out = json::string(b64);
        }
        return true;
      }
      case 4: {
        json::array a;
        for (uint64_t i = 0; arg == kIndefinite || i < arg; ++i) {
          if (arg == kIndefinite && AtBreak()) break;
          json::value v;
          if (!Item(&v, depth + 1)) return false;
          a.push_back(std::move(v));
        }
        *out = std::move(a);
        return true;
      }
      case 5: {
        json::object o;
        for (uint64_t i = 0; arg == kIndefinite || i < arg; ++i) {
          if (arg == kIndefinite && AtBreak()) break;
          json::value key;
          if (!Item(&key, depth + 1)) return false;
          if (!key.is_string()) return Fail("map key is not a text string");
          json::value v;
          if (!Item(&v, depth + 1)) return false;
          o[key.get_string()] = std::move(v);
        }
        *out = std::move(o);
        return true;
      }
      case 6:
        return Item(out, depth + 1);  // the tag's meaning does not change the value's type
      default:
        return Simple(initial & 0x1f, arg, out);
    }
  }

  bool AtEnd() const { return pos_ == in_.size(); }
  std::string& error() { return error_; }

 private:
  bool Fail(std::string message) {
    if (error_.empty()) error_ = std::move(message);
    return false;
  }

  bool Byte(uint8_t* b) {
    if (pos_ >= in_.size()) return Fail("unexpected end of input");
    *b = static_cast<uint8_t>(in_[pos_++]);
    return true;
  }

  bool Uint(size_t bytes, uint64_t* v) {
    if (in_.size() - pos_ < bytes) return Fail("unexpected end of input");
    *v = 0;
    for (size_t i = 0; i < bytes; ++i) *v = (*v << 8) | static_cast<uint8_t>(in_[pos_++]);
    return true;
  }

  // The item's argument; kIndefinite for an indefinite length (strings, arrays, maps).
  bool Argument(uint8_t info, uint8_t major, uint64_t* arg) {
    if (info < 24) {
      *arg = info;
      return true;
    }
    if (info <= 27) return Uint(size_t{1} << (info - 24), arg);
    if (info == 31 && major >= 2 && major <= 5) {
      *arg = kIndefinite;
      return true;
    }
    if (info == 31 && major == 7) return Fail("unexpected break");
    return Fail("reserved additional information");
  }

  bool AtBreak() {
    if (pos_ < in_.size() && static_cast<uint8_t>(in_[pos_]) == kBreak) {
      ++pos_;
      return true;
    }
    return false;
  }

  bool String(uint8_t major, uint64_t length, std::string* out) {
    if (length != kIndefinite) {
      if (in_.size() - pos_ < length) return Fail("unexpected end of input");
      out->append(in_.substr(pos_, length));
      pos_ += length;
      return true;
    }
    for (;;) {  // chunks of the same major type, definite length each, until a break
      if (AtBreak()) return true;
      uint8_t initial;
      if (!Byte(&initial)) return false;
      if ((initial >> 5) != major || (initial & 0x1f) == 31) {
        return Fail("bad chunk in an indefinite-length string");
      }
      uint64_t chunk;
      if (!Argument(initial & 0x1f, major, &chunk) || !String(major, chunk, out)) return false;
    }
  }

  bool Simple(uint8_t info, uint64_t arg, json::value* out) {
    switch (info) {
      case 20:
        *out = false;
        return true;
      case 21:
        *out = true;
        return true;
      case 22:
      case 23:
        *out = nullptr;
        return true;
      case 25:
        *out = HalfToDouble(static_cast<uint16_t>(arg));
        return true;
      case 26: {
        float f;
        const auto bits = static_cast<uint32_t>(arg);
        std::memcpy(&f, &bits, sizeof f);
        *out = static_cast<double>(f);
        return true;
      }
      case 27: {
        double d;
        std::memcpy(&d, &arg, sizeof d);
        *out = d;
        return true;
      }
      default:
        return Fail("unsupported simple value");
    }
  }

  std::string_view in_;
  size_t pos_ = 0;
  std::string error_;
};

}  // namespace

std::optional<json::value> Read(std::string_view bytes, std::string* error) {
  Reader reader(bytes);
  json::value value;
  if (!reader.Item(&value, 0)) {
    if (error) *error = std::move(reader.error());
    return std::nullopt;
  }
  if (!reader.AtEnd()) {
    if (error) *error = "trailing bytes after the item";
    return std::nullopt;
  }
  return value;
}

void Writer::Head(uint8_t major, uint64_t argument) {
  const auto m = static_cast<uint8_t>(major << 5);
  if (argument < 24) {
    out_.push_back(static_cast<char>(m | argument));
    return;
  }
  int bytes;
  uint8_t info;
  if (argument <= 0xff) {
    bytes = 1, info = 24;
  } else if (argument <= 0xffff) {
    bytes = 2, info = 25;
  } else if (argument <= 0xffffffffULL) {
    bytes = 4, info = 26;
  } else {
    bytes = 8, info = 27;
  }
  out_.push_back(static_cast<char>(m | info));
  for (int i = bytes - 1; i >= 0; --i) out_.push_back(static_cast<char>(argument >> (8 * i)));
}

void Writer::Text(std::string_view text) {
  Head(3, text.size());
  out_.append(text);
}

void Writer::Bytes(std::string_view bytes) {
  Head(2, bytes.size());
  out_.append(bytes);
}

void Writer::Int(int64_t value) {
  if (value >= 0) return Head(0, static_cast<uint64_t>(value));
  Head(1, static_cast<uint64_t>(-1 - value));
}

void Writer::Double(double value) {
  uint64_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  out_.push_back(static_cast<char>(0xfb));
  for (int i = 7; i >= 0; --i) out_.push_back(static_cast<char>(bits >> (8 * i)));
}

}  // namespace tidepool::protocol::cbor
