#pragma once

#include <string>

namespace tidepool::lambda {

struct LambdaOptions {
  // Where zip packages are extracted, one folder per package SHA-256 (created if needed).
  std::string code_dir;
  // Base URL of this tidepool for links (GetFunction's Code.Location).
  std::string public_endpoint = "http://localhost:4566";
};

}  // namespace tidepool::lambda
