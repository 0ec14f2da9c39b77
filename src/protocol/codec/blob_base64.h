// Base64 for blob members, as the AWS codecs see it: decoding reports Coral's
// SerializationException texts, encoding appends straight into a response buffer.
// Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tidepool::protocol::blob_base64 {

// Decodes standard, padded base64 `text` into `out` (replacing its contents). On failure
// returns the text AWS sends, e.g. "'abc' can not be converted to a Blob: Base64 encoded length
// is expected a multiple of 4 bytes but found: 3"; `out` is then unspecified.
std::optional<std::string> Decode(std::string_view text, std::string& out);

// Appends the bytes of standard, padded, canonical base64 `text` to `out`. False, with `out`
// holding some unspecified tail, when `text` is anything else (Decode then says why).
bool AppendDecoded(std::string_view text, std::string& out);

// Appends the standard, padded base64 encoding of `bytes` to `out`.
void AppendEncoded(std::string_view bytes, std::string& out);
// The length of that encoding.
constexpr size_t EncodedSize(size_t bytes) { return (bytes + 2) / 3 * 4; }
// Writes the encoding at `p` (room for EncodedSize(bytes.size())); returns the end.
char* WriteEncoded(std::string_view bytes, char* p);

}  // namespace tidepool::protocol::blob_base64
