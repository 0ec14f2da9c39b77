#include "services/apigateway/jwt.h"

#include <gtest/gtest.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <boost/json.hpp>

#include <memory>

#include "core/encoding.h"

namespace tidepool::apigateway {
namespace {
namespace json = boost::json;

std::string B64Url(std::string_view bytes) {
  std::string s = Base64Encode(bytes);
  for (char& c : s) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  while (!s.empty() && s.back() == '=') s.pop_back();
  return s;
}

std::string BigNum(EVP_PKEY* key, const char* name) {
  BIGNUM* bn = nullptr;
  EVP_PKEY_get_bn_param(key, name, &bn);
  std::string out(BN_num_bytes(bn), '\0');
  BN_bn2bin(bn, reinterpret_cast<unsigned char*>(out.data()));
  BN_free(bn);
  return out;
}

class JwtTest : public ::testing::Test {
 protected:
  void SetUp() override {
    key_.reset(EVP_RSA_gen(2048));
    ASSERT_NE(key_, nullptr);
    jwks_ = json::object{{"keys", json::array{json::object{
                                      {"kty", "RSA"},
                                      {"kid", "k1"},
                                      {"n", B64Url(BigNum(key_.get(), OSSL_PKEY_PARAM_RSA_N))},
                                      {"e", B64Url(BigNum(key_.get(), OSSL_PKEY_PARAM_RSA_E))}}}}};
  }

  std::string Token(const json::object& claims, std::string_view alg = "RS256") {
    std::string signed_part = B64Url(json::serialize(json::object{{"alg", alg}, {"kid", "k1"}})) +
                              "." + B64Url(json::serialize(claims));
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    size_t size = 0;
    EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key_.get());
    EVP_DigestSign(ctx.get(), nullptr, &size,
                   reinterpret_cast<const unsigned char*>(signed_part.data()), signed_part.size());
    std::string sig(size, '\0');
    EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &size,
                   reinterpret_cast<const unsigned char*>(signed_part.data()), signed_part.size());
    sig.resize(size);
    return signed_part + "." + B64Url(sig);
  }

  Status Verify(const std::string& token) {
    auto jwt = ParseJwt(token);
    if (!jwt.ok()) return jwt.status();
    return VerifyJwt(*jwt, jwks_, "http://issuer", {"app"}, 1000);
  }

  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key_{nullptr, &EVP_PKEY_free};
  json::object jwks_;
};

TEST_F(JwtTest, AcceptsAValidToken) {
  EXPECT_TRUE(Verify(Token({{"iss", "http://issuer"}, {"aud", "app"}, {"exp", 2000}})).ok());
  EXPECT_TRUE(Verify(Token({{"iss", "http://issuer"},
                            {"client_id", "app"},
                            {"exp", 2000},
                            {"nbf", 1000},
                            {"iat", 900}}))
                  .ok());
}

TEST_F(JwtTest, RefusesBadClaimsAndSignatures) {
  EXPECT_FALSE(Verify(Token({{"iss", "http://other"}, {"aud", "app"}, {"exp", 2000}})).ok());
  EXPECT_FALSE(Verify(Token({{"iss", "http://issuer"}, {"aud", "x"}, {"exp", 2000}})).ok());
  EXPECT_FALSE(Verify(Token({{"iss", "http://issuer"}, {"aud", "app"}, {"exp", 1000}})).ok());
  EXPECT_FALSE(Verify(Token({{"iss", "http://issuer"}, {"aud", "app"}})).ok());
  EXPECT_FALSE(
      Verify(Token({{"iss", "http://issuer"}, {"aud", "app"}, {"exp", 2000}, {"nbf", 1001}})).ok());
  EXPECT_FALSE(
      Verify(Token({{"iss", "http://issuer"}, {"aud", "app"}, {"exp", 2000}}, "HS256")).ok());
  std::string token = Token({{"iss", "http://issuer"}, {"aud", "app"}, {"exp", 2000}});
  token[token.size() - 5] = token[token.size() - 5] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(Verify(token).ok());
  EXPECT_FALSE(ParseJwt("a.b").ok());
  EXPECT_FALSE(ParseJwt("a.b.c.d").ok());
  EXPECT_FALSE(ParseJwt("!!.e30.").ok());
}

TEST_F(JwtTest, UnknownKidIsNotFound) {
  jwks_["keys"].as_array()[0].as_object()["kid"] = "k2";
  Status s = Verify(Token({{"iss", "http://issuer"}, {"aud", "app"}, {"exp", 2000}}));
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
}

TEST(JwtScopesTest, ReadsScopeOrScp) {
  EXPECT_EQ(JwtScopes(json::object{{"scope", "a  b"}}), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(JwtScopes(json::object{{"scp", json::array{"x", "y"}}}),
            (std::vector<std::string>{"x", "y"}));
  EXPECT_TRUE(JwtScopes(json::object{}).empty());
}

}  // namespace
}  // namespace tidepool::apigateway
