#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace tidepool::lambda {

struct LambdaOptions {
  // Where zip packages are extracted, one folder per package SHA-256 (created if needed).
  std::string code_dir;
  // Base URL of this tidepool for links (GetFunction's Code.Location).
  std::string public_endpoint = "http://localhost:4566";
  // Reads an S3 object's bytes (code given as S3Bucket/S3Key, and S3ObjectVersion: "" for the
  // current version); unset: such code is refused. The error's message is S3's error code
  // ("NoSuchKey", "NoSuchVersion"...).
  std::function<Result<std::string>(std::string_view bucket, std::string_view key,
                                    std::string_view version)>
      read_s3_object;
  // Durable executions (durable/durable_engine.h): --time-scale, and an io timer that runs a
  // task after a delay (unset: durable executions never resume after a wait).
  double time_scale = 1.0;
  std::function<void(std::chrono::milliseconds, std::function<void()>)> schedule;
};

}  // namespace tidepool::lambda
