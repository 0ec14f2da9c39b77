// The AWS event stream message encoding (application/vnd.amazon.eventstream), as responses with
// an event stream payload carry it (Lambda's InvokeWithResponseStream):
//
//   message := total_length:u32be headers_length:u32be prelude_crc:u32be headers payload
//              message_crc:u32be
//   header  := name_length:u8 name value_type:u8 (7 = string) value_length:u16be value
//
// prelude_crc is the CRC-32 of the first 8 bytes, message_crc of everything before it.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tidepool::protocol::event_stream {

// One message with string headers `headers` (name, value) and `payload`. Header names are at
// most 255 bytes and values at most 65535 (longer ones are cut).
std::string EncodeMessage(const std::vector<std::pair<std::string, std::string>>& headers,
                          std::string_view payload);

// An "event" message: :message-type event, :event-type `event_type`, :content-type
// `content_type`.
std::string EncodeEvent(std::string_view event_type, std::string_view content_type,
                        std::string_view payload);

// One decoded message: its string headers in order, and its payload.
struct Message {
  std::vector<std::pair<std::string, std::string>> headers;
  std::string payload;
  // The value of header `name`; empty when absent.
  std::string_view Header(std::string_view name) const;
};

// The first message of `bytes`. Sets `*consumed` to its length; nullopt with `*consumed` 0
// when `bytes` holds only part of a message. Malformed input (a bad length or CRC, a header
// of another type than string) yields nullopt with `*error` set.
std::optional<Message> DecodeMessage(std::string_view bytes, size_t* consumed, std::string* error);

}  // namespace tidepool::protocol::event_stream
