#include "services/sqs/message_input.h"

#include <gtest/gtest.h>

#include <string>

namespace tidepool::sqs {
namespace {

bool Accepted(const std::string& text) { return CheckMessageCharacters(text).ok(); }

// The 8-byte ASCII fast path must not let a bad byte through wherever it stands, nor refuse
// good text it skips over.
TEST(MessageInputTest, CheckMessageCharactersAtEveryPosition) {
  const std::string good_bytes[] = {
      " ",           "~", "\x7f", "\t", "\n", "\r", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80",
      "\xef\xbf\xbd"};
  const std::string bad_bytes[] = {std::string(1, '\0'),
                                   "\x01",
                                   "\x1f",
                                   "\x80",
                                   "\xff",
                                   "\xc3",           // truncated sequence
                                   "\xef\xbf\xbe",   // U+FFFE
                                   "\xed\xa0\x80"};  // a surrogate
  for (size_t length : {1, 7, 8, 9, 16, 23, 64}) {
    for (size_t at = 0; at < length; ++at) {
      for (const auto& good : good_bytes) {
        std::string text(length, 'a');
        text.replace(at, 1, good);
        EXPECT_TRUE(Accepted(text)) << "length " << length << " at " << at;
      }
      for (const auto& bad : bad_bytes) {
        std::string text(length, 'a');
        text.replace(at, 1, bad);
        EXPECT_FALSE(Accepted(text)) << "length " << length << " at " << at;
      }
    }
  }
  EXPECT_TRUE(Accepted(""));
  EXPECT_TRUE(Accepted(std::string(1000, 'z')));
}

}  // namespace
}  // namespace tidepool::sqs
