// JWT authorizers of HTTP APIs: the issuer's signing keys and the checks of a bearer token.
//
// Keys: API Gateway reads the issuer's OpenID discovery document
// (<Issuer>/.well-known/openid-configuration), follows its jwks_uri and keeps the keys (here
// for kKeyLifetimeMs); a token naming a kid not among them refetches them (at most once per
// kRefetchMs). Issuers are http:// or https:// URLs (http_exchange.h verifies certificates).
//
// Token: a compact JWS whose header has alg RS256 and a kid of the JWKS (an RSA key); its
// signature verified with OpenSSL; claims iss equal to the issuer, aud (or, without aud,
// client_id) one of the audiences, exp after now, nbf and iat not after now.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/json/object.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace tidepool::apigateway {

class JwksCache {
 public:
  static constexpr int64_t kKeyLifetimeMs = 2 * 3600 * 1000;
  static constexpr int64_t kRefetchMs = 1000;

  explicit JwksCache(boost::asio::io_context& io) : io_(io) {}

  // The JWKS document ({"keys": [...]}) of `issuer`; `done` runs once, maybe on an io thread.
  // `refresh` asks for a refetch (a token named an unknown kid). Unavailable when the
  // discovery document or the keys cannot be read.
  using KeysDone = std::function<void(Result<boost::json::object>)>;
  void Keys(const std::string& issuer, int64_t now_ms, bool refresh, KeysDone done);

 private:
  struct Entry {
    int64_t fetched_ms;
    boost::json::object jwks;
  };
  void Fetch(const std::string& issuer, int64_t now_ms, KeysDone done);

  boost::asio::io_context& io_;
  std::mutex mu_;
  std::map<std::string, Entry> keys_;  // by issuer, guarded by mu_
};

// A token's header and claims, before its signature is checked.
struct ParsedJwt {
  boost::json::object header;
  boost::json::object claims;
  std::string signed_part;  // "<header>.<payload>" as sent
  std::string signature;    // decoded
};
// InvalidArgument for anything but three base64url parts of which the first two are JSON
// objects.
Result<ParsedJwt> ParseJwt(std::string_view token);

// Checks `jwt` against `jwks` (signature, by its kid) and its claims against `issuer`,
// `audiences` and `now_s` (seconds). NotFound when the kid is not in `jwks`; InvalidArgument,
// with AWS's description, for any other failure.
Status VerifyJwt(const ParsedJwt& jwt, const boost::json::object& jwks, std::string_view issuer,
                 const std::vector<std::string>& audiences, int64_t now_s);

// The scopes a token grants: its "scope" claim (space-separated) or "scp" (a list or string).
std::vector<std::string> JwtScopes(const boost::json::object& claims);

}  // namespace tidepool::apigateway
