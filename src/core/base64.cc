#include "core/base64.h"

#include <array>
#include <cstdint>
#include <cstring>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace tidepool {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr uint8_t kInvalid = 0xff;
constexpr uint8_t kPad = 0xfe;

constexpr std::array<uint8_t, 256> MakeDecodeTable() {
  std::array<uint8_t, 256> t{};
  for (auto& v : t) v = kInvalid;
  for (int i = 0; i < 64; ++i) t[static_cast<uint8_t>(kAlphabet[i])] = static_cast<uint8_t>(i);
  t['='] = kPad;
  return t;
}
constexpr std::array<uint8_t, 256> kDecode = MakeDecodeTable();

// Every 12-bit group as its two base64 characters: three input bytes take two lookups.
constexpr std::array<std::array<char, 2>, 4096> kPairs = [] {
  std::array<std::array<char, 2>, 4096> t{};
  for (size_t i = 0; i < t.size(); ++i) t[i] = {kAlphabet[i >> 6], kAlphabet[i & 63]};
  return t;
}();

#if defined(__x86_64__)
// Lanes of `c` with lo <= c <= hi (signed compares: bytes >= 0x80 are in no range).
inline __attribute__((target("avx2"), always_inline)) __m256i InRange(__m256i c, char lo, char hi) {
  return _mm256_andnot_si256(_mm256_cmpgt_epi8(_mm256_set1_epi8(lo), c),
                             _mm256_cmpgt_epi8(_mm256_set1_epi8(static_cast<char>(hi + 1)), c));
}

// Decodes 32 base64 characters at `in` into 24 bytes at `out`, 32 lanes at once. False when
// any character is outside the alphabet (then `out` is unspecified).
inline __attribute__((target("avx2"), always_inline)) bool Decode32(const uint8_t* in, char* out) {
  const __m256i c = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(in));
  const __m256i upper = InRange(c, 'A', 'Z');                         // -> c - 65
  const __m256i lower = InRange(c, 'a', 'z');                         // -> c - 71
  const __m256i digit = InRange(c, '0', '9');                         // -> c + 4
  const __m256i plus = _mm256_cmpeq_epi8(c, _mm256_set1_epi8('+'));   // -> 62: c + 19
  const __m256i slash = _mm256_cmpeq_epi8(c, _mm256_set1_epi8('/'));  // -> 63: c + 16
  const __m256i valid = _mm256_or_si256(_mm256_or_si256(upper, lower),
                                        _mm256_or_si256(digit, _mm256_or_si256(plus, slash)));
  if (_mm256_movemask_epi8(valid) != -1) return false;
  __m256i shift = _mm256_and_si256(upper, _mm256_set1_epi8(-65));
  shift = _mm256_or_si256(shift, _mm256_and_si256(lower, _mm256_set1_epi8(-71)));
  shift = _mm256_or_si256(shift, _mm256_and_si256(digit, _mm256_set1_epi8(4)));
  shift = _mm256_or_si256(shift, _mm256_and_si256(plus, _mm256_set1_epi8(19)));
  shift = _mm256_or_si256(shift, _mm256_and_si256(slash, _mm256_set1_epi8(16)));
  const __m256i sextets = _mm256_add_epi8(c, shift);
  // Per 4 sextets a b c d: 16-bit a<<6|b and c<<6|d, then the 32-bit a<<18|b<<12|c<<6|d.
  const __m256i pairs = _mm256_maddubs_epi16(sextets, _mm256_set1_epi32(0x01400140));
  const __m256i words = _mm256_madd_epi16(pairs, _mm256_set1_epi32(0x00011000));
  // The three bytes of each word, most significant first; 12 bytes per 128-bit lane, then
  // the two lanes' 12 bytes side by side.
  const __m256i bytes = _mm256_shuffle_epi8(
      words, _mm256_setr_epi8(2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1, 2, 1, 0, 6, 5,
                              4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1));
  const __m256i packed =
      _mm256_permutevar8x32_epi32(bytes, _mm256_setr_epi32(0, 1, 2, 4, 5, 6, 3, 7));
  alignas(32) char block[32];
  _mm256_store_si256(reinterpret_cast<__m256i*>(block), packed);
  std::memcpy(out, block, 24);
  return true;
}

