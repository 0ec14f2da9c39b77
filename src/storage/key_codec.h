// Key codec: order-preserving building blocks for store keys. Every service keyspace builds
// its keys by concatenating these components, so that byte order of whole keys equals the
// order of their component tuples and a Scan over a prefix visits exactly one subtree.
//
// Grammar (all components are self-delimiting, so they concatenate safely):
//
//   u32     := byte{4}                  big-endian; numeric order == byte order
//   u64     := byte{8}                  big-endian; numeric order == byte order
//   u128    := byte{16}                 big-endian (high 64 bits first)
//   string  := chunk* terminator        order-preserving, any bytes allowed in the input
//   chunk   := byte-other-than-0x00     the byte itself
//            | 0x00 0xFF                an input 0x00
//   terminator := 0x00 0x01
//
// Why string is order-preserving: where two encodings first differ, either both carry
// input bytes (same order as the inputs), or one ends (0x00 0x01) where the other carries
// a byte b: b >= 0x01 > 0x00, or b == 0x00 escaped as 0x00 0xFF > 0x00 0x01. So a shorter
// string sorts before every longer string it is a prefix of, as with plain byte order.
//
// Readers consume from the front of `*in` and return false on malformed or truncated input,
// leaving `*in` unchanged; they never read past `in->size()`. All functions are pure and
// thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace tidepool::storage {

using Uint128 = unsigned __int128;

void AppendU32BE(std::string* out, uint32_t value);
bool ReadU32BE(std::string_view* in, uint32_t* value);

void AppendU64BE(std::string* out, uint64_t value);
bool ReadU64BE(std::string_view* in, uint64_t* value);

void AppendU128BE(std::string* out, Uint128 value);
bool ReadU128BE(std::string_view* in, Uint128* value);

// Appends the `string` component (see grammar) encoding `value`.
void AppendOrderedString(std::string* out, std::string_view value);
// Decodes one `string` component into `*value` (replacing its contents).
bool ReadOrderedString(std::string_view* in, std::string* value);

// The smallest key greater than every key that starts with `prefix`: the prefix with its
// trailing 0xFF bytes removed and its last byte incremented. Empty when there is none (the
// prefix is empty or all 0xFF), which as a Scan end means "no upper bound".
std::string PrefixEnd(std::string_view prefix);

}  // namespace tidepool::storage
