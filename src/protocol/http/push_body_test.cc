#include "protocol/http/push_body.h"

#include <gtest/gtest.h>

#include <string>

namespace tidepool::protocol::http {
namespace {

std::string ReadAll(PushBody& body) {
  std::string out;
  char buffer[4];
  for (;;) {
    const int64_t n = body.Read(buffer, sizeof buffer);
    if (n <= 0) return out;
    out.append(buffer, static_cast<size_t>(n));
  }
}

TEST(PushBodyTest, ReadsWhatIsPushedThenWaitsThenEnds) {
  PushBody body;
  int wakeups = 0;
  body.SetWakeup([&] { ++wakeups; });
  char buffer[16];
  EXPECT_EQ(body.Read(buffer, sizeof buffer), PushBody::kPending);
  EXPECT_TRUE(body.Push("hello "));
  EXPECT_EQ(wakeups, 1);
  EXPECT_TRUE(body.Push("world"));
  EXPECT_EQ(wakeups, 1);  // the reader has not asked again since
  EXPECT_EQ(body.buffered(), 11u);
  EXPECT_EQ(ReadAll(body), "hello world");
  EXPECT_EQ(body.Read(buffer, sizeof buffer), PushBody::kPending);
  body.End();
  EXPECT_EQ(wakeups, 2);
  EXPECT_EQ(body.Read(buffer, sizeof buffer), 0);
  EXPECT_FALSE(body.Push("late"));
  EXPECT_EQ(body.size(), PushBody::kUnknownSize);
}

TEST(PushBodyTest, BufferedBytesAreReadBeforeTheEnd) {
  PushBody body;
  body.Push("abc");
  body.End();
  char buffer[2];
  EXPECT_EQ(body.Read(buffer, sizeof buffer), 2);
  EXPECT_EQ(body.Read(buffer, sizeof buffer), 1);
  EXPECT_EQ(body.Read(buffer, sizeof buffer), 0);
}

TEST(PushBodyTest, AbandonRefusesPushesAndTellsTheProducerOnce) {
  PushBody body;
  int abandoned = 0;
  body.OnAbandoned([&] { ++abandoned; });
  body.Push("x");
  body.Abandon();
  body.Abandon();
  EXPECT_EQ(abandoned, 1);
  EXPECT_TRUE(body.abandoned());
  EXPECT_FALSE(body.Push("y"));
  EXPECT_EQ(body.buffered(), 0u);
  // A callback set after the reader left runs at once.
  body.OnAbandoned([&] { ++abandoned; });
  EXPECT_EQ(abandoned, 2);
}

}  // namespace
}  // namespace tidepool::protocol::http