// Encodes the 24 bytes at `in` as 32 base64 characters at `out`; reads 28 bytes.
inline __attribute__((target("avx2"), always_inline)) void Encode24(const uint8_t* in, char* out) {
  const __m256i loaded =
      _mm256_set_m128i(_mm_loadu_si128(reinterpret_cast<const __m128i*>(in + 12)),
                       _mm_loadu_si128(reinterpret_cast<const __m128i*>(in)));
  // Each 32-bit lane gets its three bytes s0 s1 s2 as s1 s0 s2 s1: 16-bit words s0s1, s1s2.
  const __m256i spread = _mm256_shuffle_epi8(
      loaded, _mm256_setr_epi8(1, 0, 2, 1, 4, 3, 5, 4, 7, 6, 8, 7, 10, 9, 11, 10, 1, 0, 2, 1, 4, 3,
                               5, 4, 7, 6, 8, 7, 10, 9, 11, 10));
  // Sextets a b c d of s0 s1 s2 into bytes 0-3: a and c by multiply-high, b and d by
  // multiply-low, each word shifted by its own power of two.
  const __m256i ac = _mm256_mulhi_epu16(_mm256_and_si256(spread, _mm256_set1_epi32(0x0fc0fc00)),
                                        _mm256_set1_epi32(0x04000040));
  const __m256i bd = _mm256_mullo_epi16(_mm256_and_si256(spread, _mm256_set1_epi32(0x003f03f0)),
                                        _mm256_set1_epi32(0x01000010));
  const __m256i sextets = _mm256_or_si256(ac, bd);
  // Sextet -> character: +65 ('A'), from 26 +71 ('a'), from 52 -4 ('0'), 62 '+', 63 '/'.
  const __m256i from26 = _mm256_cmpgt_epi8(sextets, _mm256_set1_epi8(25));
  const __m256i from52 = _mm256_cmpgt_epi8(sextets, _mm256_set1_epi8(51));
  const __m256i is62 = _mm256_cmpeq_epi8(sextets, _mm256_set1_epi8(62));
  const __m256i is63 = _mm256_cmpeq_epi8(sextets, _mm256_set1_epi8(63));
  __m256i shift = _mm256_set1_epi8(65);
  shift = _mm256_add_epi8(shift, _mm256_and_si256(from26, _mm256_set1_epi8(6)));
  shift = _mm256_add_epi8(shift, _mm256_and_si256(from52, _mm256_set1_epi8(-75)));
  shift = _mm256_add_epi8(shift, _mm256_and_si256(is62, _mm256_set1_epi8(-15)));
  shift = _mm256_add_epi8(shift, _mm256_and_si256(is63, _mm256_set1_epi8(-12)));
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(out), _mm256_add_epi8(sextets, shift));
}

// Decodes the whole 32-character blocks of in[0, n) into out; returns how many characters it
// consumed, or SIZE_MAX when a block holds a character outside the alphabet.
__attribute__((target("avx2"))) size_t DecodeBlocks(const uint8_t* in, size_t n, char* out) {
  size_t i = 0;
  for (; i + 32 <= n; i += 32, out += 24) {
    if (!Decode32(in + i, out)) return SIZE_MAX;
  }
  return i;
}

// Encodes the whole 24-byte blocks of in[0, n) (reading at most n bytes) into out; returns
// how many bytes it consumed.
__attribute__((target("avx2"))) size_t EncodeBlocks(const uint8_t* in, size_t n, char* out) {
  size_t i = 0;
  for (; i + 28 <= n; i += 24, out += 32) Encode24(in + i, out);
  return i;
}

