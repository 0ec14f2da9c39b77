#include "protocol/sigv4.h"

#include <algorithm>
#include <charconv>
#include <cstring>

#include "core/encoding.h"
#include "protocol/codec/swar.h"
#include "protocol/http/query_string.h"

namespace tidepool::protocol::sigv4 {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
constexpr std::string_view kTerminator = "aws4_request";
constexpr int64_t kMaxPresignedExpires = 604800;  // one week, in seconds

bool IsSpace(char c) { return c == ' ' || c == '\t'; }

// The first position at or after `i` holding a space, tab or comma (which end an
// Authorization parameter), else s.size(); 8 bytes a step, as items run to ~70 bytes.
size_t FindItemEnd(std::string_view s, size_t i) {
  for (uint64_t v; i + 8 <= s.size(); i += 8) {
    std::memcpy(&v, s.data() + i, 8);
    if (swar::AnyEqual(v, ' ') || swar::AnyEqual(v, '\t') || swar::AnyEqual(v, ',')) break;
  }
  while (i < s.size() && !IsSpace(s[i]) && s[i] != ',') ++i;
  return i;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

char ToLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = ToLower(c);
  return out;
}

bool IsUnreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == '~';
}

// AWS UriEncode: every byte but the unreserved set (and '/' when `keep_slash`) becomes %XX with
// upper-case hex.
void UriEncodeTo(std::string_view in, bool keep_slash, std::string* out) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (char ch : in) {
    auto c = static_cast<unsigned char>(ch);
    if (IsUnreserved(c) || (keep_slash && c == '/')) {
      out->push_back(ch);
    } else {
      out->push_back('%');
      out->push_back(kHex[c >> 4]);
      out->push_back(kHex[c & 0xf]);
    }
  }
}

// RFC 3986 remove_dot_segments plus collapsing of empty segments, as AWS services (but not S3)
// normalise the path before signing.
std::string NormalizePath(std::string_view path) {
  if (path.empty()) return "/";
  std::vector<std::string_view> segments;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    std::string_view seg = path.substr(start, slash - start);
    if (seg == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (!seg.empty() && seg != ".") {
      segments.push_back(seg);
    }
    start = slash + 1;
  }
  std::string out = "/";
  for (size_t i = 0; i < segments.size(); ++i) {
    if (i) out.push_back('/');
    out.append(segments[i]);
  }
  if (!segments.empty() && path.back() == '/') out.push_back('/');
  return out;
}

std::string CanonicalUri(std::string_view path, bool s3) {
  std::string out;
  if (s3) {
    // S3: the path is encoded once; decode what the client sent and re-encode it the AWS way.
    if (path.empty()) return "/";
    UriEncodeTo(http::PercentDecode(path, /*plus_is_space=*/false), /*keep_slash=*/true, &out);
    return out;
  }
  // Other services encode the (already encoded) normalised path a second time.
  UriEncodeTo(NormalizePath(path), /*keep_slash=*/true, &out);
  return out;
}

// The raw query as received: each name and value is decoded ('+' is a space) and re-encoded the
// AWS way, then the pairs are sorted. `skip_signature`: leave X-Amz-Signature out (presigned).
std::string CanonicalQuery(std::string_view query, bool skip_signature) {
  std::vector<std::pair<std::string, std::string>> pairs;
  http::ForEachQueryItem(query, [&](std::string_view raw_key, std::string_view raw_value) {
    std::string key = http::PercentDecode(raw_key, /*plus_is_space=*/true);
    if (skip_signature && key == "X-Amz-Signature") return true;
    std::string ekey, evalue;
    UriEncodeTo(key, false, &ekey);
    UriEncodeTo(http::PercentDecode(raw_value, /*plus_is_space=*/true), false, &evalue);
    pairs.emplace_back(std::move(ekey), std::move(evalue));
    return true;
  });
  std::sort(pairs.begin(), pairs.end());
  std::string out;
  for (size_t i = 0; i < pairs.size(); ++i) {
    if (i) out.push_back('&');
    out.append(pairs[i].first);
    out.push_back('=');
    out.append(pairs[i].second);
  }
  return out;
}

