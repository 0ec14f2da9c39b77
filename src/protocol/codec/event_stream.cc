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

}  // namespace tidepool::protocol::event_stream
