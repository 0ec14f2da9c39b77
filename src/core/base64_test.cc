// Base64: the appending decoder and the encoder (both with an AVX2 path) against an obvious
// reference, at every length and every byte value in every lane.
#include "core/base64.h"

#include <gtest/gtest.h>

#include <optional>
#include <random>
#include <string>

namespace tidepool {
namespace {

TEST(Base64Test, ValuesOfCharacters) {
  EXPECT_EQ(Base64Value('A'), 0);
  EXPECT_EQ(Base64Value('z'), 51);
  EXPECT_EQ(Base64Value('/'), 63);
  EXPECT_EQ(Base64Value('='), -1);
  EXPECT_EQ(Base64Value('\x80'), -1);
}

TEST(Base64Test, AppendDecodedAppendsCanonicalBase64Only) {
  std::string out = "x";
  ASSERT_TRUE(AppendBase64Decoded("aGVsbG8=", out));
  EXPECT_EQ(out, "xhello");
  ASSERT_TRUE(AppendBase64Decoded("", out));
  EXPECT_EQ(out, "xhello");
  ASSERT_TRUE(AppendBase64Decoded("AAEC", out));
  EXPECT_EQ(out, std::string("xhello\0\1\2", 9));
  for (std::string_view bad : {"aGVsbG8", "aGVsbG9=", "aGV\\bG8=", "a===", "====", "aG=s"}) {
    std::string sink;
    EXPECT_FALSE(AppendBase64Decoded(bad, sink)) << bad;
  }
}

// The obvious base64 decoder, character by character: the reference for the fast ones.
std::optional<std::string> ReferenceDecode(std::string_view text) {
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  if (text.size() % 4 != 0) return std::nullopt;
  size_t pad = 0;
  while (pad < 2 && pad < text.size() && text[text.size() - 1 - pad] == '=') ++pad;
  std::string out;
  uint32_t bits = 0;
  int nbits = 0;
  for (size_t i = 0; i < text.size() - pad; ++i) {
    const size_t v = kAlphabet.find(text[i]);
    if (v == std::string_view::npos) return std::nullopt;
    bits = bits << 6 | static_cast<uint32_t>(v);
    nbits += 6;
    if (nbits >= 8) {
      nbits -= 8;
      out += static_cast<char>(bits >> nbits);
      bits &= (1u << nbits) - 1;
    }
  }
  if (bits != 0) return std::nullopt;  // not canonical: unused low bits set
  return out;
}

TEST(Base64Test, FastPathsMatchTheReferenceAtEveryLengthAndByte) {
  std::mt19937 rng(11);
  for (size_t n = 0; n < 300; ++n) {
    std::string bytes(n, '\0');
    for (char& b : bytes) b = static_cast<char>(rng());
    std::string text;
    AppendBase64(bytes, text);
    std::string out = "prefix";
    ASSERT_TRUE(AppendBase64Decoded(text, out)) << n;
    ASSERT_EQ(out, "prefix" + bytes) << n;
    ASSERT_EQ(ReferenceDecode(text), bytes);
  }
  // The encoder against the reference, at every length around its 24-byte blocks.
  for (size_t n = 0; n < 300; ++n) {
    std::string bytes(n, '\0');
    for (char& b : bytes) b = static_cast<char>(rng());
    std::string text = "prefix";
    AppendBase64(bytes, text);
    ASSERT_EQ(text.size(), 6 + (n + 2) / 3 * 4);
    ASSERT_EQ(ReferenceDecode(std::string_view(text).substr(6)), bytes) << n;
  }
  // Every sextet value in every lane of the encoder: bytes 0x00..0xff in all positions.
  for (int shift = 0; shift < 256; ++shift) {
    std::string bytes(96, '\0');
    for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>((i * 7 + shift) & 0xff);
    std::string text;
    AppendBase64(bytes, text);
    ASSERT_EQ(ReferenceDecode(text), bytes) << shift;
  }
  // Every byte value at every position of a 96-character text (three 32-lane blocks).
  std::string bytes(72, '\0');
  for (char& b : bytes) b = static_cast<char>(rng());
  std::string clean;
  AppendBase64(bytes, clean);
  ASSERT_EQ(clean.size(), 96u);
  for (size_t pos = 0; pos < clean.size(); ++pos) {
    for (int c = 0; c < 256; ++c) {
      std::string text = clean;
      text[pos] = static_cast<char>(c);
      std::string out;
      const bool ok = AppendBase64Decoded(text, out);
      const auto expected = ReferenceDecode(text);
      ASSERT_EQ(ok, expected.has_value()) << "pos " << pos << " byte " << c;
      if (ok) ASSERT_EQ(out, *expected) << "pos " << pos << " byte " << c;
    }
  }
}

}  // namespace
}  // namespace tidepool
