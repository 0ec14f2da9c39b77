#include "services/lambda/package.h"

#include <filesystem>

#include "core/encoding.h"
#include "functions/zip_archive.h"
#include "services/lambda/lambda_errors.h"

namespace tidepool::lambda {
namespace json = boost::json;

namespace {
constexpr std::string_view kHotReloadBucket = "hot-reload";
}  // namespace

namespace {

Result<Package> ZipPackage(std::string zip) {
  Package p;
  p.zip = std::move(zip);
  if (!functions::LooksLikeZip(p.zip)) {
    return InvalidParameter(
        "Could not unzip uploaded file. Please check your file, then try to upload again.");
  }
  std::string sha = Sha256(p.zip);
  p.sha_hex = HexEncode(sha);
  p.sha_base64 = Base64Encode(sha);
  p.size = static_cast<int64_t>(p.zip.size());
  return p;
}

// AWS's limit on a package read from S3 is its unzipped size, 250 MB; tidepool reads the zip
// into memory and caps it at that.
constexpr uint64_t kMaxS3Package = 262144000;

}  // namespace

Result<Package> ReadPackage(const json::object& code, const S3ObjectReader& s3) {
  Package p;
  std::string bucket = StringMember(code, "S3Bucket");
  if (code.contains("ImageUri")) {
    return InvalidParameter(
        "tidepool runs .zip functions only: container images (ImageUri) are not supported");
  }
  if (const json::value* zip = code.if_contains("ZipFile"); zip && zip->is_string()) {
    return ZipPackage(std::string(zip->get_string()));
  }
  if (bucket == kHotReloadBucket) {
    std::string dir = StringMember(code, "S3Key");
    std::error_code ec;
    if (dir.empty() || dir.front() != '/' || !std::filesystem::is_directory(dir, ec)) {
      return InvalidParameter(
          "S3Key of the hot-reload bucket must be an absolute path to an "
          "existing directory, not '" +
          dir + "'");
    }
    p.code_dir = dir;
    p.sha_base64 = "hot-reloading-hash-not-available";
    return p;
  }
  if (!bucket.empty()) {
    if (!s3) return InvalidParameter("tidepool's S3 is not running: give the code as ZipFile");
    if (code.contains("S3ObjectVersion")) {
      return InvalidParameter(
          "tidepool's S3 keeps no object versions: S3ObjectVersion is not "
          "supported (docs/differences.md)");
    }
    std::string key = StringMember(code, "S3Key");
    auto bytes = s3(bucket, key);
    if (!bytes.ok()) {
      return InvalidParameter(
          "Error occurred while GetObject. S3 Error Code: " + bytes.status().message() +
          ". S3 Error Message: The specified " +
          (bytes.status().message() == "NoSuchBucket" ? "bucket" : "key") + " does not exist.");
    }
    return ZipPackage(std::move(*bytes));
  }
  return InvalidParameter("Please provide a source for function code.");
}

}  // namespace tidepool::lambda
