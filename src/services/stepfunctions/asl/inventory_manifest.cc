// ItemReader InputType MANIFEST: reading an S3 Inventory manifest and its gzip data files.
//
//   manifest.json := {"sourceBucket", "destinationBucket": "arn:aws:s3:::<name>",
//                     "fileFormat": "CSV", "fileSchema": "Bucket, Key, Size, ...",
//                     "files": [{"key", "size", "MD5checksum"}...], ...}
#include <fmt/format.h>
#include <zlib.h>

#include <boost/json.hpp>

#include "services/stepfunctions/asl/distributed_map.h"

namespace tidepool::sfn::asl {
namespace json = boost::json;

namespace {

// A data file larger than this once inflated is refused (a bound on memory, not AWS's).
constexpr size_t kMaxInflatedBytes = size_t{512} << 20;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

Result<InventoryManifest> ParseInventoryManifest(std::string_view body) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  const json::object* o = ec ? nullptr : v.if_object();
  if (!o) return Status::InvalidArgument("The manifest is not a JSON object");
  auto str = [&](std::string_view k) -> std::string_view {
    const json::value* f = o->if_contains(k);
    return f && f->is_string() ? std::string_view(f->get_string()) : std::string_view();
  };
  if (std::string_view format = str("fileFormat"); format != "CSV") {
    return Status::InvalidArgument(
        fmt::format("The manifest's fileFormat is '{}': only CSV inventories can be read", format));
  }
  InventoryManifest m;
  std::string_view bucket = str("destinationBucket");
  constexpr std::string_view kArnPrefix = "arn:aws:s3:::";
  if (bucket.starts_with(kArnPrefix)) bucket.remove_prefix(kArnPrefix.size());
  if (bucket.empty()) return Status::InvalidArgument("The manifest has no destinationBucket");
  m.bucket = std::string(bucket);
  std::string_view schema = str("fileSchema");
  while (!schema.empty()) {
    size_t comma = schema.find(',');
    m.columns.emplace_back(Trim(schema.substr(0, comma)));
    if (comma == std::string_view::npos) break;
    schema.remove_prefix(comma + 1);
  }
  if (m.columns.empty()) return Status::InvalidArgument("The manifest has no fileSchema");
  const json::value* files = o->if_contains("files");
  if (!files || !files->is_array()) return Status::InvalidArgument("The manifest has no files");
  for (const auto& f : files->get_array()) {
    const json::value* key = f.is_object() ? f.get_object().if_contains("key") : nullptr;
    if (!key || !key->is_string()) {
      return Status::InvalidArgument("A file of the manifest has no key");
    }
    m.keys.emplace_back(key->get_string());
  }
  return m;
}

Result<std::string> MaybeGunzip(std::string_view data) {
  if (data.size() < 2 || static_cast<unsigned char>(data[0]) != 0x1f ||
      static_cast<unsigned char>(data[1]) != 0x8b) {
    return std::string(data);
  }
  z_stream zs{};
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) {
    return Status::Internal("zlib could not start inflating");
  }
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  std::string out;
  char buffer[64 * 1024];
  int rc = Z_OK;
  while (rc == Z_OK) {
    zs.next_out = reinterpret_cast<Bytef*>(buffer);
    zs.avail_out = sizeof(buffer);
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) break;
    out.append(buffer, sizeof(buffer) - zs.avail_out);
    if (out.size() > kMaxInflatedBytes) rc = Z_MEM_ERROR;
    if (rc == Z_OK && zs.avail_in == 0 && zs.avail_out != 0) {
      rc = Z_DATA_ERROR;  // the data ended inside the gzip member
    }
  }
  inflateEnd(&zs);
  if (rc == Z_MEM_ERROR) return Status::InvalidArgument("The data file inflates beyond 512 MiB");
  if (rc != Z_STREAM_END) return Status::InvalidArgument("The data file is not valid gzip");
  return out;
}

}  // namespace tidepool::sfn::asl
