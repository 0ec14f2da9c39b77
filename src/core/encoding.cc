#include "core/encoding.h"

#include "core/base64.h"
#include "core/md5.h"

// SHA-256 uses OpenSSL's low-level functions (deprecated in OpenSSL 3 in favour of EVP, but
// kept): for short inputs the EVP layer's per-call provider lookup costs several times the
// hash itself. MD5 is our own (core/md5.h), for the same reason.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <cstring>
#include <random>

namespace tidepool {

std::string Base64Encode(std::string_view in) {
  std::string out;
  AppendBase64(in, out);
  return out;
}

std::optional<std::string> Base64Decode(std::string_view in) {
  std::string out;
  if (!AppendBase64Decoded(in, out)) return std::nullopt;
  return out;
}

std::string HexEncode(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(bytes.size() * 2, '\0');
  for (size_t i = 0; i < bytes.size(); ++i) {
    auto b = static_cast<uint8_t>(bytes[i]);
    out[2 * i] = kHex[b >> 4];
    out[2 * i + 1] = kHex[b & 15];
  }
  return out;
}

std::string Md5(std::string_view data) {
  const Md5Digest digest = Md5Of(data);
  return std::string(reinterpret_cast<const char*>(digest.data()), digest.size());
}

std::string Sha256(std::string_view data) {
  std::string out(SHA256_DIGEST_LENGTH, '\0');
  SHA256_CTX ctx;
  SHA256_Init(&ctx);
  SHA256_Update(&ctx, data.data(), data.size());
  SHA256_Final(reinterpret_cast<unsigned char*>(out.data()), &ctx);
  return out;
}

std::string HmacSha256(std::string_view key, std::string_view data) {
  // RFC 2104 over the low-level SHA-256 functions: OpenSSL 3's HMAC() fetches the digest and
  // MAC implementations on every call, ~25k instructions for what is four compressions here
  // (SigV4 signing keys chain four of these; SNS signs every delivery).
  constexpr size_t kBlock = SHA256_CBLOCK;
  unsigned char block[kBlock] = {};
  if (key.size() > kBlock) {
    SHA256(reinterpret_cast<const unsigned char*>(key.data()), key.size(), block);
  } else {
    std::memcpy(block, key.data(), key.size());
  }
  unsigned char pad[kBlock];
  for (size_t i = 0; i < kBlock; ++i) pad[i] = block[i] ^ 0x36;
  unsigned char inner[SHA256_DIGEST_LENGTH];
  SHA256_CTX ctx;
  SHA256_Init(&ctx);
  SHA256_Update(&ctx, pad, kBlock);
  SHA256_Update(&ctx, data.data(), data.size());
  SHA256_Final(inner, &ctx);
  for (size_t i = 0; i < kBlock; ++i) pad[i] = block[i] ^ 0x5c;
  std::string out(SHA256_DIGEST_LENGTH, '\0');
  SHA256_Init(&ctx);
  SHA256_Update(&ctx, pad, kBlock);
  SHA256_Update(&ctx, inner, sizeof inner);
  SHA256_Final(reinterpret_cast<unsigned char*>(out.data()), &ctx);
  return out;
}

namespace {

// xoshiro256** (Blackman and Vigna), one per thread, seeded from OpenSSL's RNG. OpenSSL 3's
// RAND_bytes costs ~8k instructions a call, which every SQS message id paid.
class FastRandom {
 public:
  FastRandom() {
    if (RAND_bytes(reinterpret_cast<unsigned char*>(s_), sizeof s_) != 1) {
      std::random_device device;
      for (uint64_t& word : s_) word = (uint64_t{device()} << 32) ^ device();
    }
    if ((s_[0] | s_[1] | s_[2] | s_[3]) == 0) s_[0] = 1;  // the all-zero state is a fixed point
  }
  uint64_t Next() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

}  // namespace

std::string NewUuid() {
  thread_local FastRandom random;
  uint8_t b[16];
  const uint64_t hi = random.Next();
  const uint64_t lo = random.Next();
  std::memcpy(b, &hi, 8);
  std::memcpy(b + 8, &lo, 8);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(36, '-');
  size_t pos = 0;
  for (int i = 0; i < 16; ++i) {
    if (pos == 8 || pos == 13 || pos == 18 || pos == 23) ++pos;
    out[pos++] = kHex[b[i] >> 4];
    out[pos++] = kHex[b[i] & 15];
  }
  return out;
}

}  // namespace tidepool
