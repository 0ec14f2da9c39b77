// S3 addressing: which bucket, key and operation an S3 request names.
//
// Bucket: from a virtual-hosted-style Host header ("bucket.localhost:4566",
// "bucket.s3.localhost.localstack.cloud:4566", "bucket.s3.amazonaws.com",
// "bucket.s3.<region>.amazonaws.com"), else the first path segment (path style). Key: the rest
// of the path after the bucket's slash, percent-decoded, kept exactly (trailing and repeated
// slashes included).
// Operation: the model operation whose method, level (service "/", bucket "/{Bucket}", object
// "/{Bucket}/{Key+}") and required query keys ("?uploads", "?list-type=2") match, the one
// with the most query requirements winning; operations that share all of that are told apart
// as S3 does (uploadId and partNumber make UploadPart, x-amz-copy-source makes CopyObject or
// UploadPartCopy, uploadId makes ListParts / AbortMultipartUpload /
// CompleteMultipartUpload), and deprecated twins (GetBucketLifecycle, PutBucketNotification,
// ListDirectoryBuckets) are never chosen.
//
// Thread-safety: build before use; Resolve is const.
#pragma once

#include <boost/beast/http/verb.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "protocol/http/responder.h"
#include "protocol/model/model.h"

namespace tidepool::protocol {

struct S3Target {
  std::string bucket;  // empty: the request names the service (ListBuckets)
  std::string key;     // empty: the request names the bucket
  bool virtual_host = false;
  const model::Operation* operation = nullptr;  // nullptr: no operation matches
};

// The input member by which the router marks a PutObject call that a browser form POSTed (POST
// Object, s3_post_form.h): S3 names its event s3:ObjectCreated:Post. No model shape has a member
// of this name, so no request can set it.
inline constexpr std::string_view kPostObjectMarker = "tidepool:PostObject";

// The bucket a virtual-hosted-style Host header names; empty for a path-style host.
std::string VirtualHostBucket(std::string_view host);

class S3Routes {
 public:
  explicit S3Routes(const model::ServiceModel& model);

  // Bucket, key and operation of `request` (its target split into `path` and `query`, both
  // still percent-encoded).
  S3Target Resolve(const http::HttpRequest& request, std::string_view path,
                   std::string_view query) const;

  // The root element S3 writes around an operation's output members ("ListBucketResult").
  static std::string_view ResultRoot(std::string_view operation);

 private:
  enum class Level { kService, kBucket, kObject };
  struct Route {
    boost::beast::http::verb method;
    Level level;
    std::vector<std::pair<std::string, std::string>> query;  // key, value ("" = any)
    const model::Operation* operation;
  };
  const model::Operation* Refine(
      const std::vector<const Route*>& tied, const http::HttpRequest& request,
      const std::vector<std::pair<std::string, std::string>>& params) const;

  const model::ServiceModel& model_;
  std::vector<Route> routes_;
};

}  // namespace tidepool::protocol
