#include "services/apigateway/custom_domains.h"

#include <boost/json.hpp>

#include <cctype>

#include "services/apigateway/records.h"

namespace tidepool::apigateway {
namespace json = boost::json;
using protocol::CallPtr;

namespace {

// The segments of `path` ("/a/b/" -> a, b), raw.
std::vector<std::string_view> Segments(std::string_view path) {
  std::vector<std::string_view> out;
  while (!path.empty()) {
    size_t slash = path.find('/');
    if (slash != 0) out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

std::string_view WithoutPort(std::string_view host) {
  size_t colon = host.rfind(':');
  return colon == std::string_view::npos ? host : host.substr(0, colon);
}

}  // namespace

std::string CustomDomains::Normalize(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  for (char c : name) out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  while (!out.empty() && out.back() == '.') out.pop_back();
  return out;
}

bool CustomDomains::IsCustomDomain(std::string_view host) const {
  if (records_.empty()) return false;
  bool found = false;
  records_.Visit(Normalize(WithoutPort(host)),
                 [&](const json::object* record) { found = record != nullptr; });
  return found;
}

std::optional<CustomDomains::Target> CustomDomains::Resolve(std::string_view host,
                                                            std::string_view path) const {
  std::optional<Target> target;
  records_.Visit(Normalize(WithoutPort(host)), [&](const json::object* record) {
    const json::value* mappings = record ? record->if_contains("mappings") : nullptr;
    if (mappings != nullptr && mappings->is_array()) {
      target = ResolveMapping(mappings->get_array(), path);
    }
  });
  return target;
}

std::optional<CustomDomains::Target> CustomDomains::ResolveMapping(const json::array& mappings,
                                                                   std::string_view path) {
  const std::vector<std::string_view> segments = Segments(path);
  const json::object* best = nullptr;
  size_t best_depth = 0;
  for (const json::value& m : mappings) {
    const json::object* mapping = m.if_object();
    if (mapping == nullptr) continue;
    std::string key = StringField(*mapping, "key");
    std::vector<std::string_view> key_segments = Segments(key);
    if (key_segments.size() > segments.size()) continue;
    if (best != nullptr && key_segments.size() <= best_depth) continue;
    bool match = true;
    for (size_t i = 0; i < key_segments.size() && match; ++i) {
      match = key_segments[i] == segments[i];
    }
    if (!match) continue;
    best = mapping;
    best_depth = key_segments.size();
  }
  if (best == nullptr) return std::nullopt;
  Target t{StringField(*best, "apiId"), StringField(*best, "stage"), ""};
  size_t skip = best_depth;
  if (t.stage.empty()) {  // the stage is the path's next segment
    if (segments.size() <= skip) return std::nullopt;
    t.stage = std::string(segments[skip++]);
  }
  for (size_t i = skip; i < segments.size(); ++i) {
    t.path += "/";
    t.path += segments[i];
  }
  if (t.path.empty() || path.ends_with('/')) t.path += "/";
  return t;
}

void CustomDomains::Change(CallPtr call, std::string_view name, bool create,
                           std::string_view not_found, const OwnedRecords::Edit& edit) {
  records_.Change(std::move(call), Normalize(name), create, not_found,
                  "The domain name you provided already exists.", edit);
}

void CustomDomains::Read(CallPtr call, std::string_view name, std::string_view not_found,
                         const OwnedRecords::Edit& read) {
  records_.Read(std::move(call), Normalize(name), not_found, read);
}

}  // namespace tidepool::apigateway
