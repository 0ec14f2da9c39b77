// How an object's record reads back to clients: the GET/HEAD output members, tag headers.
// Pure functions; thread-safe.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "services/s3/records.h"

namespace tidepool::s3 {

// GetObject/HeadObject output members of `record` (stored headers, ETag, LastModified...);
// with `with_checksum` (ChecksumMode ENABLED) its checksum member too.
boost::json::object ObjectView(const ObjectRecord& record, bool with_checksum);

// The x-amz-tagging header ("k1=v1&k2=v2", URL-encoded) as a TagSet.
boost::json::array ParseTaggingHeader(std::string_view text);

// The members PutObject / CreateMultipartUpload record from their input to echo on GET and
// HEAD (content headers, metadata, storage class, encryption...; aws-chunked dropped from
// Content-Encoding).
boost::json::object StoredHeaders(const boost::json::object& in);

// Whether an If-Match / If-None-Match header's list holds `etag` ("*" matches any; quotes
// and W/ ignored).
bool EtagMatchesHeader(std::string_view header, std::string_view etag);

// The GET/HEAD conditions of `in` (IfMatch, IfNoneMatch, IfModifiedSince, IfUnmodifiedSince)
// against `record`, in S3's order of precedence: PreconditionFailed or NotModified.
Status CheckReadConditions(const boost::json::object& in, const ObjectRecord& record);

// A byte offset of a Range header: 1 to 19 decimal digits; nullopt otherwise.
std::optional<uint64_t> ParseByteOffset(std::string_view text);

// `etag` in double quotes, as S3 writes ETags.
std::string Quoted(std::string_view etag);

}  // namespace tidepool::s3
