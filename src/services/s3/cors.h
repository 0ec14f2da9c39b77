// Bucket CORS: checking a PutBucketCors document, and matching a cross-origin request against
// the stored rules as S3 does (the first rule whose origins, methods and headers all allow
// the request wins; `*` is a wildcard in origins and headers). Pure functions; thread-safe.
#pragma once

#include <boost/json/object.hpp>

#include "core/status.h"
#include "protocol/service.h"

namespace tidepool::s3 {

// Checks a decoded CORSConfiguration: 1 to 100 rules, each with AllowedOrigins and
// AllowedMethods, methods among GET PUT HEAD POST DELETE, at most one `*` per origin and per
// header. Errors as S3 gives them (MalformedXML, InvalidRequest).
Status ValidateCorsConfiguration(const boost::json::object& config);

// The headers the first rule of `config` that allows `query` earns; empty when none does.
protocol::CorsGrant MatchCorsRules(const boost::json::object& config,
                                   const protocol::CorsQuery& query);

// Whether `pattern` (with at most one `*`, matching any run of characters) matches `text`;
// `fold_case` compares ASCII case-insensitively (header names).
bool WildcardMatches(std::string_view pattern, std::string_view text, bool fold_case);

}  // namespace tidepool::s3
