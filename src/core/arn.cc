#include "core/arn.h"

namespace tidepool {

std::string Arn::ToString() const {
  return "arn:" + partition + ":" + service + ":" + region + ":" + account + ":" + resource;
}

std::optional<Arn> Arn::Parse(std::string_view text) {
  if (!text.starts_with("arn:")) return std::nullopt;
  std::string_view rest = text.substr(4);
  std::string_view parts[4];
  for (auto& p : parts) {
    auto colon = rest.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    p = rest.substr(0, colon);
    rest = rest.substr(colon + 1);
  }
  if (parts[0].empty() || parts[1].empty() || rest.empty()) return std::nullopt;
  return Arn{std::string(parts[0]), std::string(parts[1]), std::string(parts[2]),
             std::string(parts[3]), std::string(rest)};
}

}  // namespace tidepool