// Trimall: strip leading/trailing whitespace, fold inner runs of whitespace to one space.
void AppendTrimmedValue(std::string_view value, std::string* out) {
  value = Trim(value);
  bool in_space = false;
  for (char c : value) {
    if (IsSpace(c) || c == '\r' || c == '\n') {
      in_space = true;
      continue;
    }
    if (in_space) out->push_back(' ');
    in_space = false;
    out->push_back(c);
  }
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (ToLower(a[i]) != ToLower(b[i])) return false;
  }
  return true;
}

// "name:value\n" for each signed header (in the order given, which must be sorted), then a blank
// line, then "a;b;c".
std::string CanonicalHeaders(const CanonicalInput& input,
                             const std::vector<std::string>& signed_headers) {
  std::string out;
  for (const std::string& name : signed_headers) {
    out.append(name);
    out.push_back(':');
    bool first = true;
    for (const auto& [hname, hvalue] : input.headers) {
      if (!EqualsIgnoreCase(hname, name)) continue;
      if (!first) out.push_back(',');
      first = false;
      AppendTrimmedValue(hvalue, &out);
    }
    out.push_back('\n');
  }
  out.push_back('\n');
  for (size_t i = 0; i < signed_headers.size(); ++i) {
    if (i) out.push_back(';');
    out.append(signed_headers[i]);
  }
  return out;
}

std::string CanonicalRequest(const CanonicalInput& input, const Authorization& auth) {
  std::vector<std::string> names;
  names.reserve(auth.signed_headers.size());
  for (const auto& h : auth.signed_headers) names.push_back(Lower(h));
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());

  std::string out;
  out.reserve(256);
  out.append(input.method);
  out.push_back('\n');
  out.append(CanonicalUri(input.path, input.s3));
  out.push_back('\n');
  out.append(CanonicalQuery(input.query, auth.presigned));
  out.push_back('\n');
  out.append(CanonicalHeaders(input, names));
  out.push_back('\n');
  out.append(input.payload_hash);
  return out;
}

Status CredentialError(std::string_view credential) {
  return Status::InvalidArgument(
      "Credential must have exactly 5 slash-delimited elements, e.g. "
      "keyid/date/region/service/term, got '" +
      std::string(credential) + "'");
}

bool IsBasicIsoDate(std::string_view d) {
  if (d.size() != 16 || d[8] != 'T' || d[15] != 'Z') return false;
  for (size_t i = 0; i < 15; ++i) {
    if (i == 8) continue;
    if (d[i] < '0' || d[i] > '9') return false;
  }
  return true;
}

// Splits "AKID/20130524/us-east-1/s3/aws4_request" into `auth`.
Status ParseCredential(std::string_view credential, Authorization* auth) {
  std::string_view parts[5];
  size_t n = 0;
  size_t start = 0;
  while (true) {
    size_t slash = credential.find('/', start);
    std::string_view part = credential.substr(
        start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (n == 5) return CredentialError(credential);
    parts[n++] = part;
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  if (n != 5) return CredentialError(credential);
  if (parts[4] != kTerminator) {
    return Status::InvalidArgument(
        "Credential should be scoped with a valid terminator: 'aws4_request', not '" +
        std::string(parts[4]) + "'.");
  }
  auth->access_key_id = std::string(parts[0]);
  auth->date = std::string(parts[1]);
  auth->region = std::string(parts[2]);
  auth->service = std::string(parts[3]);
  return Status::Ok();
}

std::vector<std::string> SplitSignedHeaders(std::string_view list) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= list.size()) {
    size_t semi = list.find(';', start);
    if (semi == std::string_view::npos) semi = list.size();
    std::string_view name = Trim(list.substr(start, semi - start));
    if (!name.empty()) out.push_back(Lower(name));
    start = semi + 1;
  }
  return out;
}

