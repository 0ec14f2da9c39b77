// Helpers shared by the IAM operation files: entity traits, ARNs, paging and tags. Pure;
// thread-safe.
#pragma once

#include <boost/json.hpp>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"
#include "protocol/input.h"
#include "services/iam/iam_service.h"

namespace tidepool::iam {
using namespace tidepool::protocol;  // NOLINT(google-build-using-namespace): the Input* readers

// What differs between roles, users, groups and instance profiles.
struct IamService::EntityTraits {
  std::string_view name_member;   // "RoleName"
  std::string_view id_member;     // "RoleId"
  std::string_view id_prefix;     // "AROA"
  std::string_view arn_type;      // "role" in arn:aws:iam::ACCOUNT:role/path/name
  std::string_view list_member;   // "Roles" (List* replies)
  std::string_view reply_member;  // "Role" (Create*/Get* replies)
  std::string_view missing_fmt;   // NoSuchEntity text, {} = name
  std::string_view exists_fmt;    // EntityAlreadyExists text, {} = name
};

inline std::string StringMember(const boost::json::object& o, std::string_view key) {
  const boost::json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

// The account of an entity or policy document: the fifth field of its Arn.
inline std::string AccountOf(const boost::json::object& doc) {
  const std::string arn = StringMember(doc, "Arn");
  size_t pos = 0;
  for (int i = 0; i < 4 && pos != std::string::npos; ++i) pos = arn.find(':', pos + 1);
  if (pos == std::string::npos) return {};
  const size_t end = arn.find(':', pos + 1);
  return arn.substr(pos + 1, end == std::string::npos ? std::string::npos : end - pos - 1);
}

inline std::string NameOf(const boost::json::object& doc, const IamService::EntityTraits& t) {
  return StringMember(doc, t.name_member);
}

inline std::string PolicyArnOf(const StoredPolicy& policy) {
  return StringMember(policy.doc, "Arn");
}

// The Path member of a request, "/" when absent.
inline std::string PathOf(const boost::json::object& in) {
  return std::string(InputStringView(in, "Path").value_or("/"));
}

// One page of a List* reply: `items` sorted by their key, starting at the input's Marker, at
// most MaxItems (default 100). Fills `member`, IsTruncated and Marker (the next item's key).
inline boost::json::object Page(std::vector<std::pair<std::string, boost::json::value>> items,
                                const boost::json::object& in, std::string_view member) {
  const std::string marker(InputStringView(in, "Marker").value_or(""));
  const int64_t max_items = InputInt(in, "MaxItems").value_or(100);
  boost::json::array page;
  boost::json::object out;
  bool truncated = false;
  for (auto& [key, item] : items) {
    if (!marker.empty() && key < marker) continue;
    if (static_cast<int64_t>(page.size()) >= max_items) {
      truncated = true;
      out["Marker"] = key;
      break;
    }
    page.push_back(std::move(item));
  }
  out[member] = std::move(page);
  out["IsTruncated"] = truncated;
  return out;
}

// Merges the input's Tags into `doc`'s Tags (by key; later wins). LimitExceeded past 50
// ("Cannot exceed quota for <quota_name>: 50").
Status MergeTags(boost::json::object& doc, const boost::json::object& in,
                 std::string_view quota_name);
// Removes the input's TagKeys from `doc`'s Tags.
void RemoveTags(boost::json::object& doc, const boost::json::object& in);
// The Tags of `doc` ([] when none).
boost::json::array TagsOf(const boost::json::object& doc);

// Whether `path` starts with the input's PathPrefix (always, when absent).
inline bool MatchesPathPrefix(const boost::json::object& doc, const boost::json::object& in) {
  const std::string_view prefix = InputStringView(in, "PathPrefix").value_or("/");
  const std::string path = StringMember(doc, "Path");
  return std::string_view(path).substr(0, prefix.size()) == prefix;
}

}  // namespace tidepool::iam
