#include "protocol/chunk_signature.h"

#include <gtest/gtest.h>

#include "core/encoding.h"
#include "protocol/sigv4.h"

namespace tidepool::protocol {
namespace {

// AWS's published streaming PUT (sigv4-streaming.html): 66560 bytes of 'a' in a 64 KiB chunk,
// a 1 KiB chunk and the empty last one, with the signatures AWS documents.
constexpr std::string_view kSeed =
    "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9";
constexpr std::string_view kChunk1 =
    "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648";
constexpr std::string_view kChunk2 =
    "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497";
constexpr std::string_view kFinal =
    "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9";

StreamingSeed ExampleSeed(bool trailer = false) {
  sigv4::Authorization auth;
  auth.date = "20130524";
  auth.region = "us-east-1";
  auth.service = "s3";
  StreamingSeed seed;
  seed.signing_key = sigv4::DeriveSigningKey("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", auth);
  seed.amz_date = "20130524T000000Z";
  seed.scope = "20130524/us-east-1/s3/aws4_request";
  seed.seed_signature = std::string(kSeed);
  seed.trailer = trailer;
  return seed;
}

std::string ExampleBody(char second_chunk_byte = 'a') {
  std::string body = "10000;chunk-signature=" + std::string(kChunk1) + "\r\n";
  body.append(65536, 'a');
  body += "\r\n400;chunk-signature=" + std::string(kChunk2) + "\r\n";
  body.append(1023, 'a');
  body.push_back(second_chunk_byte);
  body += "\r\n0;chunk-signature=" + std::string(kFinal) + "\r\n\r\n";
  return body;
}

TEST(ChunkSignatureTest, AcceptsAwsExampleInPiecesOfAnySize) {
  const std::string body = ExampleBody();
  for (size_t step : {1ul, 7ul, 4096ul, body.size()}) {
    ChunkSignatureVerifier v(ExampleSeed());
    for (size_t i = 0; i < body.size(); i += step) {
      ASSERT_TRUE(v.Write(std::string_view(body).substr(i, step))) << v.error();
    }
    EXPECT_TRUE(v.Verified()) << v.error();
  }
}

TEST(ChunkSignatureTest, RefusesAlteredData) {
  ChunkSignatureVerifier v(ExampleSeed());
  v.Write(ExampleBody('b'));
  EXPECT_FALSE(v.Verified());
  EXPECT_EQ(v.error(), "a chunk signature does not match");
}

TEST(ChunkSignatureTest, RefusesAnotherSeed) {
  StreamingSeed seed = ExampleSeed();
  seed.seed_signature[0] = '5';
  ChunkSignatureVerifier v(std::move(seed));
  EXPECT_FALSE(v.Write(ExampleBody()));
  EXPECT_FALSE(v.Verified());
}

TEST(ChunkSignatureTest, RefusesUnsignedChunksAndTruncatedBodies) {
  ChunkSignatureVerifier unsigned_chunk(ExampleSeed());
  EXPECT_FALSE(unsigned_chunk.Write("3\r\nabc\r\n0\r\n\r\n"));
  const std::string body = ExampleBody();
  ChunkSignatureVerifier truncated(ExampleSeed());
  // Everything but the last chunk: the data so far is signed, but the body did not end.
  truncated.Write(std::string_view(body).substr(0, body.find("\r\n0;") + 2));
  EXPECT_FALSE(truncated.Verified());
}

TEST(ChunkSignatureTest, TrailerSignatureChainsFromTheLastChunk) {
  StreamingSeed seed = ExampleSeed(/*trailer=*/true);
  std::string body = ExampleBody();
  body.resize(body.size() - 2);  // the trailers replace the final blank line
  const std::string trailers = "x-amz-checksum-crc32c:sOO8/Q==\n";
  const std::string string_to_sign = "AWS4-HMAC-SHA256-TRAILER\n20130524T000000Z\n" + seed.scope +
                                     "\n" + std::string(kFinal) + "\n" +
                                     HexEncode(Sha256(trailers));
  const std::string good = HexEncode(HmacSha256(seed.signing_key, string_to_sign));
  for (const std::string& signature : {good, std::string(64, '0')}) {
    ChunkSignatureVerifier v(seed);
    ASSERT_TRUE(v.Write(body + "x-amz-checksum-crc32c:sOO8/Q==\r\nx-amz-trailer-signature:" +
                        signature + "\r\n\r\n"));
    EXPECT_EQ(v.Verified(), signature == good) << v.error();
  }
  ChunkSignatureVerifier missing(seed);
  missing.Write(body + "x-amz-checksum-crc32c:sOO8/Q==\r\n\r\n");
  EXPECT_FALSE(missing.Verified());
}

}  // namespace
}  // namespace tidepool::protocol
