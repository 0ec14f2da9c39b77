#include "protocol/authenticator.h"

#include <openssl/crypto.h>

#include <cstdio>
#include <fstream>
#include <optional>

#include "core/encoding.h"
#include "protocol/http/query_string.h"
#include "protocol/rest/s3_routes.h"
#include "protocol/sigv2.h"
#include "protocol/sigv4.h"

namespace tidepool::protocol {
namespace {

constexpr std::string_view kSignatureMismatch =
    "The request signature we calculated does not match the signature you provided. Check your "
    "AWS Secret Access Key and signing method. Consult the service documentation for details.";
constexpr std::string_view kS3SignatureMismatch =
    "The request signature we calculated does not match the signature you provided. Check your "
    "key and signing method.";
constexpr std::string_view kDateRequired =
    "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ";

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

bool IsDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

std::optional<int64_t> EpochSeconds(int64_t y, int64_t mo, int64_t d, int64_t h, int64_t mi,
                                    int64_t s) {
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return std::nullopt;
  return DaysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
}

int64_t Num(std::string_view s) {
  int64_t v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}

// "20150830T123600Z"
std::optional<int64_t> ParseBasicIso(std::string_view t) {
  if (t.size() != 16 || t[8] != 'T' || t[15] != 'Z') return std::nullopt;
  if (!IsDigits(t.substr(0, 8)) || !IsDigits(t.substr(9, 6))) return std::nullopt;
  return EpochSeconds(Num(t.substr(0, 4)), Num(t.substr(4, 2)), Num(t.substr(6, 2)),
                      Num(t.substr(9, 2)), Num(t.substr(11, 2)), Num(t.substr(13, 2)));
}

std::string FormatBasicIso(int64_t epoch) {
  int64_t days = epoch >= 0 ? epoch / 86400 : (epoch - 86399) / 86400;
  int64_t secs = epoch - days * 86400;
  // civil_from_days
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const int64_t doe = days - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const int64_t m = mp < 10 ? mp + 3 : mp - 9;
  const int64_t y = yoe + era * 400 + (m <= 2);
  char buf[128];  // room for six 64-bit numbers: GCC's -Wformat-truncation cannot bound y
  std::snprintf(buf, sizeof buf, "%04lld%02lld%02lldT%02lld%02lld%02lldZ",
                static_cast<long long>(y), static_cast<long long>(m), static_cast<long long>(d),
                static_cast<long long>(secs / 3600), static_cast<long long>(secs / 60 % 60),
                static_cast<long long>(secs % 60));
  return buf;
}

// RFC 7231 IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT".
std::optional<int64_t> ParseHttpDate(std::string_view t) {
  if (t.size() != 29 || t[3] != ',' || t.substr(26) != "GMT") return std::nullopt;
  static constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  int64_t month = 0;
  for (int i = 0; i < 12; ++i) {
    if (t.substr(8, 3) == kMonths[i]) month = i + 1;
  }
  if (month == 0 || !IsDigits(t.substr(5, 2)) || !IsDigits(t.substr(12, 4)) ||
      !IsDigits(t.substr(17, 2)) || !IsDigits(t.substr(20, 2)) || !IsDigits(t.substr(23, 2)) ||
      t[19] != ':' || t[22] != ':') {
    return std::nullopt;
  }
  return EpochSeconds(Num(t.substr(12, 4)), month, Num(t.substr(5, 2)), Num(t.substr(17, 2)),
                      Num(t.substr(20, 2)), Num(t.substr(23, 2)));
}

AwsError Error(std::string code, std::string message, int status) {
  return AwsError{std::move(code), std::move(message), status, true, {}};
}

}  // namespace

Status LoadCredentialsFile(const std::string& path, CredentialMap* out) {
  std::ifstream in(path);
  if (!in) return Status::IoError("cannot read credentials file " + path);
  struct Section {
    std::string name;
    int line = 0;
    std::string key, secret, account;
  };
  std::vector<Section> sections;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    std::string_view l = Trim(line);
    if (l.empty() || l.front() == '#' || l.front() == ';') continue;
    if (l.front() == '[') {
      if (l.back() != ']') {
        return Status::InvalidArgument(path + ":" + std::to_string(number) +
                                       ": malformed section header");
      }
      sections.push_back(Section{std::string(Trim(l.substr(1, l.size() - 2))), number, {}, {}, {}});
      continue;
    }
    size_t eq = l.find('=');
    if (eq == std::string_view::npos || sections.empty()) {
      return Status::InvalidArgument(path + ":" + std::to_string(number) +
                                     ": expected 'key = value' inside a [section]");
    }
    std::string key(Trim(l.substr(0, eq)));
    for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string value(Trim(l.substr(eq + 1)));
    Section& s = sections.back();
    if (key == "aws_access_key_id") s.key = value;
    if (key == "aws_secret_access_key") s.secret = value;
    if (key == "account_id") s.account = value;
  }
  for (const Section& s : sections) {
    std::string where = path + ":" + std::to_string(s.line) + ": [" + s.name + "]";
    if (s.key.empty() || s.secret.empty()) {
      return Status::InvalidArgument(where + " needs aws_access_key_id and aws_secret_access_key");
    }
    std::string account = s.account.empty() ? "000000000000" : s.account;
    if (account.size() != 12 || !IsDigits(account)) {
      return Status::InvalidArgument(where + " account_id must be 12 digits");
    }
    (*out)[s.key] = AccessKey{s.secret, account};
  }
  return Status::Ok();
}

