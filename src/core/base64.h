// Standard, padded base64 (RFC 4648 section 4), fast: 24 bytes / 32 characters a step with
// AVX2 when the CPU has it (chosen at run time), scalar table loops otherwise. Decoding
// accepts only canonical text (unused low bits of the last character zero). Pure functions;
// thread-safe. protocol/codec/blob_base64.h adds AWS's error texts for bad blobs.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace tidepool {

// The length of the encoding of `bytes` bytes.
constexpr size_t Base64EncodedSize(size_t bytes) { return (bytes + 2) / 3 * 4; }

// Writes the encoding of `bytes` at `p` (room for Base64EncodedSize); returns the end.
char* WriteBase64(std::string_view bytes, char* p);

// Appends the encoding of `bytes` to `out`.
void AppendBase64(std::string_view bytes, std::string& out);

// The value (0-63) of base64 character `c`, or -1 for any other byte ('=' included).
int Base64Value(char c);

// Appends the bytes `text` encodes to `out`. False, with `out` holding some unspecified tail,
// when `text` is not canonical, padded base64.
bool AppendBase64Decoded(std::string_view text, std::string& out);

}  // namespace tidepool
