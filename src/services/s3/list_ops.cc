// Listing objects: ListObjects (V1) and ListObjectsV2 over one scan of the bucket's keys;
// ListObjectVersions over the latest versions and each key's noncurrent ones.
#include <boost/json.hpp>

#include <cmath>

#include "core/encoding.h"
#include "protocol/http/query_string.h"
#include "protocol/input.h"
#include "services/s3/keyspace.h"
#include "services/s3/object_view.h"
#include "services/s3/s3_errors.h"
#include "services/s3/s3_service.h"
#include "storage/key_codec.h"

namespace tidepool::s3 {
namespace json = boost::json;
using protocol::CallPtr;
using protocol::InputStringView;

namespace {

// encoding-type=url: S3 percent-encodes like this (keeps unreserved characters and '/').
std::string UrlEncode(std::string_view s) { return protocol::http::PercentEncode(s, "/"); }

struct ListRequest {
  std::string prefix;
  std::string delimiter;
  std::string after;  // list keys (and common prefixes) strictly after this
  int64_t max_keys = 1000;
  bool url = false;
  bool owner = false;
};

struct ListPage {
  json::array contents;
  json::array prefixes;
  bool truncated = false;
  std::string last;  // the last key or common prefix returned
};

}  // namespace

// One page of `bucket`'s keys: keys under the prefix, rolled up at the delimiter.
static Result<ListPage> ListPageOf(const storage::Store& store, uint64_t uid,
                                   const ListRequest& req, std::string_view account) {
  ListPage page;
  const std::string base = keyspace::ObjectPrefix(uid);
  std::string begin = base + req.prefix;
  if (!req.after.empty() && req.after > req.prefix) begin = base + req.after;
  const std::string end = storage::PrefixEnd(base + req.prefix);
  int64_t count = 0;
  std::string last_prefix;
  Status scan = store.Scan(begin, end, [&](std::string_view store_key, std::string_view value) {
    std::string_view key = store_key.substr(base.size());
    if (!req.after.empty() && key <= req.after) return true;
    auto record = DecodeObject(value);
    if (!record.ok() || record->delete_marker) return true;  // a deleted key lists nothing
    if (!req.delimiter.empty()) {
      size_t at = key.find(req.delimiter, req.prefix.size());
      if (at != std::string_view::npos) {
        std::string_view common = key.substr(0, at + req.delimiter.size());
        if (common == last_prefix) return true;
        if (!req.after.empty() && req.after.starts_with(common)) return true;
        if (count == req.max_keys) {
          page.truncated = true;
          return false;
        }
        last_prefix = std::string(common);
        page.prefixes.push_back(
            json::object{{"Prefix", req.url ? UrlEncode(common) : std::string(common)}});
        page.last = last_prefix;
        ++count;
        return true;
      }
    }
    if (count == req.max_keys) {
      page.truncated = true;
      return false;
    }
    json::object item{{"Key", req.url ? UrlEncode(key) : std::string(key)},
                      {"LastModified", std::floor(record->mtime)},
                      {"ETag", Quoted(record->etag)},
                      {"Size", record->size},
                      {"StorageClass", "STANDARD"}};
    if (const json::value* sc = record->headers.if_contains("StorageClass")) {
      item["StorageClass"] = *sc;
    }
    if (!record->checksum_algorithm.empty()) {
      item["ChecksumAlgorithm"] = json::array{json::string(record->checksum_algorithm)};
      item["ChecksumType"] = record->parts > 0 ? "COMPOSITE" : "FULL_OBJECT";
    }
    if (req.owner) item["Owner"] = json::object{{"ID", account}, {"DisplayName", "webfile"}};
    page.contents.push_back(std::move(item));
    page.last = std::string(key);
    ++count;
    return true;
  });
  if (!scan.ok()) return scan;
  return page;
}

static Result<ListRequest> ParseListRequest(const json::object& in) {
  ListRequest req;
  req.prefix = std::string(InputStringView(in, "Prefix").value_or(""));
  req.delimiter = std::string(InputStringView(in, "Delimiter").value_or(""));
  req.max_keys = std::clamp<int64_t>(protocol::InputInt(in, "MaxKeys").value_or(1000), 0, 1000);
  if (auto encoding = InputStringView(in, "EncodingType")) {
    if (*encoding != "url") {
      return S3Status(S3Error::kInvalidArgument, "Invalid Encoding Method specified in Request");
    }
    req.url = true;
  }
  return req;
}

void S3Service::ListObjects(CallPtr call) {
  const json::object& in = call->input();
  auto bucket = InputBucket(*call);
  if (!bucket.ok()) return Fail(call, bucket.status());
  auto req = ParseListRequest(in);
  if (!req.ok()) return Fail(call, req.status());
  req->owner = true;
  const std::string marker(InputStringView(in, "Marker").value_or(""));
  req->after = marker;
  auto page = ListPageOf(store_, (*bucket)->record.uid, *req, (*bucket)->record.account);
  if (!page.ok()) return Fail(call, page.status());
  json::object output{{"Name", (*bucket)->record.name},
                      {"Prefix", req->url ? UrlEncode(req->prefix) : req->prefix},
                      {"Marker", req->url ? UrlEncode(marker) : marker},
                      {"MaxKeys", req->max_keys},
                      {"IsTruncated", page->truncated}};
  if (!req->delimiter.empty()) {
    output["Delimiter"] = req->url ? UrlEncode(req->delimiter) : req->delimiter;
    if (page->truncated) output["NextMarker"] = req->url ? UrlEncode(page->last) : page->last;
  }
  if (req->url) output["EncodingType"] = "url";
  if (!page->contents.empty()) output["Contents"] = std::move(page->contents);
  if (!page->prefixes.empty()) output["CommonPrefixes"] = std::move(page->prefixes);
  call->Reply(std::move(output));
}

void S3Service::ListObjectsV2(CallPtr call) {
  const json::object& in = call->input();
  auto bucket = InputBucket(*call);
  if (!bucket.ok()) return Fail(call, bucket.status());
  auto req = ParseListRequest(in);
  if (!req.ok()) return Fail(call, req.status());
  req->owner = protocol::InputBool(in, "FetchOwner").value_or(false);
  const std::string start_after(InputStringView(in, "StartAfter").value_or(""));
  const auto token = InputStringView(in, "ContinuationToken");
  req->after = start_after;
  if (token) {
    auto decoded = Base64Decode(*token);
    if (!decoded) {
      return Fail(call, S3Status(S3Error::kInvalidArgument,
                                 "The continuation token provided is incorrect"));
    }
    req->after = *decoded;
  }
  auto page = ListPageOf(store_, (*bucket)->record.uid, *req, (*bucket)->record.account);
  if (!page.ok()) return Fail(call, page.status());
  const int64_t key_count = static_cast<int64_t>(page->contents.size() + page->prefixes.size());
  json::object output{{"Name", (*bucket)->record.name},
                      {"Prefix", req->url ? UrlEncode(req->prefix) : req->prefix},
                      {"MaxKeys", req->max_keys},
                      {"KeyCount", key_count},
                      {"IsTruncated", page->truncated}};
  if (!req->delimiter.empty()) {
    output["Delimiter"] = req->url ? UrlEncode(req->delimiter) : req->delimiter;
  }
  if (req->url) output["EncodingType"] = "url";
  if (token) output["ContinuationToken"] = *token;
  if (!start_after.empty()) output["StartAfter"] = req->url ? UrlEncode(start_after) : start_after;
  if (page->truncated) output["NextContinuationToken"] = Base64Encode(page->last);
  if (!page->contents.empty()) output["Contents"] = std::move(page->contents);
  if (!page->prefixes.empty()) output["CommonPrefixes"] = std::move(page->prefixes);
  call->Reply(std::move(output));
}

void S3Service::ListObjectVersions(CallPtr call) {
  const json::object& in = call->input();
  auto bucket = InputBucket(*call);
  if (!bucket.ok()) return Fail(call, bucket.status());
  auto req = ParseListRequest(in);
  if (!req.ok()) return Fail(call, req.status());
  const std::string key_marker(InputStringView(in, "KeyMarker").value_or(""));
  const std::string version_marker(InputStringView(in, "VersionIdMarker").value_or(""));
  if (!version_marker.empty() && key_marker.empty()) {
    return Fail(call, S3Status(S3Error::kInvalidArgument,
                               "A version-id marker cannot be specified without a key marker."));
  }
  const uint64_t uid = (*bucket)->record.uid;
  const std::string account = (*bucket)->record.account;
  // Phase 1: the keys (with their latest version) and common prefixes, in order. Every key
  // has at least one version, so max_keys + 1 entries past the markers are enough to know
  // whether the page is truncated (one more for the marker key itself).
  struct Entry {
    std::string key;  // or the common prefix
    bool prefix = false;
    ObjectRecord latest;
  };
  std::vector<Entry> entries;
  const size_t wanted = static_cast<size_t>(req->max_keys) + 2;
  const std::string base = keyspace::ObjectPrefix(uid);
  std::string begin = base + req->prefix;
  if (key_marker > req->prefix) begin = base + key_marker;
  bool more = false;
  Status scan = store_.Scan(
      begin, storage::PrefixEnd(base + req->prefix),
      [&](std::string_view store_key, std::string_view value) {
        std::string_view key = store_key.substr(base.size());
        if (key < key_marker || (key == key_marker && version_marker.empty())) return true;
        if (entries.size() == wanted) {
          more = true;
          return false;
        }
        if (!req->delimiter.empty()) {
          size_t at = key.find(req->delimiter, req->prefix.size());
          if (at != std::string_view::npos) {
            std::string_view common = key.substr(0, at + req->delimiter.size());
            if (!entries.empty() && entries.back().prefix && entries.back().key == common) {
              return true;
            }
            if (key_marker.starts_with(common)) return true;
            entries.push_back({std::string(common), true, {}});
            return true;
          }
        }
        auto record = DecodeObject(value);
        if (record.ok()) entries.push_back({std::string(key), false, std::move(*record)});
        return true;
      });
  if (!scan.ok()) return Fail(call, scan);
  // Phase 2: each key's versions, newest first, up to max_keys items.
  json::array versions, markers, prefixes;
  int64_t count = 0;
  bool truncated = false;
  std::string next_key, next_version;
  auto encode = [&](std::string_view s) { return req->url ? UrlEncode(s) : std::string(s); };
  for (Entry& entry : entries) {
    if (truncated) break;
    if (entry.prefix) {
      if (count == req->max_keys) {
        truncated = true;
        break;
      }
      prefixes.push_back(json::object{{"Prefix", encode(entry.key)}});
      next_key = entry.key;
      next_version.clear();
      ++count;
      continue;
    }
    std::vector<ObjectRecord> all;
    all.push_back(std::move(entry.latest));
    auto noncurrent = ReadNoncurrent(uid, entry.key);
    if (!noncurrent.ok()) return Fail(call, noncurrent.status());
    for (auto& [store_key, r] : *noncurrent) all.push_back(std::move(r));
    bool skipping = entry.key == key_marker && !version_marker.empty();
    for (size_t i = 0; i < all.size(); ++i) {
      const ObjectRecord& r = all[i];
      const std::string version_id(VisibleVersionId(r));
      if (skipping) {
        if (version_id == version_marker) skipping = false;
        continue;
      }
      if (count == req->max_keys) {
        truncated = true;
        break;
      }
      json::object item{{"Key", encode(entry.key)},
                        {"VersionId", version_id},
                        {"IsLatest", i == 0},
                        {"LastModified", std::floor(r.mtime)},
                        {"Owner", json::object{{"ID", account}, {"DisplayName", "webfile"}}}};
      if (r.delete_marker) {
        markers.push_back(std::move(item));
      } else {
        item["ETag"] = Quoted(r.etag);
        item["Size"] = r.size;
        const json::value* sc = r.headers.if_contains("StorageClass");
        item["StorageClass"] = sc ? *sc : json::value("STANDARD");
        if (!r.checksum_algorithm.empty()) {
          item["ChecksumAlgorithm"] = json::array{json::string(r.checksum_algorithm)};
        }
        versions.push_back(std::move(item));
      }
      next_key = entry.key;
      next_version = version_id;
      ++count;
    }
  }
  if (!truncated && more) truncated = true;
  json::object output{{"Name", (*bucket)->record.name},  {"Prefix", encode(req->prefix)},
                      {"KeyMarker", encode(key_marker)}, {"VersionIdMarker", version_marker},
                      {"MaxKeys", req->max_keys},        {"IsTruncated", truncated}};
  if (!req->delimiter.empty()) output["Delimiter"] = encode(req->delimiter);
  if (req->url) output["EncodingType"] = "url";
  if (truncated) {
    output["NextKeyMarker"] = encode(next_key);
    if (!next_version.empty()) output["NextVersionIdMarker"] = next_version;
  }
  if (!versions.empty()) output["Versions"] = std::move(versions);
  if (!markers.empty()) output["DeleteMarkers"] = std::move(markers);
  if (!prefixes.empty()) output["CommonPrefixes"] = std::move(prefixes);
  call->Reply(std::move(output));
}

}  // namespace tidepool::s3
