#include "services/s3/records.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "storage/key_codec.h"

namespace tidepool::s3 {
namespace {

namespace json = boost::json;

Result<json::object> ParseObject(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return Status::Corruption("record is not a JSON object");
  return std::move(v.get_object());
}

std::string Str(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
}

uint64_t U64(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) return 0;
  if (v->is_uint64()) return v->get_uint64();
  if (v->is_int64() && v->get_int64() >= 0) return static_cast<uint64_t>(v->get_int64());
  return 0;
}

double Num(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_number() ? v->to_number<double>() : 0.0;
}

json::object Obj(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_object() ? v->get_object() : json::object();
}

json::array Arr(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_array() ? v->get_array() : json::array();
}

}  // namespace

std::string EncodeBucket(const BucketRecord& r) {
  return json::serialize(json::object{{"name", r.name},
                                      {"uid", r.uid},
                                      {"account", r.account},
                                      {"region", r.region},
                                      {"created", r.created},
                                      {"versioning", r.versioning},
                                      {"configs", r.configs}});
}

Result<BucketRecord> DecodeBucket(std::string_view value) {
  auto o = ParseObject(value);
  if (!o.ok()) return o.status();
  BucketRecord r;
  r.name = Str(*o, "name");
  r.uid = U64(*o, "uid");
  r.account = Str(*o, "account");
  r.region = Str(*o, "region");
  r.created = Num(*o, "created");
  r.versioning = Str(*o, "versioning");
  r.configs = Obj(*o, "configs");
  if (r.name.empty() || r.uid == 0) return Status::Corruption("bucket record without name or uid");
  return r;
}

std::string EncodeObject(const ObjectRecord& r) {
  json::object o{{"size", r.size},
                 {"etag", r.etag},
                 {"mtime", r.mtime},
                 {"headers", r.headers},
                 {"alg", r.checksum_algorithm},
                 {"checksum", r.checksum},
                 {"file", r.file},
                 {"tags", r.tags},
                 {"parts", r.parts},
                 {"vid", r.version_id},
                 {"dm", r.delete_marker},
                 {"seq", r.seq},
                 {"ns", r.noncurrent_since}};
  if (!r.part_sizes.empty()) {
    json::array sizes;
    for (uint64_t size : r.part_sizes) sizes.push_back(size);
    o["psz"] = std::move(sizes);
  }
  if (!r.grants.empty()) o["grants"] = r.grants;
  if (r.restore_ready != 0) {
    o["rready"] = r.restore_ready;
    o["rexpiry"] = r.restore_expiry;
  }
  std::string meta = json::serialize(o);
  std::string out;
  out.reserve(4 + meta.size() + r.body.size());
  storage::AppendU32BE(&out, static_cast<uint32_t>(meta.size()));
  out += meta;
  out += r.body;
  return out;
}

Result<ObjectRecord> DecodeObject(std::string_view value) {
  uint32_t n = 0;
  if (!storage::ReadU32BE(&value, &n) || n > value.size()) {
    return Status::Corruption("object record too short");
  }
  auto o = ParseObject(value.substr(0, n));
  if (!o.ok()) return o.status();
  ObjectRecord r;
  r.size = U64(*o, "size");
  r.etag = Str(*o, "etag");
  r.mtime = Num(*o, "mtime");
  r.headers = Obj(*o, "headers");
  r.checksum_algorithm = Str(*o, "alg");
  r.checksum = Str(*o, "checksum");
  r.file = U64(*o, "file");
  r.tags = Arr(*o, "tags");
  r.parts = static_cast<uint32_t>(U64(*o, "parts"));
  r.version_id = Str(*o, "vid");
  const json::value* dm = o->if_contains("dm");
  r.delete_marker = dm != nullptr && dm->is_bool() && dm->get_bool();
  r.seq = U64(*o, "seq");
  r.noncurrent_since = Num(*o, "ns");
  for (const json::value& size : Arr(*o, "psz")) {
    if (!size.is_uint64() && !size.is_int64()) {
      return Status::Corruption("object record with a bad part size");
    }
    r.part_sizes.push_back(size.is_uint64() ? size.get_uint64()
                                            : static_cast<uint64_t>(size.get_int64()));
  }
  r.grants = Arr(*o, "grants");
  r.restore_ready = Num(*o, "rready");
  r.restore_expiry = Num(*o, "rexpiry");
  r.body = std::string(value.substr(n));
  if (r.file == 0 && r.body.size() != r.size) {
    return Status::Corruption("object record's body does not match its size");
  }
  return r;
}

std::string EncodeOutbox(std::string_view arn, std::string_view message) {
  return json::serialize(json::object{{"arn", arn}, {"message", message}});
}

Result<std::pair<std::string, std::string>> DecodeOutbox(std::string_view value) {
  auto o = ParseObject(value);
  if (!o.ok()) return o.status();
  std::pair<std::string, std::string> out{Str(*o, "arn"), Str(*o, "message")};
  if (out.first.empty() || out.second.empty())
    return Status::Corruption("outbox record incomplete");
  return out;
}

std::string EncodeUpload(const UploadRecord& r) {
  return json::serialize(json::object{{"key", r.key},
                                      {"upload_id", r.upload_id},
                                      {"initiated", r.initiated},
                                      {"headers", r.headers},
                                      {"alg", r.checksum_algorithm},
                                      {"tags", r.tags}});
}

Result<UploadRecord> DecodeUpload(std::string_view value) {
  auto o = ParseObject(value);
  if (!o.ok()) return o.status();
  UploadRecord r;
  r.key = Str(*o, "key");
  r.upload_id = Str(*o, "upload_id");
  r.initiated = Num(*o, "initiated");
  r.headers = Obj(*o, "headers");
  r.checksum_algorithm = Str(*o, "alg");
  r.tags = Arr(*o, "tags");
  if (r.key.empty() || r.upload_id.empty()) return Status::Corruption("upload record incomplete");
  return r;
}

std::string EncodePart(const PartRecord& r) {
  return json::serialize(json::object{{"part", r.part},
                                      {"size", r.size},
                                      {"etag", r.etag},
                                      {"mtime", r.mtime},
                                      {"file", r.file},
                                      {"checksum", r.checksum}});
}

Result<PartRecord> DecodePart(std::string_view value) {
  auto o = ParseObject(value);
  if (!o.ok()) return o.status();
  PartRecord r;
  r.part = static_cast<uint32_t>(U64(*o, "part"));
  r.size = U64(*o, "size");
  r.etag = Str(*o, "etag");
  r.mtime = Num(*o, "mtime");
  r.file = U64(*o, "file");
  r.checksum = Str(*o, "checksum");
  if (r.part == 0 || r.file == 0) return Status::Corruption("part record incomplete");
  return r;
}

}  // namespace tidepool::s3
