#include "services/apigateway/jwt.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <boost/json.hpp>

#include <algorithm>
#include <memory>

#include "core/encoding.h"
#include "services/apigateway/http_exchange.h"
#include "services/apigateway/records.h"

namespace tidepool::apigateway {
namespace json = boost::json;
namespace bhttp = boost::beast::http;

namespace {

std::optional<std::string> Base64UrlDecode(std::string_view text) {
  std::string s(text);
  for (char& c : s) {
    if (c == '-') c = '+';
    if (c == '_') c = '/';
  }
  while (s.size() % 4 != 0) s.push_back('=');
  return Base64Decode(s);
}

std::optional<json::object> JsonObject(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return std::nullopt;
  return std::move(v.get_object());
}

// An RSA public key from a JWK's base64url modulus and exponent; nullptr when malformed.
using PKey = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
PKey RsaKey(const json::object& jwk) {
  PKey none(nullptr, &EVP_PKEY_free);
  auto n = Base64UrlDecode(StringField(jwk, "n"));
  auto e = Base64UrlDecode(StringField(jwk, "e"));
  if (!n || !e || n->empty() || e->empty()) return none;
  auto bn = [](const std::string& bytes) {
    return std::unique_ptr<BIGNUM, decltype(&BN_free)>(
        BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()),
                  static_cast<int>(bytes.size()), nullptr),
        &BN_free);
  };
  auto bn_n = bn(*n), bn_e = bn(*e);
  std::unique_ptr<OSSL_PARAM_BLD, decltype(&OSSL_PARAM_BLD_free)> build(OSSL_PARAM_BLD_new(),
                                                                        &OSSL_PARAM_BLD_free);
  if (!bn_n || !bn_e || !build ||
      !OSSL_PARAM_BLD_push_BN(build.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) ||
      !OSSL_PARAM_BLD_push_BN(build.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get())) {
    return none;
  }
  std::unique_ptr<OSSL_PARAM, decltype(&OSSL_PARAM_free)> params(
      OSSL_PARAM_BLD_to_param(build.get()), &OSSL_PARAM_free);
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(
      EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr), &EVP_PKEY_CTX_free);
  EVP_PKEY* key = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) <= 0 ||
      EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params.get()) <= 0) {
    return none;
  }
  return PKey(key, &EVP_PKEY_free);
}

bool VerifyRs256(EVP_PKEY* key, std::string_view data, std::string_view signature) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  return ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) == 1 &&
         EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                          signature.size(), reinterpret_cast<const unsigned char*>(data.data()),
                          data.size()) == 1;
}

// The numeric claim `name`, or nullopt when absent or not a number.
std::optional<int64_t> Seconds(const json::object& claims, std::string_view name) {
  const json::value* v = claims.if_contains(name);
  if (v == nullptr) return std::nullopt;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64()) return static_cast<int64_t>(v->get_uint64());
  if (v->is_double()) return static_cast<int64_t>(v->get_double());
  return std::nullopt;
}

bool AnyOf(const json::value* v, const std::vector<std::string>& wanted) {
  if (v == nullptr) return false;
  auto matches = [&](const json::value& item) {
    return item.is_string() &&
           std::find(wanted.begin(), wanted.end(), std::string(item.get_string())) != wanted.end();
  };
  if (v->is_array()) {
    for (const json::value& item : v->get_array()) {
      if (matches(item)) return true;
    }
    return false;
  }
  return matches(*v);
}

// GET `url` (http:// or https://) as a JSON object.
void GetJson(boost::asio::io_context& io, const std::string& url,
             std::function<void(Result<json::object>)> done) {
  auto parsed = ParseHttpUrl(url);
  if (!parsed.ok()) {
    return done(Status::Unavailable("not an http(s):// URL: " + url));
  }
  protocol::http::HttpRequest request(bhttp::verb::get, "/", 11);
  request.set(bhttp::field::accept, "application/json");
  StartHttpExchange(io, *parsed, std::move(request), std::chrono::seconds(5),
                    [url, done = std::move(done)](Result<protocol::http::HttpResponse> answer) {
                      if (!answer.ok()) return done(answer.status());
                      if (answer->result_int() != 200) {
                        return done(Status::Unavailable(url + " answered " +
                                                        std::to_string(answer->result_int())));
                      }
                      auto doc = JsonObject(answer->body());
                      if (!doc) return done(Status::Unavailable(url + " is not a JSON object"));
                      done(std::move(*doc));
                    });
}

}  // namespace

