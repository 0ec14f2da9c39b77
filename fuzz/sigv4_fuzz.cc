// libFuzzer target: SigV4 parsing (header and presigned forms), S3's SigV2 header form, and
// canonicalisation on arbitrary bytes. Input: the whole input is tried as an Authorization header
// value (SigV4 and SigV2) and as a query string;
// when the header parses, the signature is computed over a request built from the input too.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "protocol/http/query_string.h"
#include "protocol/sigv2.h"
#include "protocol/sigv4.h"

using namespace tidepool;
using namespace tidepool::protocol;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);

  Result<sigv4::Authorization> header = sigv4::ParseAuthorizationHeader(in);
  if (auto v2 = sigv2::ParseHeader(in);
      v2 && (v2->access_key_id.empty() || v2->signature.empty())) {
    __builtin_trap();
  }
  auto params = http::ParseQueryString(in, /*plus_is_space=*/true);
  Result<sigv4::Authorization> presigned = sigv4::ParsePresignedQuery(params);

  // Canonicalise a request whose path, query and headers come from the input.
  size_t cut = in.find('\n');
  std::string_view first = in.substr(0, cut);
  std::string_view rest = cut == std::string_view::npos ? std::string_view() : in.substr(cut + 1);
  auto [path, query] = http::SplitTarget(first);
  sigv4::CanonicalInput input;
  input.method = "POST";
  input.path = path;
  input.query = query;
  input.headers = {{"Host", "localhost"}, {"X-Amz-Date", "20240101T000000Z"}, {"X-Other", rest}};
  input.payload_hash = "UNSIGNED-PAYLOAD";
  input.s3 = size > 0 && (data[0] & 1);
  sigv4::Authorization auth =
      header.ok() ? *header : (presigned.ok() ? *presigned : sigv4::Authorization{});
  if (auth.signed_headers.empty()) auth.signed_headers = {"host", "x-amz-date", "x-other"};
  std::string signature = sigv4::ComputeSignature(input, auth, "secret");
  if (signature.size() != 64) __builtin_trap();
  sigv4::SignRequest(input, "AKID", "secret", "us-east-1", "svc", "20240101T000000Z", true);
  return 0;
}