std::string SigningKey(std::string_view secret_key, const Authorization& auth) {
  // The key changes only with the day, region and service: the last one derived is kept per
  // thread, as the SDKs do, saving four HMACs per request from the same client.
  struct Cached {
    std::string secret_key, date, region, service, key;
  };
  thread_local Cached cached;
  if (cached.key.empty() || cached.secret_key != secret_key || cached.date != auth.date ||
      cached.region != auth.region || cached.service != auth.service) {
    std::string key = "AWS4";
    key.append(secret_key);
    std::string k = HmacSha256(key, auth.date);
    k = HmacSha256(k, auth.region);
    k = HmacSha256(k, auth.service);
    cached = {std::string(secret_key), auth.date, auth.region, auth.service,
              HmacSha256(k, kTerminator)};
  }
  return cached.key;
}

}  // namespace

Result<Authorization> ParseAuthorizationHeader(std::string_view value, AuthorizationParts parts) {
  std::string_view rest = Trim(value);
  const size_t sp = FindItemEnd(rest, 0);
  std::string_view algorithm = rest.substr(0, sp);
  rest = rest.substr(sp);

  // Parameters are "Key=Value" items separated by commas and/or spaces.
  std::string_view credential, signed_headers, signature;
  bool has_credential = false, has_signed = false, has_signature = false;
  size_t i = 0;
  while (i < rest.size()) {
    while (i < rest.size() && (IsSpace(rest[i]) || rest[i] == ',')) ++i;
    size_t begin = i;
    i = FindItemEnd(rest, i);
    std::string_view item = rest.substr(begin, i - begin);
    if (item.empty()) continue;
    size_t eq = item.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view key = item.substr(0, eq);
    std::string_view val = item.substr(eq + 1);
    if (val.empty()) continue;
    if (key == "Credential" && !has_credential) {
      credential = val;
      has_credential = true;
    } else if (key == "SignedHeaders" && !has_signed) {
      signed_headers = val;
      has_signed = true;
    } else if (key == "Signature" && !has_signature) {
      signature = val;
      has_signature = true;
    }
  }

  std::string missing;
  if (!has_credential) missing += "Authorization header requires 'Credential' parameter. ";
  if (!has_signature) missing += "Authorization header requires 'Signature' parameter. ";
  if (!has_signed) missing += "Authorization header requires 'SignedHeaders' parameter. ";
  if (!missing.empty()) {
    return Status::InvalidArgument(missing + "Authorization=" + std::string(value));
  }
  if (algorithm != kAlgorithm) {
    return Status::InvalidArgument("Unsupported AWS 'algorithm': '" + std::string(algorithm) + "'");
  }
  Authorization auth;
  if (Status s = ParseCredential(credential, &auth); !s.ok()) return s;
  if (parts == AuthorizationParts::kAll) {
    auth.signed_headers = SplitSignedHeaders(signed_headers);
    auth.signature = Lower(signature);
  }
  auth.presigned = false;
  return auth;
}

