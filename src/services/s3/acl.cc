#include "services/s3/acl.h"

#include "services/s3/s3_errors.h"

namespace tidepool::s3 {
namespace json = boost::json;
namespace {

constexpr std::string_view kAllUsers = "http://acs.amazonaws.com/groups/global/AllUsers";
constexpr std::string_view kAuthenticatedUsers =
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers";

json::object GroupGrant(std::string_view uri, std::string_view permission) {
  return json::object{{"Grantee", json::object{{"URI", uri}, {"Type", "Group"}}},
                      {"Permission", permission}};
}

Status BadGrant(std::string_view header) {
  return S3Status(S3Error::kInvalidArgument, "Invalid grant header value: " + std::string(header));
}

// One x-amz-grant-* value: `type="value"` items separated by commas, appended to `grants`
// with `permission`.
Status ParseGrantList(std::string_view text, std::string_view permission, json::array* grants) {
  const std::string_view whole = text;
  while (!text.empty()) {
    while (!text.empty() && (text.front() == ' ' || text.front() == ',')) text.remove_prefix(1);
    if (text.empty()) break;
    size_t eq = text.find('=');
    if (eq == std::string_view::npos) return BadGrant(whole);
    std::string_view type = text.substr(0, eq);
    while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
    text.remove_prefix(eq + 1);
    while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
    std::string_view value;
    if (!text.empty() && text.front() == '"') {
      size_t close = text.find('"', 1);
      if (close == std::string_view::npos) return BadGrant(whole);
      value = text.substr(1, close - 1);
      text.remove_prefix(close + 1);
    } else {
      size_t comma = text.find(',');
      value = text.substr(0, comma);
      text = comma == std::string_view::npos ? std::string_view() : text.substr(comma);
    }
    if (value.empty()) return BadGrant(whole);
    json::object grantee;
    if (type == "id") {
      grantee = {{"ID", value}, {"Type", "CanonicalUser"}};
    } else if (type == "uri") {
      grantee = {{"URI", value}, {"Type", "Group"}};
    } else if (type == "emailAddress") {
      grantee = {{"EmailAddress", value}, {"Type", "AmazonCustomerByEmail"}};
    } else {
      return BadGrant(whole);
    }
    grants->push_back(json::object{{"Grantee", std::move(grantee)}, {"Permission", permission}});
  }
  return Status::Ok();
}

}  // namespace

json::object Owner(std::string_view account) {
  return json::object{{"ID", account}, {"DisplayName", "webfile"}};
}

json::array OwnerGrants(std::string_view owner) {
  json::object grantee = Owner(owner);
  grantee["Type"] = "CanonicalUser";
  return json::array{json::object{{"Grantee", std::move(grantee)}, {"Permission", "FULL_CONTROL"}}};
}

Result<std::optional<json::array>> RequestedGrants(const json::object& in, std::string_view owner) {
  static constexpr std::pair<std::string_view, std::string_view> kGrantMembers[] = {
      {"GrantFullControl", "FULL_CONTROL"},
      {"GrantRead", "READ"},
      {"GrantReadACP", "READ_ACP"},
      {"GrantWrite", "WRITE"},
      {"GrantWriteACP", "WRITE_ACP"}};
  json::array grants;
  bool any_grant = false;
  for (const auto& [member, permission] : kGrantMembers) {
    const json::value* v = in.if_contains(member);
    if (v == nullptr || !v->is_string()) continue;
    any_grant = true;
    if (Status s = ParseGrantList(v->get_string(), permission, &grants); !s.ok()) return s;
  }
  const json::value* canned = in.if_contains("ACL");
  if (canned == nullptr || !canned->is_string()) {
    if (!any_grant) return std::optional<json::array>();
    return std::optional<json::array>(std::move(grants));
  }
  if (any_grant) {
    return S3Status(S3Error::kInvalidRequest,
                    "Specifying both Canned ACLs and Header Grants is not allowed");
  }
  const std::string_view name = canned->get_string();
  grants = OwnerGrants(owner);
  if (name == "public-read" || name == "public-read-write") {
    grants.push_back(GroupGrant(kAllUsers, "READ"));
    if (name == "public-read-write") grants.push_back(GroupGrant(kAllUsers, "WRITE"));
  } else if (name == "authenticated-read") {
    grants.push_back(GroupGrant(kAuthenticatedUsers, "READ"));
  } else if (name != "private" && name != "bucket-owner-read" &&
             name != "bucket-owner-full-control" && name != "aws-exec-read") {
    // The bucket-owner ACLs add nothing here: the bucket's owner owns every object.
    return S3Status(S3Error::kInvalidArgument, "Invalid canned ACL: " + std::string(name));
  }
  return std::optional<json::array>(std::move(grants));
}

Status ApplyRequestedAcl(const json::object& in, std::string_view owner, ObjectRecord* record) {
  auto grants = RequestedGrants(in, owner);
  if (!grants.ok()) return grants.status();
  record->grants = grants->has_value() ? std::move(**grants) : json::array();
  for (std::string_view member :
       {"ACL", "GrantFullControl", "GrantRead", "GrantReadACP", "GrantWrite", "GrantWriteACP"}) {
    record->headers.erase(member);
  }
  return Status::Ok();
}

}  // namespace tidepool::s3
