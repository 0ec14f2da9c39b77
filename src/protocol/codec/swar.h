// Byte tests on 8 bytes at once ("SWAR"), for the JSON text readers and writers. Each answers
// exactly whether ANY byte of the word qualifies (which one is not reliable: borrows may
// flag a later byte). Pure, constexpr.
#pragma once

#include <cstdint>

namespace tidepool::protocol::swar {

constexpr uint64_t kOnes = 0x0101010101010101ULL;
constexpr uint64_t kHigh = 0x8080808080808080ULL;

// Some byte of `v` is below `n` (n <= 128).
constexpr bool AnyBelow(uint64_t v, uint8_t n) { return ((v - kOnes * n) & ~v & kHigh) != 0; }

// Some byte of `v` equals `c`.
constexpr bool AnyEqual(uint64_t v, uint8_t c) {
  const uint64_t x = v ^ (kOnes * c);
  return ((x - kOnes) & ~x & kHigh) != 0;
}

// Some byte of `v` is 0x80 or above.
constexpr bool AnyHigh(uint64_t v) { return (v & kHigh) != 0; }

}  // namespace tidepool::protocol::swar
