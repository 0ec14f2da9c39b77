#include "protocol/rest/s3_post_policy.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <boost/beast/core/string.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <array>
#include <cctype>

#include "core/encoding.h"
#include "protocol/codec/rest_xml_codec.h"
#include "protocol/sigv4.h"

namespace tidepool::protocol::s3post {
namespace {

namespace json = boost::json;

AwsError Error(std::string code, std::string message, int status) {
  return AwsError{std::move(code), std::move(message), status, true, {}};
}

AwsError BadPolicy(std::string_view detail) {
  return Error("InvalidPolicyDocument", "Invalid Policy: " + std::string(detail), 400);
}

AwsError Missing(std::string_view name) {
  return Error("InvalidArgument",
               "Bucket POST must contain a field named '" + std::string(name) +
                   "'.  If it is specified, please check the order of the fields.",
               400);
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool Digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

int64_t Number(std::string_view s) {
  int64_t v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}

// "2030-01-02T03:04:05Z", optionally with a fraction of a second before the 'Z': the form S3
// takes (no offsets, no date-only forms), a real day of its month.
std::optional<int64_t> ParseExpiration(std::string_view t) {
  if (t.size() < 20 || t.back() != 'Z' || t[4] != '-' || t[7] != '-' || t[10] != 'T' ||
      t[13] != ':' || t[16] != ':') {
    return std::nullopt;
  }
  if (t.size() > 20 && (t[19] != '.' || !Digits(t.substr(20, t.size() - 21)))) return std::nullopt;
  for (std::string_view part : {t.substr(0, 4), t.substr(5, 2), t.substr(8, 2), t.substr(11, 2),
                                t.substr(14, 2), t.substr(17, 2)}) {
    if (!Digits(part)) return std::nullopt;
  }
  const int64_t y = Number(t.substr(0, 4)), mo = Number(t.substr(5, 2)), d = Number(t.substr(8, 2));
  static constexpr std::array<int, 12> kDays = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (mo < 1 || mo > 12 || d < 1 || d > kDays[mo - 1] || (mo == 2 && !leap && d > 28)) {
    return std::nullopt;
  }
  std::optional<double> at = rest_xml_codec::ParseIso8601(t);
  if (!at) return std::nullopt;
  return static_cast<int64_t>(*at);
}

// A content-length-range bound: a non-negative integer, or a string of digits.
std::optional<uint64_t> Bound(const json::value& v) {
  if (v.is_int64() && v.get_int64() >= 0) return static_cast<uint64_t>(v.get_int64());
  if (v.is_uint64()) return v.get_uint64();
  if (v.is_string() && Digits(v.get_string()) && v.get_string().size() < 19) {
    return static_cast<uint64_t>(Number(v.get_string()));
  }
  return std::nullopt;
}

std::string Quote(std::string_view s) { return json::serialize(json::string(s)); }

std::variant<PolicyCondition, AwsError> ParseCondition(const json::value& v) {
  PolicyCondition c;
  if (const json::object* o = v.if_object()) {
    if (o->size() != 1) {
      return BadPolicy(
          "Invalid Simple-Condition: Simple-Conditions must have exactly one property "
          "specified.");
    }
    const auto& [name, value] = *o->begin();
    if (!value.is_string()) return BadPolicy("Invalid Simple-Condition: value must be a string.");
    c.field = "$" + std::string(name);
    c.value = std::string(value.get_string());
  } else if (const json::array* a = v.if_array(); a && !a->empty() && (*a)[0].is_string()) {
    const std::string op = Lower((*a)[0].get_string());
    if (op == "content-length-range") {
      std::optional<uint64_t> min, max;
      if (a->size() == 3) {
        min = Bound((*a)[1]);
        max = Bound((*a)[2]);
      }
      if (!min || !max) {
        return BadPolicy("Invalid content-length-range condition: " + json::serialize(v));
      }
      c.kind = PolicyCondition::Kind::kContentLengthRange;
      c.min = *min;
      c.max = *max;
      return c;
    }
    if (op != "eq" && op != "starts-with") {
      return BadPolicy("Invalid Condition: unknown operation " + Quote((*a)[0].get_string()));
    }
    if (a->size() != 3 || !(*a)[1].is_string() || !(*a)[2].is_string()) {
      return BadPolicy("Invalid Condition: " + json::serialize(v));
    }
    c.kind = op == "eq" ? PolicyCondition::Kind::kEq : PolicyCondition::Kind::kStartsWith;
    c.field = std::string((*a)[1].get_string());
    c.value = std::string((*a)[2].get_string());
    c.text =
        "[" + Quote((*a)[0].get_string()) + ", " + Quote(c.field) + ", " + Quote(c.value) + "]";
    return c;
  } else {
    return BadPolicy("Invalid Condition: " + json::serialize(v));
  }
  c.text = "[\"eq\", " + Quote(c.field) + ", " + Quote(c.value) + "]";
  return c;
}

bool Exempt(std::string_view lower_name) {
  return lower_name == "policy" || lower_name == "x-amz-signature" || lower_name == "signature" ||
         lower_name == "awsaccesskeyid" || lower_name == "file" ||
         lower_name.starts_with("x-ignore-");
}

bool StartsWith(std::string_view field, std::string_view value, std::string_view prefix) {
  if (field != "content-type") return value.starts_with(prefix);
  // Each item of a list of content types must have the prefix.
  while (true) {
    size_t comma = value.find(',');
    std::string_view item = value.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    if (!item.starts_with(prefix)) return false;
    if (comma == std::string_view::npos) return true;
    value.remove_prefix(comma + 1);
  }
}

std::string HmacSha1(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha1(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
  return std::string(reinterpret_cast<char*>(out), len);
}

bool SameSecret(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

const std::string* FindField(const FormFields& fields, std::string_view name) {
  for (const FormField& f : fields) {
    if (boost::beast::iequals(f.name, name)) return &f.value;
  }
  return nullptr;
}

std::variant<PostPolicy, AwsError> ParsePostPolicy(std::string_view base64) {
  std::optional<std::string> text = Base64Decode(base64);
  if (!text) return BadPolicy("Invalid JSON.");
  boost::system::error_code ec;
  json::value doc = json::parse(*text, ec);
  if (ec || !doc.is_object()) return BadPolicy("Invalid JSON.");
  const json::object& o = doc.get_object();
  const json::value* expiration = o.if_contains("expiration");
  if (expiration == nullptr) return BadPolicy("Policy missing expiration.");
  PostPolicy policy;
  std::optional<int64_t> at;
  if (expiration->is_string()) at = ParseExpiration(expiration->get_string());
  if (!at) {
    return BadPolicy("Invalid 'expiration' value: '" +
                     (expiration->is_string() ? std::string(expiration->get_string())
                                              : json::serialize(*expiration)) +
                     "'");
  }
  policy.expiration_seconds = *at;
  const json::value* conditions = o.if_contains("conditions");
  if (conditions == nullptr) return BadPolicy("Policy missing conditions.");
  if (!conditions->is_array()) return BadPolicy("Invalid 'conditions' value: must be a list.");
  for (const json::value& v : conditions->get_array()) {
    auto c = ParseCondition(v);
    if (auto* error = std::get_if<AwsError>(&c)) return *error;
    policy.conditions.push_back(std::move(std::get<PolicyCondition>(c)));
  }
  return policy;
}

std::optional<AwsError> CheckPostPolicy(const PostPolicy& policy, const FormFields& fields,
                                        std::string_view bucket, int64_t now_seconds) {
  if (now_seconds >= policy.expiration_seconds) {
    return Error("AccessDenied", "Invalid according to Policy: Policy expired.", 403);
  }
  std::vector<std::string> named = {};
  for (const PolicyCondition& c : policy.conditions) {
    if (c.kind == PolicyCondition::Kind::kContentLengthRange) continue;
    bool holds = false;
    if (c.field.starts_with("$")) {
      const std::string name = Lower(std::string_view(c.field).substr(1));
      named.push_back(name);
      const std::string* value = FindField(fields, name);
      const std::string_view actual = name == "bucket" ? bucket
                                      : value          ? std::string_view(*value)
                                                       : std::string_view();
      holds = c.kind == PolicyCondition::Kind::kEq ? actual == c.value
                                                   : StartsWith(name, actual, c.value);
    }
    if (!holds) {
      return Error("AccessDenied",
                   "Invalid according to Policy: Policy Condition failed: " + c.text, 403);
    }
  }
  auto covered = [&](const std::string& name) {
    return std::find(named.begin(), named.end(), name) != named.end();
  };
  for (const FormField& f : fields) {
    const std::string name = Lower(f.name);
    if (!Exempt(name) && !covered(name)) {
      return Error("AccessDenied", "Invalid according to Policy: Extra input fields: " + name, 403);
    }
  }
  if (!covered("bucket")) {
    return Error("AccessDenied", "Invalid according to Policy: Extra input fields: bucket", 403);
  }
  return std::nullopt;
}

std::optional<AwsError> CheckPostContentLength(const PostPolicy& policy, uint64_t size) {
  for (const PolicyCondition& c : policy.conditions) {
    if (c.kind != PolicyCondition::Kind::kContentLengthRange) continue;
    if (size < c.min) {
      return Error("EntityTooSmall",
                   "Your proposed upload is smaller than the minimum allowed size", 400);
    }
    if (size > c.max) {
      return Error("EntityTooLarge", "Your proposed upload exceeds the maximum allowed size", 400);
    }
  }
  return std::nullopt;
}

std::optional<uint64_t> PostMaxContentLength(const PostPolicy& policy) {
  std::optional<uint64_t> max;
  for (const PolicyCondition& c : policy.conditions) {
    if (c.kind == PolicyCondition::Kind::kContentLengthRange)
      max = std::min(max.value_or(c.max), c.max);
  }
  return max;
}

std::variant<AuthInfo, AwsError> AuthenticatePostForm(const FormFields& fields, AuthMode mode,
                                                      const KeyFinder& find_key,
                                                      int64_t now_seconds) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 4> kV4 = {
      {{"x-amz-algorithm", "X-Amz-Algorithm"},
       {"x-amz-credential", "X-Amz-Credential"},
       {"x-amz-date", "X-Amz-Date"},
       {"x-amz-signature", "X-Amz-Signature"}}};
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 2> kV2 = {
      {{"awsaccesskeyid", "AWSAccessKeyId"}, {"signature", "Signature"}}};
  const std::string* policy = FindField(fields, "policy");
  auto any_of = [&](const auto& names) {
    return std::any_of(names.begin(), names.end(),
                       [&](const auto& n) { return FindField(fields, n.first) != nullptr; });
  };
  auto first_missing = [&](const auto& names) -> std::optional<std::string_view> {
    for (const auto& [lower, name] : names) {
      if (FindField(fields, lower) == nullptr) return name;
    }
    return std::nullopt;
  };
  const bool v4 = any_of(kV4), v2 = !v4 && any_of(kV2);
  auto anonymous = [&]() -> std::variant<AuthInfo, AwsError> {
    if (mode == AuthMode::kStrict) return Error("AccessDenied", "Access Denied", 403);
    return AuthInfo{};
  };
  if (policy == nullptr && (v4 || v2)) return Missing("policy");
  if (policy == nullptr) return anonymous();
  if (!v4 && !v2) return anonymous();
  if (auto missing = v4 ? first_missing(kV4) : first_missing(kV2)) return Missing(*missing);

  AuthInfo info;
  info.signed_request = true;
  sigv4::Authorization scope;
  if (v4) {
    auto bad = [](std::string message) {
      return Error("AuthorizationQueryParametersError", std::move(message), 400);
    };
    if (*FindField(fields, "x-amz-algorithm") != "AWS4-HMAC-SHA256") {
      return bad("X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"");
    }
    const std::string& date = *FindField(fields, "x-amz-date");
    if (date.size() != 16 || date[8] != 'T' || date[15] != 'Z' || !Digits(date.substr(0, 8)) ||
        !Digits(date.substr(9, 6))) {
      return bad("X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"");
    }
    std::vector<std::string> parts;
    std::string_view credential = *FindField(fields, "x-amz-credential");
    for (size_t start = 0;;) {
      size_t slash = credential.find('/', start);
      parts.emplace_back(credential.substr(start, slash - start));
      if (slash == std::string_view::npos) break;
      start = slash + 1;
    }
    if (parts.size() != 5 || parts[0].empty() || parts[1].size() != 8 || !Digits(parts[1]) ||
        parts[2].empty() || parts[4] != "aws4_request") {
      return bad(
          "Error parsing the X-Amz-Credential parameter; the Credential is mal-formed; expecting "
          "\"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\".");
    }
    if (parts[3] != "s3") {
      return bad("Error parsing the X-Amz-Credential parameter; incorrect service \"" + parts[3] +
                 "\". This endpoint belongs to \"s3\".");
    }
    if (parts[1] != date.substr(0, 8)) {
      return bad("Error parsing the X-Amz-Credential parameter; incorrect date \"" + parts[1] +
                 "\". This date in the credential must be in the format \"yyyyMMdd\" and match "
                 "X-Amz-Date.");
    }
    info.access_key_id = parts[0];
    info.region = parts[2];
    info.service = parts[3];
    scope.access_key_id = parts[0];
    scope.date = parts[1];
    scope.region = parts[2];
    scope.service = parts[3];
  } else {
    info.access_key_id = *FindField(fields, "awsaccesskeyid");
  }
  std::optional<AccessKey> key = find_key(info.access_key_id);
  if (key) info.account_id = key->account_id;
  if (mode == AuthMode::kAcceptAny) return info;

  if (!key) {
    return Error("InvalidAccessKeyId",
                 "The AWS Access Key Id you provided does not exist in our records.", 403);
  }
  const std::string* token = FindField(fields, "x-amz-security-token");
  if (key->session_token.empty() != (token == nullptr) ||
      (token != nullptr && !SameSecret(*token, key->session_token))) {
    if (token == nullptr) {
      return Error("InvalidAccessKeyId",
                   "The AWS Access Key Id you provided does not exist in our records.", 403);
    }
    return Error("InvalidToken", "The provided token is malformed or otherwise invalid.", 400);
  }
  if (key->expires_micros > 0 && now_seconds * 1'000'000 >= key->expires_micros) {
    return Error("ExpiredToken", "The provided token has expired.", 400);
  }
  const std::string expected =
      v4 ? HexEncode(HmacSha256(sigv4::DeriveSigningKey(key->secret_key, scope), *policy))
         : Base64Encode(HmacSha1(key->secret_key, *policy));
  const std::string& given = *FindField(fields, v4 ? "x-amz-signature" : "signature");
  if (!SameSecret(expected, v4 ? Lower(given) : given)) {
    return Error("SignatureDoesNotMatch",
                 "The request signature we calculated does not match the signature you provided. "
                 "Check your key and signing method.",
                 403);
  }
  return info;
}

}  // namespace tidepool::protocol::s3post
