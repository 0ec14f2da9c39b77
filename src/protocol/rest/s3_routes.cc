#include "protocol/rest/s3_routes.h"

#include <boost/beast/core/string.hpp>

#include <algorithm>

#include "protocol/http/query_string.h"

namespace tidepool::protocol {
namespace bhttp = boost::beast::http;

namespace {

// Host suffixes under which the first label is a bucket.
constexpr std::string_view kVirtualHostSuffixes[] = {".s3.localhost.localstack.cloud",
                                                     ".localhost.localstack.cloud",
                                                     ".s3.amazonaws.com", ".localhost"};

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() > suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool Deprecated(std::string_view name) {
  return name == "GetBucketLifecycle" || name == "PutBucketLifecycle" ||
         name == "GetBucketNotification" || name == "PutBucketNotification" ||
         name == "ListDirectoryBuckets";
}

}  // namespace

std::string VirtualHostBucket(std::string_view host) {
  if (size_t colon = host.rfind(':');
      colon != std::string_view::npos && host.find(']') == std::string_view::npos) {
    host = host.substr(0, colon);
  }
  std::string lower(host);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string_view h = lower;
  for (std::string_view suffix : kVirtualHostSuffixes) {
    if (EndsWith(h, suffix)) {
      std::string_view bucket = h.substr(0, h.size() - suffix.size());
      if (bucket == "s3") return {};
      return std::string(bucket);
    }
  }
  // bucket.s3.<region>.amazonaws.com
  if (size_t at = h.find(".s3.");
      at != std::string_view::npos && at > 0 && EndsWith(h, ".amazonaws.com")) {
    return std::string(h.substr(0, at));
  }
  return {};
}

S3Routes::S3Routes(const model::ServiceModel& model) : model_(model) {
  for (const model::Operation& op : model.operations) {
    if (Deprecated(op.name)) continue;
    Route route{};
    route.method = bhttp::string_to_verb(op.http_method);
    route.operation = &op;
    std::string_view uri = op.request_uri;
    std::string_view query;
    if (size_t q = uri.find('?'); q != std::string_view::npos) {
      query = uri.substr(q + 1);
      uri = uri.substr(0, q);
    }
    if (uri.find("{Key+}") != std::string_view::npos) {
      route.level = Level::kObject;
    } else if (uri.find("{Bucket}") != std::string_view::npos) {
      route.level = Level::kBucket;
    } else if (uri == "/") {
      route.level = Level::kService;
    } else {
      continue;  // WriteGetObjectResponse: an S3 Object Lambda route, not served
    }
    for (auto& [k, v] : http::ParseQueryString(query, false)) route.query.emplace_back(k, v);
    routes_.push_back(std::move(route));
  }
}

S3Target S3Routes::Resolve(const http::HttpRequest& request, std::string_view path,
                           std::string_view query) const {
  S3Target target;
  target.bucket = VirtualHostBucket(request[bhttp::field::host]);
  target.virtual_host = !target.bucket.empty();
  std::string_view rest = path;
  if (!rest.empty() && rest.front() == '/') rest.remove_prefix(1);
  if (!target.virtual_host) {
    size_t slash = rest.find('/');
    target.bucket = http::PercentDecode(rest.substr(0, slash), false);
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
  }
  target.key = http::PercentDecode(rest, false);
  Level level = target.bucket.empty() ? Level::kService
                : target.key.empty()  ? Level::kBucket
                                      : Level::kObject;
  auto params = http::ParseQueryString(query, true);
  std::vector<const Route*> best;
  size_t best_size = 0;
  for (const Route& route : routes_) {
    if (route.method != request.method() || route.level != level) continue;
    bool ok = std::all_of(route.query.begin(), route.query.end(), [&](const auto& req) {
      return std::any_of(params.begin(), params.end(), [&](const auto& p) {
        return p.first == req.first && (req.second.empty() || p.second == req.second);
      });
    });
    if (!ok) continue;
    if (best.empty() || route.query.size() > best_size) {
      best = {&route};
      best_size = route.query.size();
    } else if (route.query.size() == best_size) {
      best.push_back(&route);
    }
  }
  if (best.size() == 1) {
    target.operation = best.front()->operation;
  } else if (!best.empty()) {
    target.operation = Refine(best, request, params);
  }
  return target;
}

const model::Operation* S3Routes::Refine(
    const std::vector<const Route*>& tied, const http::HttpRequest& request,
    const std::vector<std::pair<std::string, std::string>>& params) const {
  auto has = [&](std::string_view key) {
    return std::any_of(params.begin(), params.end(), [&](const auto& p) { return p.first == key; });
  };
  const bool upload = has("uploadId");
  const bool copy = request.find("x-amz-copy-source") != request.end();
  std::string_view want;
  switch (request.method()) {
    case bhttp::verb::put:
      want = upload && has("partNumber") ? (copy ? "UploadPartCopy" : "UploadPart")
                                         : (copy ? "CopyObject" : "PutObject");
      break;
    case bhttp::verb::get:
      want = upload ? "ListParts" : "GetObject";
      break;
    case bhttp::verb::delete_:
      want = upload ? "AbortMultipartUpload" : "DeleteObject";
      break;
    default:
      break;
  }
  for (const Route* r : tied) {
    if (r->operation->name == want) return r->operation;
  }
  return nullptr;
}

std::string_view S3Routes::ResultRoot(std::string_view operation) {
  static constexpr std::pair<std::string_view, std::string_view> kRoots[] = {
      {"CompleteMultipartUpload", "CompleteMultipartUploadResult"},
      {"CreateMultipartUpload", "InitiateMultipartUploadResult"},
      {"DeleteObjects", "DeleteResult"},
      {"GetBucketAcl", "AccessControlPolicy"},
      {"GetBucketCors", "CORSConfiguration"},
      {"GetBucketLifecycleConfiguration", "LifecycleConfiguration"},
      {"GetBucketLocation", "LocationConstraint"},
      {"GetBucketNotificationConfiguration", "NotificationConfiguration"},
      {"GetBucketTagging", "Tagging"},
      {"GetBucketVersioning", "VersioningConfiguration"},
      {"GetObjectAcl", "AccessControlPolicy"},
      {"GetObjectAttributes", "GetObjectAttributesResponse"},
      {"GetObjectTagging", "Tagging"},
      {"ListBuckets", "ListAllMyBucketsResult"},
      {"ListMultipartUploads", "ListMultipartUploadsResult"},
      {"ListObjectVersions", "ListVersionsResult"},
      {"ListObjects", "ListBucketResult"},
      {"ListObjectsV2", "ListBucketResult"},
      {"ListParts", "ListPartsResult"},
  };
  for (const auto& [op, root] : kRoots) {
    if (op == operation) return root;
  }
  return {};
}

}  // namespace tidepool::protocol
