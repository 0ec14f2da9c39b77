// S3's SigV2 query authentication, the presigned-URL form older tools still send:
//   ?AWSAccessKeyId=<key>&Expires=<epoch seconds>&Signature=<base64 HMAC-SHA1>
// The string to sign (AWS's "REST authentication" for query strings):
//   method "\n" content-md5 "\n" content-type "\n" expires "\n" amz_headers resource
//   amz_headers := each x-amz-* header, name lowercased, "name:value\n", sorted by name
//   resource    := "/" bucket (virtual-hosted) then the path as sent, then the sub-resources
//                  of the query (acl, versionId, response-content-type...) sorted, as
//                  "?name[=value]&..." with values decoded
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "protocol/http/responder.h"

namespace tidepool::protocol::sigv2 {

struct QueryAuth {
  std::string access_key_id;
  int64_t expires = 0;  // seconds since the epoch
  std::string signature;
};

// The SigV2 parameters of `params` (the decoded query); nullopt when AWSAccessKeyId or
// Signature is missing. `*malformed` is set when they are present but Expires is missing or
// not a number.
std::optional<QueryAuth> ParseQuery(const std::vector<std::pair<std::string, std::string>>& params,
                                    bool* malformed);

// The signature `secret` makes over `request` (path still percent-encoded; `bucket` non-empty
// when the Host named it, virtual-hosted style).
std::string Sign(const http::HttpRequest& request, std::string_view path,
                 const std::vector<std::pair<std::string, std::string>>& params,
                 std::string_view virtual_bucket, int64_t expires, std::string_view secret);

}  // namespace tidepool::protocol::sigv2
