// Byte encodings: base64 (RFC 4648, standard alphabet, padded), hex, and digests (OpenSSL).
// All functions are pure and thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tidepool {

std::string Base64Encode(std::string_view bytes);
// Strict decode: padding required (length % 4 == 0), only the standard alphabet.
// Returns nullopt on any invalid input.
std::optional<std::string> Base64Decode(std::string_view text);

std::string HexEncode(std::string_view bytes);  // lowercase

// Raw digests (16 / 32 bytes).
std::string Md5(std::string_view data);
std::string Sha256(std::string_view data);
std::string HmacSha256(std::string_view key, std::string_view data);

// A random version-4 UUID, lowercase with dashes (message ids, subscription ids...). Fast and
// unpredictable enough for ids (a per-thread xoshiro256** seeded from OpenSSL's RNG), but not
// a cryptographic secret.
std::string NewUuid();

}  // namespace tidepool