void JwksCache::Keys(const std::string& issuer, int64_t now_ms, bool refresh, KeysDone done) {
  std::optional<json::object> kept;
  {
    std::lock_guard lock(mu_);
    auto it = keys_.find(issuer);
    if (it != keys_.end() && now_ms - it->second.fetched_ms < kKeyLifetimeMs &&
        (!refresh || now_ms - it->second.fetched_ms < kRefetchMs)) {
      kept = it->second.jwks;
    }
  }
  if (kept) return done(std::move(*kept));  // not under mu_: `done` may ask again
  Fetch(issuer, now_ms, std::move(done));
}

void JwksCache::Fetch(const std::string& issuer, int64_t now_ms, KeysDone done) {
  std::string base = issuer;
  while (!base.empty() && base.back() == '/') base.pop_back();
  GetJson(io_, base + "/.well-known/openid-configuration",
          [this, issuer, now_ms, done = std::move(done)](Result<json::object> discovery) {
            if (!discovery.ok()) return done(discovery.status());
            std::string jwks_uri = StringField(*discovery, "jwks_uri");
            if (jwks_uri.empty()) return done(Status::Unavailable("no jwks_uri"));
            GetJson(io_, jwks_uri, [this, issuer, now_ms, done](Result<json::object> jwks) {
              if (!jwks.ok()) return done(jwks.status());
              {
                std::lock_guard lock(mu_);
                keys_[issuer] = Entry{now_ms, *jwks};
              }
              done(std::move(*jwks));
            });
          });
}

Result<ParsedJwt> ParseJwt(std::string_view token) {
  size_t first = token.find('.');
  size_t second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) {
    return Status::InvalidArgument("the token is not a JWT");
  }
  auto header = Base64UrlDecode(token.substr(0, first));
  auto claims = Base64UrlDecode(token.substr(first + 1, second - first - 1));
  auto signature = Base64UrlDecode(token.substr(second + 1));
  std::optional<json::object> h, c;
  if (header) h = JsonObject(*header);
  if (claims) c = JsonObject(*claims);
  if (!h || !c || !signature) return Status::InvalidArgument("the token is not a JWT");
  return ParsedJwt{std::move(*h), std::move(*c), std::string(token.substr(0, second)),
                   std::move(*signature)};
}

Status VerifyJwt(const ParsedJwt& jwt, const json::object& jwks, std::string_view issuer,
                 const std::vector<std::string>& audiences, int64_t now_s) {
  if (StringField(jwt.header, "alg") != "RS256") {
    return Status::InvalidArgument("the token's algorithm is not supported");
  }
  std::string kid = StringField(jwt.header, "kid");
  const json::object* jwk = nullptr;
  if (const json::value* keys = jwks.if_contains("keys"); keys && keys->is_array()) {
    for (const json::value& k : keys->get_array()) {
      if (k.is_object() && StringField(k.get_object(), "kid") == kid) jwk = &k.get_object();
    }
  }
  if (jwk == nullptr) return Status::NotFound("the signing key of the token was not found");
  PKey key = RsaKey(*jwk);
  if (!key || !VerifyRs256(key.get(), jwt.signed_part, jwt.signature)) {
    return Status::InvalidArgument("the token's signature is invalid");
  }
  if (StringField(jwt.claims, "iss") != issuer) {
    return Status::InvalidArgument("the token has an invalid issuer");
  }
  const json::value* aud = jwt.claims.if_contains("aud");
  if (!AnyOf(aud != nullptr ? aud : jwt.claims.if_contains("client_id"), audiences)) {
    return Status::InvalidArgument("the token does not have a valid audience");
  }
  auto exp = Seconds(jwt.claims, "exp");
  if (!exp || *exp <= now_s) return Status::InvalidArgument("the token has expired");
  if (auto nbf = Seconds(jwt.claims, "nbf"); nbf && *nbf > now_s) {
    return Status::InvalidArgument("the token is not valid yet");
  }
  if (auto iat = Seconds(jwt.claims, "iat"); iat && *iat > now_s) {
    return Status::InvalidArgument("the token was issued in the future");
  }
  return Status::Ok();
}

std::vector<std::string> JwtScopes(const json::object& claims) {
  std::vector<std::string> out;
  auto split = [&](std::string_view s) {
    while (!s.empty()) {
      size_t space = s.find(' ');
      if (space != 0) out.emplace_back(s.substr(0, space));
      if (space == std::string_view::npos) break;
      s.remove_prefix(space + 1);
    }
  };
  const json::value* scope = claims.if_contains("scope");
  if (scope == nullptr) scope = claims.if_contains("scp");
  if (scope == nullptr) return out;
  if (scope->is_string()) split(scope->get_string());
  if (scope->is_array()) {
    for (const json::value& s : scope->get_array()) {
      if (s.is_string()) out.emplace_back(s.get_string());
    }
  }
  return out;
}

}  // namespace tidepool::apigateway
