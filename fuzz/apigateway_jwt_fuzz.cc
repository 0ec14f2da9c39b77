// libFuzzer target: JWT parsing and verification of HTTP API JWT authorizers. The input is a
// token up to a NUL byte, then a JWKS document. Whatever parses is verified against the JWKS
// (an RSA key of any shape, any claims) and its scopes read: bad input must give a Status,
// never a crash.
#include <boost/json.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "services/apigateway/jwt.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t nul = input.find('\0');
  std::string_view token = input.substr(0, nul);
  std::string_view jwks_text = nul == std::string_view::npos ? "" : input.substr(nul + 1);
  auto jwt = tidepool::apigateway::ParseJwt(token);
  if (!jwt.ok()) return 0;
  boost::system::error_code ec;
  boost::json::value jwks = boost::json::parse(jwks_text, ec);
  if (!ec && jwks.is_object()) {
    (void)tidepool::apigateway::VerifyJwt(*jwt, jwks.as_object(), "https://issuer", {"aud"},
                                          1700000000);
  }
  (void)tidepool::apigateway::JwtScopes(jwt->claims);
  return 0;
}
