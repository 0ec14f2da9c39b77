#include "storage/key_codec.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "core/encoding.h"

namespace tidepool::storage {
namespace {

std::string U64(uint64_t v) {
  std::string s;
  AppendU64BE(&s, v);
  return s;
}
std::string U128(Uint128 v) {
  std::string s;
  AppendU128BE(&s, v);
  return s;
}
std::string Str(std::string_view v) {
  std::string s;
  AppendOrderedString(&s, v);
  return s;
}

// Random bytes biased towards the interesting ones (0x00, 0x01, 0xFF).
std::string RandomBytes(std::mt19937_64& rng, size_t max_len) {
  std::string s(rng() % (max_len + 1), '\0');
  for (char& c : s) {
    switch (rng() % 4) {
      case 0:
        c = '\x00';
        break;
      case 1:
        c = '\xFF';
        break;
      case 2:
        c = '\x01';
        break;
      default:
        c = static_cast<char>(rng());
        break;
    }
  }
  return s;
}

int Sign(int c) { return (c > 0) - (c < 0); }

TEST(KeyCodecTest, U64IsFixedBigEndian) {
  EXPECT_EQ(U64(0), std::string(8, '\0'));
  EXPECT_EQ(U64(0x0102030405060708ull), "\x01\x02\x03\x04\x05\x06\x07\x08");
  EXPECT_EQ(U64(UINT64_MAX), std::string(8, '\xFF'));
  std::string two = U64(1) + U64(UINT64_MAX) + "tail";
  std::string_view in = two;
  uint64_t a = 0;
  uint64_t b = 0;
  ASSERT_TRUE(ReadU64BE(&in, &a));
  ASSERT_TRUE(ReadU64BE(&in, &b));
  EXPECT_EQ(a, 1u);
  EXPECT_EQ(b, UINT64_MAX);
  EXPECT_EQ(in, "tail");
}

TEST(KeyCodecTest, U32IsFixedBigEndian) {
  std::string out;
  AppendU32BE(&out, 0x01020304u);
  AppendU32BE(&out, UINT32_MAX);
  EXPECT_EQ(out, "\x01\x02\x03\x04\xFF\xFF\xFF\xFF");
  out += "tail";
  std::string_view in = out;
  uint32_t a = 0;
  uint32_t b = 0;
  ASSERT_TRUE(ReadU32BE(&in, &a));
  ASSERT_TRUE(ReadU32BE(&in, &b));
  EXPECT_EQ(a, 0x01020304u);
  EXPECT_EQ(b, UINT32_MAX);
  EXPECT_EQ(in, "tail");
  std::string_view three = "\x01\x02\x03";
  EXPECT_FALSE(ReadU32BE(&three, &a));
  EXPECT_EQ(three.size(), 3u);
}

TEST(KeyCodecTest, U64RoundTripAndOrderRandomized) {
  std::mt19937_64 rng(1);
  for (int i = 0; i < 20000; ++i) {
    const uint64_t a = rng() >> (rng() % 64);
    const uint64_t b = rng() >> (rng() % 64);
    std::string ea = U64(a);
    std::string_view in = ea;
    uint64_t back = 0;
    ASSERT_TRUE(ReadU64BE(&in, &back));
    ASSERT_EQ(back, a);
    ASSERT_TRUE(in.empty());
    ASSERT_EQ(a < b, ea < U64(b)) << a << " vs " << b;
  }
}

TEST(KeyCodecTest, U128RoundTripAndOrderRandomized) {
  std::mt19937_64 rng(2);
  const Uint128 max = ~Uint128{0};
  for (Uint128 v : {Uint128{0}, Uint128{1}, max, max / 2, Uint128{1} << 64}) {
    std::string e = U128(v);
    ASSERT_EQ(e.size(), 16u);
    std::string_view in = e;
    Uint128 back = 0;
    ASSERT_TRUE(ReadU128BE(&in, &back));
    EXPECT_TRUE(back == v);
  }
  EXPECT_EQ(U128(max), std::string(16, '\xFF'));
  EXPECT_EQ(U128(Uint128{1} << 64), U64(1) + U64(0));
  for (int i = 0; i < 20000; ++i) {
    const Uint128 a = ((Uint128{rng()} << 64) | rng()) >> (rng() % 128);
    const Uint128 b = ((Uint128{rng()} << 64) | rng()) >> (rng() % 128);
    std::string ea = U128(a);
    std::string_view in = ea;
    Uint128 back = 0;
    ASSERT_TRUE(ReadU128BE(&in, &back));
    ASSERT_TRUE(back == a);
    ASSERT_EQ(a < b, ea < U128(b));
  }
}

TEST(KeyCodecTest, FixedWidthReadersRejectShortInput) {
  std::string seven(7, '\x01');
  std::string_view in = seven;
  uint64_t v = 42;
  EXPECT_FALSE(ReadU64BE(&in, &v));
  EXPECT_EQ(in.size(), 7u);
  EXPECT_EQ(v, 42u);
  std::string fifteen(15, '\x01');
  in = fifteen;
  Uint128 w = 7;
  EXPECT_FALSE(ReadU128BE(&in, &w));
  EXPECT_EQ(in.size(), 15u);
  EXPECT_TRUE(w == 7);
  in = std::string_view();
  EXPECT_FALSE(ReadU64BE(&in, &v));
}

TEST(KeyCodecTest, OrderedStringEncodingFollowsGrammar) {
  EXPECT_EQ(Str(""), std::string("\x00\x01", 2));
  EXPECT_EQ(Str("ab"), std::string("ab\x00\x01", 4));
  EXPECT_EQ(Str(std::string("a\x00", 2)), std::string("a\x00\xFF\x00\x01", 5));
  EXPECT_EQ(Str(std::string("\x00\x00", 2)), std::string("\x00\xFF\x00\xFF\x00\x01", 6));
  EXPECT_EQ(Str("\xFF\x01"), std::string("\xFF\x01\x00\x01", 4));
}

TEST(KeyCodecTest, OrderedStringRoundTripAndOrderRandomized) {
  std::mt19937_64 rng(3);
  for (int i = 0; i < 20000; ++i) {
    const std::string a = RandomBytes(rng, 12);
    const std::string b = (rng() % 4 == 0) ? a + RandomBytes(rng, 3) : RandomBytes(rng, 12);
    const std::string ea = Str(a);
    const std::string eb = Str(b);
    std::string_view in = ea;
    std::string back = "garbage";
    ASSERT_TRUE(ReadOrderedString(&in, &back));
    ASSERT_EQ(back, a);
    ASSERT_TRUE(in.empty());
    ASSERT_EQ(Sign(a.compare(b)), Sign(ea.compare(eb)));
  }
}

// Keys made by concatenating components sort like the tuples they encode.
TEST(KeyCodecTest, ConcatenatedComponentsSortAsTuples) {
  std::mt19937_64 rng(4);
  using Tuple = std::tuple<std::string, uint64_t, std::string>;
  std::vector<std::pair<Tuple, std::string>> keys;
  for (int i = 0; i < 3000; ++i) {
    Tuple t{RandomBytes(rng, 4), rng() % 5, RandomBytes(rng, 3)};
    std::string key;
    AppendOrderedString(&key, std::get<0>(t));
    AppendU64BE(&key, std::get<1>(t));
    AppendOrderedString(&key, std::get<2>(t));
    keys.emplace_back(t, key);
  }
  std::vector<std::pair<Tuple, std::string>> by_tuple = keys;
  std::sort(by_tuple.begin(), by_tuple.end(),
            [](const auto& x, const auto& y) { return x.first < y.first; });
  std::vector<std::pair<Tuple, std::string>> by_bytes = keys;
  std::sort(by_bytes.begin(), by_bytes.end(),
            [](const auto& x, const auto& y) { return x.second < y.second; });
  for (size_t i = 0; i < keys.size(); ++i) ASSERT_EQ(by_tuple[i].first, by_bytes[i].first) << i;

  // And decode back component by component.
  for (const auto& [t, key] : keys) {
    std::string_view in = key;
    std::string s0;
    uint64_t n = 0;
    std::string s2;
    ASSERT_TRUE(ReadOrderedString(&in, &s0));
    ASSERT_TRUE(ReadU64BE(&in, &n));
    ASSERT_TRUE(ReadOrderedString(&in, &s2));
    ASSERT_TRUE(in.empty());
    ASSERT_EQ(Tuple(s0, n, s2), t);
  }
}

TEST(KeyCodecTest, OrderedStringDecoderRejectsMalformedInput) {
  const std::vector<std::string> bad = {
      "",
      "abc",                        // no terminator
      std::string("\x00", 1),       // escape cut short
      std::string("ab\x00", 3),     // escape cut short
      std::string("\x00\x02", 2),   // unknown marker
      std::string("a\x00\x00", 3),  // unknown marker
      std::string("\x00\xFF", 2),   // escaped zero, then nothing
      std::string("\x00\xFE\x00\x01", 4),
  };
  for (const std::string& input : bad) {
    std::string_view in = input;
    std::string out = "untouched";
    EXPECT_FALSE(ReadOrderedString(&in, &out)) << HexEncode(input);
    EXPECT_EQ(in.size(), input.size());
    EXPECT_EQ(out, "untouched");
  }
}

TEST(KeyCodecTest, EveryProperPrefixOfAnEncodingIsRejected) {
  std::mt19937_64 rng(5);
  for (int i = 0; i < 500; ++i) {
    const std::string e = Str(RandomBytes(rng, 10));
    for (size_t len = 0; len < e.size(); ++len) {
      // Copy into an exactly-sized buffer so ASan catches any read past the end.
      std::unique_ptr<char[]> buf(new char[len == 0 ? 1 : len]);
      std::copy(e.begin(), e.begin() + static_cast<std::ptrdiff_t>(len), buf.get());
      std::string_view in(buf.get(), len);
      std::string out;
      ASSERT_FALSE(ReadOrderedString(&in, &out)) << len;
    }
  }
}

TEST(KeyCodecTest, DecoderOnGarbageIsCanonicalOrFails) {
  std::mt19937_64 rng(6);
  int accepted = 0;
  for (int i = 0; i < 50000; ++i) {
    const std::string input = RandomBytes(rng, 8);
    std::unique_ptr<char[]> buf(new char[input.size() + 1]);
    std::copy(input.begin(), input.end(), buf.get());
    std::string_view in(buf.get(), input.size());
    std::string out;
    if (!ReadOrderedString(&in, &out)) {
      ASSERT_EQ(in.size(), input.size());
      continue;
    }
    ++accepted;
    // What was consumed is exactly the encoding of what was decoded.
    const size_t consumed = input.size() - in.size();
    ASSERT_EQ(input.substr(0, consumed), Str(out));
  }
  EXPECT_GT(accepted, 0);
}

TEST(KeyCodecTest, PrefixEnd) {
  EXPECT_EQ(PrefixEnd("abc"), "abd");
  EXPECT_EQ(PrefixEnd("ab\xFF"), "ac");
  EXPECT_EQ(PrefixEnd(std::string("a\x00", 2)), std::string("a\x01", 2));
  EXPECT_EQ(PrefixEnd("\x7F"), "\x80");
  EXPECT_EQ(PrefixEnd("\xFF\xFF"), "");
  EXPECT_EQ(PrefixEnd(""), "");
}

TEST(KeyCodecTest, PrefixEndBoundsExactlyThePrefixRandomized) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 20000; ++i) {
    const std::string prefix = RandomBytes(rng, 4);
    const std::string end = PrefixEnd(prefix);
    const std::string key = RandomBytes(rng, 6);
    const bool has_prefix =
        key.compare(0, prefix.size(), prefix) == 0 && key.size() >= prefix.size();
    const bool in_range = key >= prefix && (end.empty() || key < end);
    ASSERT_EQ(has_prefix, in_range) << HexEncode(prefix) << " / " << HexEncode(key);
    ASSERT_TRUE(has_prefix || !in_range);
    const std::string extended = prefix + RandomBytes(rng, 3);
    ASSERT_TRUE(end.empty() || extended < end);
    if (!end.empty()) ASSERT_NE(end.compare(0, prefix.size(), prefix), 0);
  }
}

}  // namespace
}  // namespace tidepool::storage
