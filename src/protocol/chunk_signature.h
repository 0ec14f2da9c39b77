// Verification of SigV4 streaming uploads (x-amz-content-sha256:
// STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]). Each aws-chunked chunk carries a signature
// that chains from the request's (seed) signature:
//
//   chunk-signature = Hex(HMAC(signing-key,
//       "AWS4-HMAC-SHA256-PAYLOAD" \n amz-date \n scope \n previous-signature \n
//       Hex(SHA256("")) \n Hex(SHA256(chunk-data))))
//
// where previous-signature is the seed signature for the first chunk, and the last chunk
// (size 0) is signed like the others. With -TRAILER, the trailers after the last chunk end
// with x-amz-trailer-signature:
//
//   trailer-signature = Hex(HMAC(signing-key,
//       "AWS4-HMAC-SHA256-TRAILER" \n amz-date \n scope \n last-chunk-signature \n
//       Hex(SHA256(trailers))))
//
// trailers: every other trailer as "name:value\n", names lower-case, sorted by name.
// https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html
//
// Memory is bounded whatever the body's size: the verifier keeps one running hash.
// Not thread-safe; one per body.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "protocol/codec/aws_chunked.h"

namespace tidepool::protocol {

// What a streaming body's signatures chain from, known once the request's headers are
// authenticated.
struct StreamingSeed {
  std::string signing_key;     // raw 32 bytes (sigv4::DeriveSigningKey)
  std::string amz_date;        // 20130524T000000Z
  std::string scope;           // 20130524/us-east-1/s3/aws4_request
  std::string seed_signature;  // the request's signature, lower-case hex
  bool trailer = false;        // STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER
};

class ChunkSignatureVerifier {
 public:
  explicit ChunkSignatureVerifier(StreamingSeed seed);
  ~ChunkSignatureVerifier();
  ChunkSignatureVerifier(const ChunkSignatureVerifier&) = delete;
  ChunkSignatureVerifier& operator=(const ChunkSignatureVerifier&) = delete;

  // Takes the next encoded bytes (pieces of any size). False once a signature failed or the
  // encoding broke; later calls are ignored.
  bool Write(std::string_view encoded);
  // True when the body ended and every chunk (and, with -TRAILER, the trailers) carried the
  // right signature. Call once all bytes are written; error() says what failed otherwise.
  bool Verified();
  const std::string& error() const { return error_; }

 private:
  bool OnChunk(uint64_t size, std::string_view extensions);
  // Checks the pending chunk's claimed signature against its data's hash.
  bool FinishChunk();
  bool Fail(std::string why);

  StreamingSeed seed_;
  AwsChunkedDecoder decoder_;
  void* sha_ctx_ = nullptr;  // EVP_MD_CTX hashing the current chunk's data
  std::string previous_;     // the last verified signature (the seed's at first)
  std::string claimed_;      // the pending chunk's signature; empty when none is pending
  bool last_chunk_seen_ = false;
  bool failed_ = false;
  std::string error_;
};

}  // namespace tidepool::protocol
