#include "protocol/chunk_signature.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>
#include <utility>
#include <vector>

#include "core/encoding.h"

namespace tidepool::protocol {
namespace {

constexpr std::string_view kSignatureExtension = "chunk-signature=";
constexpr std::string_view kTrailerSignature = "x-amz-trailer-signature";
// Hex(SHA256("")): the empty "previous headers" hash of every chunk's string to sign.
constexpr std::string_view kEmptyHash =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

EVP_MD_CTX* Ctx(void* p) { return static_cast<EVP_MD_CTX*>(p); }

bool SameSignature(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string Sign(const StreamingSeed& seed, std::string_view algorithm, std::string_view previous,
                 std::string_view tail) {
  std::string text;
  text.reserve(256);
  for (std::string_view part :
       {algorithm, std::string_view(seed.amz_date), std::string_view(seed.scope), previous}) {
    text.append(part);
    text.push_back('\n');
  }
  text.append(tail);
  return HexEncode(HmacSha256(seed.signing_key, text));
}

}  // namespace

ChunkSignatureVerifier::ChunkSignatureVerifier(StreamingSeed seed)
    : seed_(std::move(seed)),
      decoder_(
          [this](std::string_view data) {
            EVP_DigestUpdate(Ctx(sha_ctx_), data.data(), data.size());
          },
          [this](uint64_t size, std::string_view ext) { return OnChunk(size, ext); }),
      sha_ctx_(EVP_MD_CTX_new()),
      previous_(seed_.seed_signature) {}

ChunkSignatureVerifier::~ChunkSignatureVerifier() { EVP_MD_CTX_free(Ctx(sha_ctx_)); }

bool ChunkSignatureVerifier::Fail(std::string why) {
  if (!failed_) error_ = std::move(why);
  failed_ = true;
  return false;
}

bool ChunkSignatureVerifier::Write(std::string_view encoded) {
  if (failed_) return false;
  if (!decoder_.Write(encoded)) {
    return Fail(error_.empty() ? "malformed aws-chunked body: " + decoder_.error() : error_);
  }
  return !failed_;
}

bool ChunkSignatureVerifier::OnChunk(uint64_t size, std::string_view extensions) {
  if (!claimed_.empty() && !FinishChunk()) return false;
  if (!extensions.starts_with(kSignatureExtension)) return Fail("a chunk has no chunk-signature");
  std::string_view claimed = extensions.substr(kSignatureExtension.size());
  claimed = claimed.substr(0, claimed.find(';'));
  if (claimed.empty()) return Fail("a chunk has an empty chunk-signature");
  claimed_ = std::string(claimed);
  if (EVP_DigestInit_ex(Ctx(sha_ctx_), EVP_sha256(), nullptr) != 1) return Fail("SHA-256 failed");
  if (size == 0) {
    last_chunk_seen_ = true;
    return FinishChunk();
  }
  return true;
}

bool ChunkSignatureVerifier::FinishChunk() {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_DigestFinal_ex(Ctx(sha_ctx_), digest, &length) != 1) return Fail("SHA-256 failed");
  std::string tail(kEmptyHash);
  tail.push_back('\n');
  tail.append(HexEncode(std::string_view(reinterpret_cast<const char*>(digest), length)));
  std::string expected = Sign(seed_, "AWS4-HMAC-SHA256-PAYLOAD", previous_, tail);
  if (!SameSignature(expected, claimed_)) return Fail("a chunk signature does not match");
  previous_ = std::move(expected);
  claimed_.clear();
  return true;
}

bool ChunkSignatureVerifier::Verified() {
  if (failed_) return false;
  if (!decoder_.Complete() || !last_chunk_seen_) return Fail("the aws-chunked body is incomplete");
  if (!seed_.trailer) return true;
  std::vector<std::pair<std::string, std::string>> trailers;
  std::string claimed;
  bool has_signature = false;
  for (const auto& [name, value] : decoder_.trailers()) {
    if (name == kTrailerSignature) {
      claimed = value;
      has_signature = true;
    } else {
      trailers.emplace_back(name, value);
    }
  }
  if (!has_signature) return Fail("the trailers carry no x-amz-trailer-signature");
  std::sort(trailers.begin(), trailers.end());
  std::string canonical;
  for (const auto& [name, value] : trailers) canonical.append(name + ":" + value + "\n");
  std::string expected =
      Sign(seed_, "AWS4-HMAC-SHA256-TRAILER", previous_, HexEncode(Sha256(canonical)));
  if (!SameSignature(expected, claimed)) return Fail("the trailer signature does not match");
  return true;
}

}  // namespace tidepool::protocol