bool HasAvx2() {
  static const bool has = __builtin_cpu_supports("avx2");
  return has;
}
#endif

}  // namespace

int Base64Value(char c) {
  const uint8_t v = kDecode[static_cast<uint8_t>(c)];
  return v < 64 ? v : -1;
}

bool AppendBase64Decoded(std::string_view text, std::string& out) {
  if (text.size() % 4 != 0) return false;
  if (text.empty()) return true;
  const size_t pad = text.back() == '=' ? (text[text.size() - 2] == '=' ? 2 : 1) : 0;
  const size_t start = out.size();
  out.resize(start + text.size() / 4 * 3 - pad);
  const auto* in = reinterpret_cast<const uint8_t*>(text.data());
  char* o = out.data() + start;
  const size_t full = text.size() - (pad > 0 ? 4 : 0);
  size_t i = 0;
#if defined(__x86_64__)
  if (full >= 32 && HasAvx2()) {
    i = DecodeBlocks(in, full, o);
    if (i == SIZE_MAX) return false;
    o += i / 4 * 3;
  }
#endif
  uint32_t invalid = 0;  // any lookup >= 64 (outside the alphabet, or '=') sets bits 6-7
  for (; i < full; i += 4) {
    uint32_t a = kDecode[in[i]], b = kDecode[in[i + 1]], c = kDecode[in[i + 2]],
             d = kDecode[in[i + 3]];
    invalid |= a | b | c | d;
    uint32_t n = a << 18 | b << 12 | c << 6 | d;
    *o++ = static_cast<char>(n >> 16);
    *o++ = static_cast<char>(n >> 8);
    *o++ = static_cast<char>(n);
  }
  if (pad > 0) {
    uint32_t a = kDecode[in[full]], b = kDecode[in[full + 1]];
    uint32_t c = pad == 1 ? kDecode[in[full + 2]] : 0;
    invalid |= a | b | c;
    // Canonical encodings leave the unused low bits of the last character zero.
    if ((pad == 2 && (b & 0x0f) != 0) || (pad == 1 && (c & 0x03) != 0)) invalid |= 0xc0;
    *o++ = static_cast<char>(a << 2 | b >> 4);
    if (pad == 1) *o++ = static_cast<char>((b & 0x0f) << 4 | c >> 2);
  }
  return (invalid & 0xc0) == 0;
}

void AppendBase64(std::string_view bytes, std::string& out) {
  const size_t start = out.size();
  out.resize(start + Base64EncodedSize(bytes.size()));
  WriteBase64(bytes, out.data() + start);
}

char* WriteBase64(std::string_view bytes, char* p) {
  const auto* in = reinterpret_cast<const uint8_t*>(bytes.data());
  size_t i = 0;
#if defined(__x86_64__)
  if (bytes.size() >= 28 && HasAvx2()) {
    i = EncodeBlocks(in, bytes.size(), p);
    p += i / 3 * 4;
  }
#endif
  for (; i + 3 <= bytes.size(); i += 3) {
    const uint32_t n = in[i] << 16 | in[i + 1] << 8 | in[i + 2];
    std::memcpy(p, kPairs[n >> 12].data(), 2);
    std::memcpy(p + 2, kPairs[n & 4095].data(), 2);
    p += 4;
  }
  if (i + 1 == bytes.size()) {
    uint32_t n = in[i] << 16;
    *p++ = kAlphabet[n >> 18];
    *p++ = kAlphabet[(n >> 12) & 63];
    *p++ = '=';
    *p++ = '=';
  } else if (i + 2 == bytes.size()) {
    uint32_t n = in[i] << 16 | in[i + 1] << 8;
    *p++ = kAlphabet[n >> 18];
    *p++ = kAlphabet[(n >> 12) & 63];
    *p++ = kAlphabet[(n >> 6) & 63];
    *p++ = '=';
  }
  return p;
}

}  // namespace tidepool
