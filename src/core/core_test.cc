#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <set>
#include <thread>

#include "core/arn.h"
#include "core/clock.h"
#include "core/encoding.h"
#include "core/result.h"

namespace tidepool {
namespace {

TEST(Base64, RoundTripsAllLengths) {
  std::string data;
  for (int i = 0; i < 300; ++i) {
    auto enc = Base64Encode(data);
    auto dec = Base64Decode(enc);
    ASSERT_TRUE(dec.has_value()) << enc;
    EXPECT_EQ(*dec, data);
    data.push_back(static_cast<char>(i * 37));
  }
}

TEST(Base64, KnownVectorsAndRejects) {
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(*Base64Decode("Zm9vYg=="), "foob");
  EXPECT_FALSE(Base64Decode("Zm9").has_value());
  EXPECT_FALSE(Base64Decode("Zm9*").has_value());
  EXPECT_FALSE(Base64Decode("Zh==").has_value());  // non-canonical trailing bits
  EXPECT_FALSE(Base64Decode("=AAA").has_value());
}

TEST(Digest, Md5AndSha256) {
  EXPECT_EQ(HexEncode(Md5("")), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(HexEncode(Sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Digest, HmacSha256MatchesRfc4231) {
  EXPECT_EQ(HexEncode(HmacSha256(std::string(20, '\x0b'), "Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  EXPECT_EQ(HexEncode(HmacSha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // A key longer than the 64-byte block is hashed first.
  EXPECT_EQ(HexEncode(HmacSha256(std::string(131, '\xaa'),
                                 "Test Using Larger Than Block-Size Key - Hash Key First")),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  // Every key length around the 64-byte block, against OpenSSL's own HMAC.
  for (size_t n = 0; n <= 140; ++n) {
    const std::string key(n, static_cast<char>('a' + n % 26));
    unsigned char expected[32];
    unsigned int len = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
         reinterpret_cast<const unsigned char*>("data"), 4, expected, &len);
    EXPECT_EQ(HmacSha256(key, "data"), std::string(reinterpret_cast<char*>(expected), len)) << n;
  }
}

TEST(Uuid, HasVersion4Shape) {
  auto u = NewUuid();
  ASSERT_EQ(u.size(), 36u);
  EXPECT_EQ(u[14], '4');
  EXPECT_NE(NewUuid(), u);
}

TEST(Uuid, EveryOneIsWellFormedAndDistinct) {
  std::set<std::string> seen;
  for (int i = 0; i < 20000; ++i) {
    const std::string u = NewUuid();
    ASSERT_EQ(u.size(), 36u);
    for (size_t k = 0; k < u.size(); ++k) {
      if (k == 8 || k == 13 || k == 18 || k == 23) {
        ASSERT_EQ(u[k], '-') << u;
      } else {
        ASSERT_TRUE((u[k] >= '0' && u[k] <= '9') || (u[k] >= 'a' && u[k] <= 'f')) << u;
      }
    }
    ASSERT_EQ(u[14], '4') << u;                                                    // version 4
    ASSERT_NE(std::string_view("89ab").find(u[19]), std::string_view::npos) << u;  // variant
    ASSERT_TRUE(seen.insert(u).second) << "repeated " << u;
  }
  // Threads do not share a sequence.
  std::string other;
  std::thread([&other] { other = NewUuid(); }).join();
  EXPECT_EQ(seen.count(other), 0u);
}

TEST(Arn, ParsesAndPrints) {
  auto a = Arn::Parse("arn:aws:kinesis:us-east-1:123456789012:stream/orders");
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->service, "kinesis");
  EXPECT_EQ(a->account, "123456789012");
  EXPECT_EQ(a->resource, "stream/orders");
  EXPECT_EQ(a->ToString(), "arn:aws:kinesis:us-east-1:123456789012:stream/orders");
  EXPECT_FALSE(Arn::Parse("arn:aws:kinesis").has_value());
  EXPECT_FALSE(Arn::Parse("nope").has_value());
}

Result<int> Half(int x) {
  if (x % 2) return Status::InvalidArgument("odd");
  return x / 2;
}
Result<int> Quarter(int x) {
  TP_ASSIGN_OR_RETURN(int h, Half(x));
  return Half(h);
}

TEST(Result, PropagatesErrors) {
  EXPECT_EQ(*Quarter(8), 2);
  auto r = Quarter(6);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  enum class E : uint16_t { kBoom = 7 };
  Status s = Status::Service(E::kBoom, "boom");
  EXPECT_EQ(s.detail(), 7);
  EXPECT_EQ(s.ToString(), "ServiceError(7): boom");
}

TEST(FakeClock, Advances) {
  FakeClock c(1000);
  c.AdvanceSeconds(1.5);
  EXPECT_EQ(c.NowMicros(), 1'501'000);
  EXPECT_EQ(c.NowMillis(), 1501);
}

}  // namespace
}  // namespace tidepool