Authenticator::Authenticator(AuthMode mode, CredentialMap credentials, const Clock* clock,
                             int64_t max_skew_seconds, CredentialLookup lookup)
    : mode_(mode),
      credentials_(std::move(credentials)),
      clock_(clock),
      max_skew_seconds_(max_skew_seconds),
      lookup_(std::move(lookup)) {}

std::variant<AuthInfo, AwsError> Authenticator::Authenticate(const http::HttpRequest& request,
                                                             std::string_view path,
                                                             std::string_view query,
                                                             bool json_protocol, bool s3) const {
  const int denied = json_protocol ? 400 : 403;
  auto header_it = request.find(boost::beast::http::field::authorization);
  const bool has_header = header_it != request.end();
  std::vector<std::pair<std::string, std::string>> params;
  bool presigned = false;
  if (query.find("X-Amz-") != std::string_view::npos) {
    params = http::ParseQueryString(query, /*plus_is_space=*/true);
    for (const auto& [k, v] : params) presigned |= (k == "X-Amz-Algorithm");
  }
  if (has_header && presigned) {
    return Error("InvalidSignatureException",
                 "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP "
                 "header.",
                 denied);
  }
  if (s3 && !has_header && !presigned && query.find("Signature=") != std::string_view::npos) {
    params = http::ParseQueryString(query, /*plus_is_space=*/true);
    bool malformed = false;
    if (auto v2 = sigv2::ParseQuery(params, &malformed)) {
      return AuthenticateSigV2(request, path, params, *v2, malformed, /*header_form=*/false);
    }
  }
  if (s3 && has_header) {
    if (auto v2 = sigv2::ParseHeader(header_it->value())) {
      params = http::ParseQueryString(query, /*plus_is_space=*/true);
      return AuthenticateSigV2(request, path, params, *v2, /*malformed=*/false,
                               /*header_form=*/true);
    }
  }
  if (!has_header && !presigned) {
    if (mode_ == AuthMode::kAcceptAny) return AuthInfo{};
    return Error("MissingAuthenticationTokenException", "Missing Authentication Token", denied);
  }

  sigv4::Authorization auth;
  if (has_header) {
    std::string_view value = header_it->value();
    // The date comes from X-Amz-Date, else Date.
    std::optional<std::string> amz_date;
    std::string date_error;
    if (auto it = request.find("x-amz-date"); it != request.end()) {
      if (ParseBasicIso(it->value())) {
        amz_date = std::string(it->value());
      } else {
        date_error = "Date must be in ISO-8601 'basic format'. Got '" + std::string(it->value()) +
                     "'. See http://en.wikipedia.org/wiki/ISO_8601";
      }
    } else if (auto dit = request.find(boost::beast::http::field::date); dit != request.end()) {
      if (auto t = ParseHttpDate(dit->value())) {
        amz_date = FormatBasicIso(*t);
      } else {
        date_error = "Date must be in ISO-8601 'basic format'. Got '" + std::string(dit->value()) +
                     "'. See http://en.wikipedia.org/wiki/ISO_8601";
      }
    }
    Result<sigv4::Authorization> parsed = sigv4::ParseAuthorizationHeader(
        value, mode_ == AuthMode::kAcceptAny ? sigv4::AuthorizationParts::kScopeOnly
                                             : sigv4::AuthorizationParts::kAll);
    if (!parsed.ok()) {
      std::string message = parsed.status().message();
      size_t at = message.rfind("Authorization=");
      if (!amz_date && date_error.empty() && at != std::string::npos) {
        message.insert(at, kDateRequired);
      }
      return Error("IncompleteSignatureException", std::move(message), 400);
    }
    if (!amz_date) {
      if (!date_error.empty()) return Error("IncompleteSignatureException", date_error, 400);
      return Error("IncompleteSignatureException",
                   std::string(kDateRequired) + "Authorization=" + std::string(value), 400);
    }
    auth = std::move(parsed).value();
    auth.amz_date = *amz_date;
  } else {
    Result<sigv4::Authorization> parsed = sigv4::ParsePresignedQuery(params);
    if (!parsed.ok()) {
      return Error("IncompleteSignatureException", parsed.status().message(), 400);
    }
    auth = std::move(parsed).value();
  }

  AuthInfo info;
  info.signed_request = true;
  std::optional<AccessKey> issued;
  const AccessKey* key = FindKey(auth.access_key_id, &issued);
  if (key != nullptr) info.account_id = key->account_id;
  if (mode_ == AuthMode::kAcceptAny) {
    info.access_key_id = std::move(auth.access_key_id);
    info.region = std::move(auth.region);
    info.service = std::move(auth.service);
    return info;
  }
  info.access_key_id = auth.access_key_id;
  info.region = auth.region;
  info.service = auth.service;

  if (key == nullptr) {
    return Error("UnrecognizedClientException",
                 "The security token included in the request is invalid.", denied);
  }
  if (!key->session_token.empty()) {
    std::string_view token;
    if (auto it = request.find("x-amz-security-token"); it != request.end()) token = it->value();
    for (const auto& [k, v] : params) {
      if (k == "X-Amz-Security-Token") token = v;
    }
    if (token != key->session_token) {
      return Error("UnrecognizedClientException",
                   "The security token included in the request is invalid.", denied);
    }
    if (key->expires_micros > 0 && clock_->NowMicros() >= key->expires_micros) {
      return Error("ExpiredTokenException", "The security token included in the request is expired",
                   denied);
    }
  }
  if (auth.date != std::string_view(auth.amz_date).substr(0, 8)) {
    return Error("InvalidSignatureException",
                 "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date "
                 "from HTTP: '" +
                     auth.date + "' != '" + auth.amz_date.substr(0, 8) + "', from '" +
                     auth.amz_date + "'.",
                 denied);
  }
  const int64_t now = clock_->NowMicros() / 1'000'000;
  const int64_t signed_at = ParseBasicIso(auth.amz_date).value_or(0);
  const std::string now_text = FormatBasicIso(now);
  if (auth.presigned && auth.expires_seconds > 0) {
    if (now - signed_at > auth.expires_seconds) {
      return Error("InvalidSignatureException",
                   "Signature expired: " + auth.amz_date + " is now earlier than " +
                       FormatBasicIso(now - auth.expires_seconds) + " (" + now_text + " - " +
                       std::to_string(auth.expires_seconds) + " sec.)",
                   denied);
    }
  } else if (signed_at < now - max_skew_seconds_) {
    return Error("InvalidSignatureException",
                 "Signature expired: " + auth.amz_date + " is now earlier than " +
                     FormatBasicIso(now - max_skew_seconds_) + " (" + now_text + " - " +
                     std::to_string(max_skew_seconds_ / 60) + " min.)",
                 denied);
  }
  if (signed_at > now + max_skew_seconds_) {
    return Error("InvalidSignatureException",
                 "Signature not yet current: " + auth.amz_date + " is still later than " +
                     FormatBasicIso(now + max_skew_seconds_) + " (" + now_text + " + " +
                     std::to_string(max_skew_seconds_ / 60) + " min.)",
                 denied);
  }

  sigv4::CanonicalInput input;
  std::string method(request.method_string());
  input.method = method;
  input.path = path;
  input.query = query;
  input.s3 = s3;
  input.headers.reserve(16);
  for (const auto& field : request) input.headers.emplace_back(field.name_string(), field.value());
  if (auto it = request.find("x-amz-content-sha256"); it != request.end()) {
    input.payload_hash = std::string(it->value());
  } else if (auth.presigned && s3) {
    input.payload_hash = "UNSIGNED-PAYLOAD";
  } else {
    input.payload_hash = HexEncode(Sha256(request.body()));
  }
  std::string expected = sigv4::ComputeSignature(input, auth, key->secret_key);
  if (expected.size() != auth.signature.size() ||
      CRYPTO_memcmp(expected.data(), auth.signature.data(), expected.size()) != 0) {
    // S3 names this error as it does for SigV2.
    if (s3) return Error("SignatureDoesNotMatch", std::string(kS3SignatureMismatch), denied);
    return Error("InvalidSignatureException", std::string(kSignatureMismatch), denied);
  }
  if (s3 && input.payload_hash.starts_with("STREAMING-AWS4-HMAC-SHA256-PAYLOAD")) {
    info.streaming = StreamingSeed{
        sigv4::DeriveSigningKey(key->secret_key, auth), auth.amz_date,
        auth.date + "/" + auth.region + "/" + auth.service + "/aws4_request", auth.signature,
        input.payload_hash == "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"};
  }
  return info;
}

