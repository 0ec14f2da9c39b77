// libFuzzer target for the aws-chunked chunk-signature verifier (protocol/chunk_signature.h),
// with a fixed seed (the AWS example's key, date, scope and seed signature). The input is fed
// whole and split at every position given by its first byte: both runs must agree on whether
// the body verified (pieces of any size are one stream). The seed corpus holds correctly
// signed bodies, so mutations reach the signature comparisons and the trailer path.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "protocol/chunk_signature.h"
#include "protocol/sigv4.h"

namespace {

tidepool::protocol::StreamingSeed Seed(bool trailer) {
  tidepool::protocol::sigv4::Authorization auth;
  auth.date = "20130524";
  auth.region = "us-east-1";
  auth.service = "s3";
  return {
      tidepool::protocol::sigv4::DeriveSigningKey("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", auth),
      "20130524T000000Z", "20130524/us-east-1/s3/aws4_request",
      "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9", trailer};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const size_t step = 1 + data[0] % 17;
  const bool trailer = (data[0] & 0x80) != 0;
  std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  tidepool::protocol::ChunkSignatureVerifier whole(Seed(trailer));
  tidepool::protocol::ChunkSignatureVerifier pieces(Seed(trailer));
  whole.Write(in);
  for (size_t i = 0; i < in.size(); i += step) pieces.Write(in.substr(i, step));
  if (whole.Verified() != pieces.Verified() || whole.error() != pieces.error()) std::abort();
  return 0;
}
