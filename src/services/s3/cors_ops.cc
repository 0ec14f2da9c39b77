// CORS: a cross-origin request (preflight or actual) checked against its bucket's stored CORS
// configuration (cors.h holds the rules' semantics; PutBucketCors stores them through the
// table of bucket_ops.cc).
#include <boost/json.hpp>

#include "services/s3/cors.h"
#include "services/s3/s3_errors.h"
#include "services/s3/s3_service.h"

namespace tidepool::s3 {
namespace json = boost::json;

std::variant<protocol::CorsGrant, protocol::AwsError> S3Service::MatchCors(
    const protocol::CorsQuery& query) const {
  auto bucket = FindBucket(query.bucket);
  if (!bucket.ok()) return ToAwsError(bucket.status());
  protocol::CorsGrant grant;
  {
    std::lock_guard lock((*bucket)->mu);
    const json::value* config = (*bucket)->record.configs.if_contains("cors");
    if (config == nullptr || !config->is_object()) {
      if (!query.preflight) return grant;
      return protocol::AwsError{
          "CORSResponse", "CORS is not enabled for this bucket.", 403, true, {}};
    }
    grant = MatchCorsRules(config->get_object(), query);
  }
  if (grant.headers.empty() && query.preflight) {
    return protocol::AwsError{
        "CORSResponse",
        "CORS Response: This CORS request is not allowed. This is usually because the evalution "
        "of Origin, request method / Access-Control-Request-Method or "
        "Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.",
        403,
        true,
        {}};
  }
  return grant;
}

}  // namespace tidepool::s3
