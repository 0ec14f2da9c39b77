#include "protocol/codec/event_stream.h"

#include <zlib.h>

#include <algorithm>
#include <cstdint>

namespace tidepool::protocol::event_stream {
namespace {

void PutU32(std::string& out, uint32_t v) {
  out.push_back(static_cast<char>(v >> 24));
  out.push_back(static_cast<char>(v >> 16));
  out.push_back(static_cast<char>(v >> 8));
  out.push_back(static_cast<char>(v));
}

uint32_t Crc(std::string_view bytes) {
  return static_cast<uint32_t>(
      crc32_z(0, reinterpret_cast<const Bytef*>(bytes.data()), bytes.size()));
}

uint32_t GetU32(std::string_view bytes, size_t at) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data() + at);
  return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | uint32_t{p[3]};
}

constexpr size_t kPreludeBytes = 12;
constexpr size_t kMinMessageBytes = kPreludeBytes + 4;
// AWS's limit on one message (16 MiB of payload and 128 KiB of headers, rounded up).
constexpr size_t kMaxMessageBytes = 24 << 20;

}  // namespace

std::string EncodeMessage(const std::vector<std::pair<std::string, std::string>>& headers,
                          std::string_view payload) {
  std::string encoded_headers;
  for (const auto& [name, value] : headers) {
    const size_t name_len = std::min<size_t>(name.size(), 255);
    const size_t value_len = std::min<size_t>(value.size(), 65535);
    encoded_headers.push_back(static_cast<char>(name_len));
    encoded_headers.append(name, 0, name_len);
    encoded_headers.push_back(7);  // string
    encoded_headers.push_back(static_cast<char>(value_len >> 8));
    encoded_headers.push_back(static_cast<char>(value_len));
    encoded_headers.append(value, 0, value_len);
  }
  const uint32_t total = static_cast<uint32_t>(12 + encoded_headers.size() + payload.size() + 4);
  std::string out;
  out.reserve(total);
  PutU32(out, total);
  PutU32(out, static_cast<uint32_t>(encoded_headers.size()));
  PutU32(out, Crc(out));
  out += encoded_headers;
  out.append(payload);
  PutU32(out, Crc(out));
  return out;
}

std::string EncodeEvent(std::string_view event_type, std::string_view content_type,
                        std::string_view payload) {
  return EncodeMessage({{":event-type", std::string(event_type)},
                        {":content-type", std::string(content_type)},
                        {":message-type", "event"}},
                       payload);
}

std::string_view Message::Header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (n == name) return v;
  }
  return {};
}

std::optional<Message> DecodeMessage(std::string_view bytes, size_t* consumed, std::string* error) {
  *consumed = 0;
  if (bytes.size() < kPreludeBytes) return std::nullopt;
  const uint32_t total = GetU32(bytes, 0);
  const uint32_t headers_length = GetU32(bytes, 4);
  if (total < kMinMessageBytes || total > kMaxMessageBytes ||
      headers_length > total - kMinMessageBytes) {
    *error = "bad message length";
    return std::nullopt;
  }
  if (Crc(bytes.substr(0, 8)) != GetU32(bytes, 8)) {
    *error = "bad prelude CRC";
    return std::nullopt;
  }
  if (bytes.size() < total) return std::nullopt;
  if (Crc(bytes.substr(0, total - 4)) != GetU32(bytes, total - 4)) {
    *error = "bad message CRC";
    return std::nullopt;
  }
  Message message;
  std::string_view headers = bytes.substr(kPreludeBytes, headers_length);
  while (!headers.empty()) {
    const size_t name_length = static_cast<unsigned char>(headers[0]);
    if (headers.size() < 1 + name_length + 3 || headers[1 + name_length] != 7) {
      *error = "bad header";
      return std::nullopt;
    }
    const size_t at = 1 + name_length + 2;
    const size_t value_length = size_t{static_cast<unsigned char>(headers[at - 1])} << 8 |
                                static_cast<unsigned char>(headers[at]);
    if (headers.size() < at + 1 + value_length) {
      *error = "bad header";
      return std::nullopt;
    }
    message.headers.emplace_back(headers.substr(1, name_length),
                                 headers.substr(at + 1, value_length));
    headers.remove_prefix(at + 1 + value_length);
  }
  message.payload =
      bytes.substr(kPreludeBytes + headers_length, total - kMinMessageBytes - headers_length);
  *consumed = total;
  return message;
}

}  // namespace tidepool::protocol::event_stream
