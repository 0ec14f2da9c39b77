#include "protocol/codec/aws_chunked.h"

#include <gtest/gtest.h>

namespace tidepool::protocol {
namespace {

constexpr std::string_view kSigned =
    "5;chunk-signature=abc\r\nhello\r\n6;chunk-signature=def\r\n world\r\n"
    "0;chunk-signature=000\r\nx-amz-checksum-crc32:DUoRhQ==\r\n"
    "x-amz-trailer-signature:123\r\n\r\n";

TEST(AwsChunkedTest, DecodesInPiecesOfAnySize) {
  for (size_t step = 1; step <= kSigned.size(); ++step) {
    std::string out;
    AwsChunkedDecoder d([&](std::string_view data) { out.append(data); });
    for (size_t i = 0; i < kSigned.size(); i += step) ASSERT_TRUE(d.Write(kSigned.substr(i, step)));
    EXPECT_TRUE(d.Complete());
    EXPECT_EQ(out, "hello world");
    ASSERT_EQ(d.trailers().size(), 2u);
    EXPECT_EQ(d.trailers()[0].first, "x-amz-checksum-crc32");
    EXPECT_EQ(d.trailers()[0].second, "DUoRhQ==");
  }
}

TEST(AwsChunkedTest, UnsignedWithoutFinalBlankLine) {
  std::string out;
  AwsChunkedDecoder d([&](std::string_view data) { out.append(data); });
  ASSERT_TRUE(d.Write("3\r\nabc\r\n0\r\n"));
  EXPECT_TRUE(d.Complete());
  EXPECT_EQ(out, "abc");
}

TEST(AwsChunkedTest, RefusesBrokenFraming) {
  for (std::string_view bad : {"zz\r\n", "3\r\nabcX\r\n", "3\r\nab", "0\r\nnocolon\r\n\r\n"}) {
    AwsChunkedDecoder d([](std::string_view) {});
    bool ok = d.Write(bad);
    EXPECT_FALSE(ok && d.Complete()) << bad;
  }
}

}  // namespace
}  // namespace tidepool::protocol
