// The records of the IAM keyspace (keyspace.h) and their JSON encoding.
//
// An entity (role, user, group, instance profile) is the model's output shape of it (Role,
// User, Group, InstanceProfile: names, ids, ARN, dates, tags; policy documents kept as given,
// not URL-encoded) plus what IAM keeps beside it:
//   {"doc": {...}, "inline": {"<policy name>": "<document>", ...},
//    "attached": ["<policy arn>", ...], "members": ["<name>", ...]}
// `members` are a group's users or an instance profile's roles (by name as given).
//
// A customer managed policy: {"doc": {Policy shape without AttachmentCount}, "versions":
//   [{"id": "v1", "document": "...", "created": <epoch seconds>}, ...], "next": 2}
//
// An access key (a user's, or STS temporary credentials):
//   {"id", "secret", "account", "user": user name (users' keys), "status": "Active"|"Inactive",
//    "created": seconds, "token": session token, "expires": seconds, "arn", "user_id"}
// Pure; thread-safe.
#pragma once

#include <boost/json/object.hpp>

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "services/iam/keyspace.h"

namespace tidepool::iam {

using keyspace::EntityKind;

struct StoredEntity {
  boost::json::object doc;
  std::map<std::string, std::string> inline_policies;  // name -> document
  std::vector<std::string> attached;                   // policy ARNs, in attach order
  std::vector<std::string> members;
};

struct PolicyVersion {
  std::string id;  // "v1"
  std::string document;
  double created = 0;
};

struct StoredPolicy {
  boost::json::object doc;
  std::vector<PolicyVersion> versions;  // in creation order
  int64_t next_version = 1;
  bool aws_managed = false;  // a built-in AWS managed policy (never stored)

  const PolicyVersion* Version(std::string_view id) const;
  const PolicyVersion* DefaultVersion() const;
};

struct StoredAccessKey {
  std::string id;
  std::string secret;
  std::string account;
  std::string user_name;  // a user's key; empty for STS credentials
  std::string status = "Active";
  double created = 0;
  // STS credentials only.
  std::string session_token;
  double expires = 0;
  std::string arn;      // the identity's ARN (GetCallerIdentity)
  std::string user_id;  // the identity's UserId (GetCallerIdentity)

  bool temporary() const { return !session_token.empty(); }
};

std::string EncodeEntity(const StoredEntity& entity);
Result<StoredEntity> DecodeEntity(std::string_view value);
std::string EncodePolicy(const StoredPolicy& policy);
Result<StoredPolicy> DecodePolicy(std::string_view value);
std::string EncodeAccessKey(const StoredAccessKey& key);
Result<StoredAccessKey> DecodeAccessKey(std::string_view value);

}  // namespace tidepool::iam
