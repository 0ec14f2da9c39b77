#include "functions/process_memory.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <vector>

namespace tidepool::functions {
namespace {

TEST(ProcessMemoryTest, ParsesRssAndHighWaterMark) {
  auto m = ParseProcStatus(
      "Name:\tpython3\nVmPeak:\t  99 kB\nVmHWM:\t   20480 kB\nVmRSS:\t"
      "   10240 kB\nThreads:\t1\n");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->rss_kb, 10240u);
  EXPECT_EQ(m->peak_kb, 20480u);
}

TEST(ProcessMemoryTest, MissingOrMalformedFieldsGiveNothing) {
  EXPECT_FALSE(ParseProcStatus("Name:\tzombie\nState:\tZ (zombie)\n"));
  EXPECT_FALSE(ParseProcStatus("VmHWM:\t  x kB\nVmRSS:\t 1 kB\n"));
  EXPECT_FALSE(ParseProcStatus(""));
}

TEST(ProcessMemoryTest, ReadsThisProcessAndSeesItGrow) {
  ProcessMemoryReader reader;
  ASSERT_TRUE(reader.Open(::getpid()));
  auto before = reader.Read();
  ASSERT_TRUE(before);
  EXPECT_GT(before->rss_kb, 0u);
  EXPECT_GE(before->peak_kb, before->rss_kb);
  std::vector<char> block(64 << 20, 1);  // touched: resident
  auto after = reader.Read();
  ASSERT_TRUE(after);
  EXPECT_GE(after->peak_kb, before->peak_kb + (60u << 10));
  EXPECT_EQ(block[12345], 1);
}

TEST(ProcessMemoryTest, UnopenedReaderReadsNothing) {
  ProcessMemoryReader reader;
  EXPECT_FALSE(reader.Read());
  EXPECT_FALSE(reader.Open(-5));
}

}  // namespace
}  // namespace tidepool::functions
