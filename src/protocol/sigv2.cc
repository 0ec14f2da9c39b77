#include "protocol/sigv2.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cctype>
#include <charconv>

#include "core/encoding.h"

namespace tidepool::protocol::sigv2 {
namespace {

// Query parameters that are part of the signed resource (AWS's list for SigV2).
// AWS's list for SigV2, and what botocore's HmacV1Auth adds to it.
constexpr std::string_view kSubResources[] = {"accelerate",
                                              "acl",
                                              "analytics",
                                              "cors",
                                              "defaultObjectAcl",
                                              "delete",
                                              "inventory",
                                              "lifecycle",
                                              "location",
                                              "logging",
                                              "metrics",
                                              "notification",
                                              "object-lock",
                                              "partNumber",
                                              "policy",
                                              "replication",
                                              "requestPayment",
                                              "response-cache-control",
                                              "response-content-disposition",
                                              "response-content-encoding",
                                              "response-content-language",
                                              "response-content-type",
                                              "response-expires",
                                              "restore",
                                              "select",
                                              "select-type",
                                              "storageClass",
                                              "tagging",
                                              "torrent",
                                              "uploadId",
                                              "uploads",
                                              "versionId",
                                              "versioning",
                                              "versions",
                                              "website"};

std::string HmacSha1(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha1(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &length);
  return std::string(reinterpret_cast<const char*>(out), length);
}

}  // namespace

std::optional<QueryAuth> ParseQuery(const std::vector<std::pair<std::string, std::string>>& params,
                                    bool* malformed) {
  QueryAuth auth;
  std::string expires;
  bool has_key = false, has_signature = false, has_expires = false;
  for (const auto& [k, v] : params) {
    if (k == "AWSAccessKeyId") has_key = true, auth.access_key_id = v;
    if (k == "Signature") has_signature = true, auth.signature = v;
    if (k == "Expires") has_expires = true, expires = v;
  }
  if (!has_key || !has_signature) return std::nullopt;
  auto [end, ec] = std::from_chars(expires.data(), expires.data() + expires.size(), auth.expires);
  *malformed = !has_expires || ec != std::errc() || end != expires.data() + expires.size();
  return auth;
}

std::optional<QueryAuth> ParseHeader(std::string_view value) {
  constexpr std::string_view kPrefix = "AWS ";
  if (!value.starts_with(kPrefix)) return std::nullopt;
  value.remove_prefix(kPrefix.size());
  const size_t colon = value.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == value.size()) {
    return std::nullopt;
  }
  QueryAuth auth;
  auth.access_key_id = std::string(value.substr(0, colon));
  auth.signature = std::string(value.substr(colon + 1));
  return auth;
}

std::string Sign(const http::HttpRequest& request, std::string_view path,
                 const std::vector<std::pair<std::string, std::string>>& params,
                 std::string_view virtual_bucket, std::string_view when, std::string_view secret) {
  std::string to_sign(request.method_string());
  to_sign += "\n";
  to_sign += request["Content-MD5"];
  to_sign += "\n";
  to_sign += request[boost::beast::http::field::content_type];
  to_sign += "\n";
  to_sign += when;
  to_sign += "\n";
  std::vector<std::pair<std::string, std::string>> amz;
  for (const auto& field : request) {
    std::string name(field.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (name.starts_with("x-amz-")) amz.emplace_back(std::move(name), std::string(field.value()));
  }
  std::stable_sort(amz.begin(), amz.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (size_t i = 0; i < amz.size(); ++i) {
    const bool repeated = i > 0 && amz[i - 1].first == amz[i].first;
    if (repeated) {
      to_sign += ",";
    } else {
      if (i > 0) to_sign += "\n";
      to_sign += amz[i].first + ":";
    }
    to_sign += amz[i].second;
  }
  if (!amz.empty()) to_sign += "\n";
  if (!virtual_bucket.empty()) to_sign += "/" + std::string(virtual_bucket);
  to_sign += path;
  std::vector<std::pair<std::string, std::string>> sub;
  for (const auto& [k, v] : params) {
    for (std::string_view s : kSubResources) {
      if (k == s) sub.emplace_back(k, v);
    }
  }
  std::sort(sub.begin(), sub.end());
  for (size_t i = 0; i < sub.size(); ++i) {
    to_sign += i == 0 ? "?" : "&";
    to_sign += sub[i].first;
    if (!sub[i].second.empty()) to_sign += "=" + sub[i].second;
  }
  return Base64Encode(HmacSha1(secret, to_sign));
}

}  // namespace tidepool::protocol::sigv2