const AccessKey* Authenticator::FindKey(const std::string& access_key_id,
                                        std::optional<AccessKey>* issued) const {
  if (auto it = credentials_.find(access_key_id); it != credentials_.end()) return &it->second;
  if (lookup_ && (*issued = lookup_(access_key_id))) return &**issued;
  return nullptr;
}

std::variant<AuthInfo, AwsError> Authenticator::AuthenticateSigV2(
    const http::HttpRequest& request, std::string_view path,
    const std::vector<std::pair<std::string, std::string>>& params, const sigv2::QueryAuth& auth,
    bool malformed, bool header_form) const {
  if (malformed) {
    return Error("AccessDenied",
                 "Query-string authentication requires the Signature, Expires and AWSAccessKeyId "
                 "parameters",
                 403);
  }
  AuthInfo info;
  info.signed_request = true;
  info.access_key_id = auth.access_key_id;
  std::optional<AccessKey> issued;
  const AccessKey* key = FindKey(auth.access_key_id, &issued);
  if (key != nullptr) info.account_id = key->account_id;
  if (mode_ == AuthMode::kAcceptAny) return info;
  if (key == nullptr) {
    return Error("InvalidAccessKeyId",
                 "The AWS Access Key Id you provided does not exist in our records.", 403);
  }
  const int64_t now = clock_->NowMicros() / 1'000'000;
  std::string when;  // the string to sign's date line
  if (header_form) {
    // The request time: x-amz-date (then signed as an amz header, the date line empty), else
    // Date; either an HTTP date (ISO 8601 basic accepted too).
    const std::string_view amz_date = request["x-amz-date"];
    const std::string_view header_date = request[boost::beast::http::field::date];
    const std::string_view date = amz_date.empty() ? header_date : amz_date;
    std::optional<int64_t> at = ParseHttpDate(date);
    if (!at) at = ParseBasicIso(date);
    if (!at) {
      return Error("AccessDenied", "AWS authentication requires a valid Date or x-amz-date header",
                   403);
    }
    if (*at < now - max_skew_seconds_ || *at > now + max_skew_seconds_) {
      return Error("RequestTimeTooSkewed",
                   "The difference between the request time and the current time is too large.",
                   403);
    }
    if (amz_date.empty()) when = std::string(date);
  } else {
    if (now > auth.expires) return Error("AccessDenied", "Request has expired", 403);
    when = std::to_string(auth.expires);
  }
  const std::string bucket = VirtualHostBucket(request[boost::beast::http::field::host]);
  auto matches = [&](std::string_view resource_path) {
    const std::string expected =
        sigv2::Sign(request, resource_path, params, bucket, when, key->secret_key);
    return expected.size() == auth.signature.size() &&
           CRYPTO_memcmp(expected.data(), auth.signature.data(), expected.size()) == 0;
  };
  // A path-style request to a bucket ("/bucket") is signed by some clients (botocore) with
  // the resource "/bucket/", the form S3 gives a bucket's resource; both are accepted.
  const bool bucket_only = bucket.empty() && path.size() > 1 && path.find('/', 1) == path.npos;
  if (!matches(path) && !(bucket_only && matches(std::string(path) + "/"))) {
    return Error("SignatureDoesNotMatch", std::string(kS3SignatureMismatch), 403);
  }
  return info;
}

}  // namespace tidepool::protocol
