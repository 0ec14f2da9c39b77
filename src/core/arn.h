// Amazon Resource Names: arn:<partition>:<service>:<region>:<account>:<resource>.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tidepool {

struct Arn {
  std::string partition = "aws";
  std::string service;
  std::string region;
  std::string account;
  std::string resource;  // everything after the fifth colon, e.g. "stream/orders"

  std::string ToString() const;
  // nullopt unless `text` has the six colon-separated parts and starts with "arn:".
  static std::optional<Arn> Parse(std::string_view text);
};

}  // namespace tidepool
