// A deployment package as a Code input names it (CreateFunction's Code, UpdateFunctionCode,
// PublishLayerVersion's Content): zip bytes, or a local directory used in place
// (LocalStack's convention: S3Bucket "hot-reload", S3Key an absolute path).
#pragma once

#include <boost/json/object.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "services/lambda/function_record.h"

namespace tidepool::lambda {

struct Package {
  std::string zip;       // the zip's bytes, or empty
  std::string code_dir;  // a hot-reload directory, or empty
  std::string sha_hex;
  std::string sha_base64;
  int64_t size = 0;
};

// Reads an S3 object (S3Bucket/S3Key/S3ObjectVersion code); see LambdaOptions::read_s3_object.
using S3ObjectReader = std::function<Result<std::string>(
    std::string_view bucket, std::string_view key, std::string_view version)>;

// The package `code` names; InvalidParameterValue with AWS's texts otherwise. `s3` reads code
// given as S3Bucket/S3Key (refused when unset).
Result<Package> ReadPackage(const boost::json::object& code, const S3ObjectReader& s3 = {});

}  // namespace tidepool::lambda
