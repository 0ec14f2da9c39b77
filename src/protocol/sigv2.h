// S3's SigV2 ("REST authentication"), in the two forms older tools still send:
//   query:  ?AWSAccessKeyId=<key>&Expires=<epoch seconds>&Signature=<base64 HMAC-SHA1>
//   header: Authorization: AWS <key>:<base64 HMAC-SHA1>
// The string to sign:
//   method "\n" content-md5 "\n" content-type "\n" when "\n" amz_headers resource
//   when        := Expires (query form); the Date header, or "" when x-amz-date is sent
//                  (header form)
//   amz_headers := each x-amz-* header, name lowercased, "name:value\n", sorted by name, the
//                  values of a repeated name joined with ","
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

// The header form's key and signature ("AWS key:signature"); nullopt when `value` is not
// that form (`expires` stays 0).
std::optional<QueryAuth> ParseHeader(std::string_view value);

// The signature `secret` makes over `request` (path still percent-encoded; `bucket` non-empty
// when the Host named it, virtual-hosted style; `when` as in the grammar above).
std::string Sign(const http::HttpRequest& request, std::string_view path,
                 const std::vector<std::pair<std::string, std::string>>& params,
                 std::string_view virtual_bucket, std::string_view when, std::string_view secret);

}  // namespace tidepool::protocol::sigv2