Result<Authorization> ParsePresignedQuery(
    const std::vector<std::pair<std::string, std::string>>& query_params) {
  auto find = [&](std::string_view name) -> const std::string* {
    for (const auto& [k, v] : query_params) {
      if (k == name) return &v;
    }
    return nullptr;
  };
  static constexpr std::string_view kRequired[] = {"X-Amz-Algorithm", "X-Amz-Credential",
                                                   "X-Amz-Signature", "X-Amz-SignedHeaders",
                                                   "X-Amz-Date"};
  std::string missing;
  for (std::string_view name : kRequired) {
    const std::string* v = find(name);
    if (v == nullptr || v->empty()) {
      missing += "AWS query-string parameters must include '" + std::string(name) + "'. ";
    }
  }
  if (!missing.empty()) {
    return Status::InvalidArgument(missing + "Re-examine the query-string parameters.");
  }
  const std::string& algorithm = *find("X-Amz-Algorithm");
  if (algorithm != kAlgorithm) {
    return Status::InvalidArgument("Unsupported AWS 'algorithm': '" + algorithm + "'");
  }
  Authorization auth;
  const std::string& credential = *find("X-Amz-Credential");
  if (Status s = ParseCredential(credential, &auth); !s.ok()) return s;
  const std::string& date = *find("X-Amz-Date");
  if (!IsBasicIsoDate(date)) {
    return Status::InvalidArgument(
        "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"");
  }
  auth.amz_date = date;
  if (const std::string* expires = find("X-Amz-Expires")) {
    int64_t seconds = -1;
    auto [ptr, ec] = std::from_chars(expires->data(), expires->data() + expires->size(), seconds);
    if (ec != std::errc() || ptr != expires->data() + expires->size() || expires->empty()) {
      return Status::InvalidArgument("X-Amz-Expires should be a number");
    }
    if (seconds < 0) return Status::InvalidArgument("X-Amz-Expires must be non-negative");
    if (seconds > kMaxPresignedExpires) {
      return Status::InvalidArgument(
          "X-Amz-Expires must be less than a week (in seconds) that is 604800");
    }
    auth.expires_seconds = seconds;
  }
  auth.signed_headers = SplitSignedHeaders(*find("X-Amz-SignedHeaders"));
  auth.signature = Lower(*find("X-Amz-Signature"));
  auth.presigned = true;
  return auth;
}

std::string ComputeSignature(const CanonicalInput& input, const Authorization& auth,
                             std::string_view secret_key) {
  std::string canonical = CanonicalRequest(input, auth);
  std::string string_to_sign;
  string_to_sign.reserve(160);
  string_to_sign.append(kAlgorithm);
  string_to_sign.push_back('\n');
  string_to_sign.append(auth.amz_date);
  string_to_sign.push_back('\n');
  string_to_sign.append(auth.date);
  string_to_sign.push_back('/');
  string_to_sign.append(auth.region);
  string_to_sign.push_back('/');
  string_to_sign.append(auth.service);
  string_to_sign.push_back('/');
  string_to_sign.append(kTerminator);
  string_to_sign.push_back('\n');
  string_to_sign.append(HexEncode(Sha256(canonical)));
  return HexEncode(HmacSha256(SigningKey(secret_key, auth), string_to_sign));
}

std::string DeriveSigningKey(std::string_view secret_key, const Authorization& auth) {
  return SigningKey(secret_key, auth);
}

std::vector<std::pair<std::string, std::string>> SignRequest(
    const CanonicalInput& input, std::string_view access_key_id, std::string_view secret_key,
    std::string_view region, std::string_view service, std::string_view amz_date,
    bool add_content_sha) {
  CanonicalInput signed_input = input;
  auto has = [&](std::string_view name) {
    return std::any_of(input.headers.begin(), input.headers.end(),
                       [&](const auto& h) { return EqualsIgnoreCase(h.first, name); });
  };
  std::vector<std::pair<std::string, std::string>> added;
  if (!has("x-amz-date")) added.emplace_back("X-Amz-Date", std::string(amz_date));
  if (add_content_sha && !has("x-amz-content-sha256")) {
    added.emplace_back("X-Amz-Content-Sha256", input.payload_hash);
  }
  for (const auto& [k, v] : added) signed_input.headers.emplace_back(k, v);

  Authorization auth;
  auth.access_key_id = std::string(access_key_id);
  auth.date = std::string(amz_date.substr(0, 8));
  auth.region = std::string(region);
  auth.service = std::string(service);
  auth.amz_date = std::string(amz_date);
  for (const auto& h : signed_input.headers) auth.signed_headers.push_back(Lower(h.first));
  std::sort(auth.signed_headers.begin(), auth.signed_headers.end());
  auth.signed_headers.erase(std::unique(auth.signed_headers.begin(), auth.signed_headers.end()),
                            auth.signed_headers.end());
  std::string signature = ComputeSignature(signed_input, auth, secret_key);

  std::string signed_list;
  for (size_t i = 0; i < auth.signed_headers.size(); ++i) {
    if (i) signed_list.push_back(';');
    signed_list.append(auth.signed_headers[i]);
  }
  std::vector<std::pair<std::string, std::string>> out;
  out.emplace_back("Authorization",
                   std::string(kAlgorithm) + " Credential=" + auth.access_key_id + "/" + auth.date +
                       "/" + auth.region + "/" + auth.service + "/" + std::string(kTerminator) +
                       ", SignedHeaders=" + signed_list + ", Signature=" + signature);
  for (auto& h : added) out.push_back(std::move(h));
  return out;
}

}  // namespace tidepool::protocol::sigv4
