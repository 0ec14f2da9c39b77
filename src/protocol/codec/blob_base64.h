// Base64 for blob members, as the AWS codecs see it: decoding reports Coral's
// SerializationException texts (core/base64.h does the work, and the encoding).
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

}  // namespace tidepool::protocol::blob_base64
