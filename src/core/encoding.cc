#include "core/encoding.h"

// MD5 and SHA-256 use OpenSSL's low-level functions (deprecated in OpenSSL 3 in favour of EVP,
// but kept): for the short inputs hashed per record (Kinesis partition keys) the EVP layer's
// per-call provider lookup costs several times the hash itself.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/md5.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <array>
#include <cstring>
#include <random>

namespace tidepool {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::array<int8_t, 256> MakeDecodeTable() {
  std::array<int8_t, 256> t{};
  for (auto& v : t) v = -1;
  for (int i = 0; i < 64; ++i) t[static_cast<uint8_t>(kAlphabet[i])] = static_cast<int8_t>(i);
  return t;
}
constexpr auto kDecode = MakeDecodeTable();

}  // namespace

std::string Base64Encode(std::string_view in) {
  std::string out;
  out.resize(((in.size() + 2) / 3) * 4);
  size_t o = 0, i = 0;
  const auto* p = reinterpret_cast<const uint8_t*>(in.data());
  for (; i + 3 <= in.size(); i += 3) {
    uint32_t v = (p[i] << 16) | (p[i + 1] << 8) | p[i + 2];
    out[o++] = kAlphabet[(v >> 18) & 63];
    out[o++] = kAlphabet[(v >> 12) & 63];
    out[o++] = kAlphabet[(v >> 6) & 63];
    out[o++] = kAlphabet[v & 63];
  }
  size_t rest = in.size() - i;
  if (rest == 1) {
    uint32_t v = p[i] << 16;
    out[o++] = kAlphabet[(v >> 18) & 63];
    out[o++] = kAlphabet[(v >> 12) & 63];
    out[o++] = '=';
    out[o++] = '=';
  } else if (rest == 2) {
    uint32_t v = (p[i] << 16) | (p[i + 1] << 8);
    out[o++] = kAlphabet[(v >> 18) & 63];
    out[o++] = kAlphabet[(v >> 12) & 63];
    out[o++] = kAlphabet[(v >> 6) & 63];
    out[o++] = '=';
  }
  return out;
}

std::optional<std::string> Base64Decode(std::string_view in) {
  if (in.size() % 4 != 0) return std::nullopt;
  std::string out;
  out.reserve(in.size() / 4 * 3);
  for (size_t i = 0; i < in.size(); i += 4) {
    int8_t a = kDecode[static_cast<uint8_t>(in[i])];
    int8_t b = kDecode[static_cast<uint8_t>(in[i + 1])];
    bool last = i + 4 == in.size();
    if (a < 0 || b < 0) return std::nullopt;
    char c3 = in[i + 2], c4 = in[i + 3];
    if (last && c3 == '=' && c4 == '=') {
      if (b & 0x0f) return std::nullopt;  // non-canonical trailing bits
      out.push_back(static_cast<char>((a << 2) | (b >> 4)));
      break;
    }
    int8_t c = kDecode[static_cast<uint8_t>(c3)];
    if (c < 0) return std::nullopt;
    if (last && c4 == '=') {
      if (c & 0x03) return std::nullopt;
      out.push_back(static_cast<char>((a << 2) | (b >> 4)));
      out.push_back(static_cast<char>(((b & 0x0f) << 4) | (c >> 2)));
      break;
    }
    int8_t d = kDecode[static_cast<uint8_t>(c4)];
    if (d < 0) return std::nullopt;
    out.push_back(static_cast<char>((a << 2) | (b >> 4)));
    out.push_back(static_cast<char>(((b & 0x0f) << 4) | (c >> 2)));
    out.push_back(static_cast<char>(((c & 0x03) << 6) | d));
  }
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
  std::string out(MD5_DIGEST_LENGTH, '\0');
  MD5_CTX ctx;
  MD5_Init(&ctx);
  MD5_Update(&ctx, data.data(), data.size());
  MD5_Final(reinterpret_cast<unsigned char*>(out.data()), &ctx);
  return out;
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
  std::string out(32, '\0');
  unsigned int len = 32;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(),
       reinterpret_cast<unsigned char*>(out.data()), &len);
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
