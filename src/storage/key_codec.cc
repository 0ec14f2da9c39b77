#include "storage/key_codec.h"

#include <cstring>

namespace tidepool::storage {

namespace {

// The fixed-width big-endian unsigned integers of the grammar (u32be, u64be).
template <typename T>
void AppendBE(std::string* out, T value) {
  char buf[sizeof(T)];
  for (size_t i = sizeof(T); i-- > 0;) {
    buf[i] = static_cast<char>(value & 0xFF);
    value >>= 8;
  }
  out->append(buf, sizeof(buf));
}

template <typename T>
bool ReadBE(std::string_view* in, T* value) {
  if (in->size() < sizeof(T)) return false;
  T v = 0;
  for (size_t i = 0; i < sizeof(T); ++i) v = (v << 8) | static_cast<uint8_t>((*in)[i]);
  *value = v;
  in->remove_prefix(sizeof(T));
  return true;
}

}  // namespace

void AppendU32BE(std::string* out, uint32_t value) { AppendBE(out, value); }
bool ReadU32BE(std::string_view* in, uint32_t* value) { return ReadBE(in, value); }
void AppendU64BE(std::string* out, uint64_t value) { AppendBE(out, value); }
bool ReadU64BE(std::string_view* in, uint64_t* value) { return ReadBE(in, value); }

void AppendU128BE(std::string* out, Uint128 value) {
  AppendU64BE(out, static_cast<uint64_t>(value >> 64));
  AppendU64BE(out, static_cast<uint64_t>(value));
}

bool ReadU128BE(std::string_view* in, Uint128* value) {
  if (in->size() < 16) return false;
  std::string_view rest = *in;
  uint64_t hi = 0;
  uint64_t lo = 0;
  ReadU64BE(&rest, &hi);
  ReadU64BE(&rest, &lo);
  *value = (static_cast<Uint128>(hi) << 64) | lo;
  *in = rest;
  return true;
}

void AppendOrderedString(std::string* out, std::string_view value) {
  out->reserve(out->size() + value.size() + 2);
  while (!value.empty()) {
    const void* zero = std::memchr(value.data(), 0, value.size());
    if (zero == nullptr) {
      out->append(value);
      break;
    }
    size_t n = static_cast<const char*>(zero) - value.data();
    out->append(value.data(), n);
    out->push_back('\x00');
    out->push_back('\xFF');
    value.remove_prefix(n + 1);
  }
  out->push_back('\x00');
  out->push_back('\x01');
}

bool ReadOrderedString(std::string_view* in, std::string* value) {
  std::string decoded;
  std::string_view rest = *in;
  for (;;) {
    const void* zero = std::memchr(rest.data(), 0, rest.size());
    if (zero == nullptr) return false;  // no terminator
    size_t n = static_cast<const char*>(zero) - rest.data();
    decoded.append(rest.data(), n);
    if (n + 1 >= rest.size()) return false;  // 0x00 is the last byte
    const uint8_t marker = static_cast<uint8_t>(rest[n + 1]);
    rest.remove_prefix(n + 2);
    if (marker == 0x01) break;
    if (marker != 0xFF) return false;
    decoded.push_back('\x00');
  }
  *value = std::move(decoded);
  *in = rest;
  return true;
}

std::string PrefixEnd(std::string_view prefix) {
  std::string end(prefix);
  while (!end.empty()) {
    unsigned char last = static_cast<unsigned char>(end.back());
    if (last != 0xFF) {
      end.back() = static_cast<char>(last + 1);
      return end;
    }
    end.pop_back();
  }
  return end;
}

}  // namespace tidepool::storage
