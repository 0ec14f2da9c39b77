#include "protocol/codec/json_text.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace tidepool::protocol::json_text {
namespace {

std::string Str(std::string_view s) {
  std::string out;
  AppendString(s, out);
  return out;
}

TEST(JsonTextTest, StringsEscapeWhereverTheSpecialByteSits) {
  EXPECT_EQ(Str(""), R"("")");
  EXPECT_EQ(Str("plain ascii and \xc3\xa9"), "\"plain ascii and \xc3\xa9\"");
  // The fast path reads 8 bytes at a time: put the special byte at every offset.
  for (size_t at = 0; at < 20; ++at) {
    for (char special : {'"', '\\', '\n', '\x01', '\x1f'}) {
      std::string in(20, 'a');
      in[at] = special;
      std::string got = Str(in);
      std::string expected = "\"" + std::string(at, 'a');
      switch (special) {
        case '"':
          expected += "\\\"";
          break;
        case '\\':
          expected += "\\\\";
          break;
        case '\n':
          expected += "\\n";
          break;
        case '\x01':
          expected += "\\u0001";
          break;
        default:
          expected += "\\u001f";
      }
      expected += std::string(19 - at, 'a') + "\"";
      EXPECT_EQ(got, expected) << "offset " << at;
    }
  }
  EXPECT_EQ(Str(std::string(16, ' ')), "\"" + std::string(16, ' ') + "\"");  // 0x20 is plain
  EXPECT_EQ(Str("\x7f\x80\xff"), "\"\x7f\x80\xff\"");  // only < 0x20, quote, backslash
}

TEST(JsonTextTest, EpochMillisWriteWhatTheDoublePathWrites) {
  auto both = [](int64_t ms) {
    std::string fast, slow;
    AppendEpochMillis(ms, fast);
    AppendDouble(static_cast<double>(ms) / 1000.0, slow, /*fixed=*/true);
    EXPECT_EQ(fast, slow) << ms;
  };
  for (int64_t ms :
       {int64_t{0}, int64_t{1}, int64_t{10}, int64_t{100}, int64_t{999}, int64_t{1000},
        int64_t{1'732'261'234'500}, int64_t{1'732'261'234'050}, int64_t{1'732'261'234'567},
        int64_t{-1'500}, (int64_t{1} << 33) * 1000 - 1, (int64_t{1} << 33) * 1000,
        std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()}) {
    both(ms);
    char buf[kMaxEpochMillisChars];
    std::string appended;
    AppendEpochMillis(ms, appended);
    EXPECT_EQ(std::string(buf, WriteEpochMillis(ms, buf)), appended) << ms;
  }
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<int64_t> any(0, (int64_t{1} << 33) * 1000);
  for (int i = 0; i < 100000; ++i) both(any(rng));
}

TEST(JsonTextTest, WriteStringWritesWhatAppendStringAppendsWithinItsBound) {
  std::vector<std::string> inputs = {"", "plain", "quote \" and \\ backslash", "caf\xc3\xa9"};
  std::string every_byte;
  for (int c = 0; c < 256; ++c) every_byte += static_cast<char>(c);
  inputs.push_back(every_byte);
  inputs.push_back(std::string(40, '\x01'));  // the worst case: \u0001 each
  inputs.push_back("0123456789abcdef\n");     // an escape past the 8-byte stride
  for (const std::string& s : inputs) {
    std::string appended;
    AppendString(s, appended);
    std::string written(MaxStringChars(s.size()), '\0');
    written.resize(static_cast<size_t>(WriteString(s, written.data()) - written.data()));
    EXPECT_EQ(written, appended);
    EXPECT_LE(appended.size(), MaxStringChars(s.size()));
  }
}

}  // namespace
}  // namespace tidepool::protocol::json_text
