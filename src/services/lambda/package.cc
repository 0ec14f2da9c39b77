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

// The message S3 gives with `code`, as Lambda quotes it.
std::string S3ErrorMessage(std::string_view code) {
  if (code == "NoSuchBucket") return "The specified bucket does not exist.";
  if (code == "NoSuchKey") return "The specified key does not exist.";
  if (code == "NoSuchVersion") return "The specified version does not exist.";
  if (code == "InvalidArgument") return "Invalid version id specified";
  if (code == "MethodNotAllowed")
    return "The specified method is not allowed against this resource.";
  return std::string(code);
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
    std::string key = StringMember(code, "S3Key");
    auto bytes = s3(bucket, key, StringMember(code, "S3ObjectVersion"));
    if (!bytes.ok()) {
      const std::string& s3_code = bytes.status().message();
      return InvalidParameter("Error occurred while GetObject. S3 Error Code: " + s3_code +
                              ". S3 Error Message: " + S3ErrorMessage(s3_code));
    }
    return ZipPackage(std::move(*bytes));
  }
  return InvalidParameter("Please provide a source for function code.");
}

}  // namespace tidepool::lambda
