// The IAM keyspace in the shared store (IAM and STS). Every key starts with the 4 bytes
// "iam\0".
//
//   key   := "iam\0" kind
//   kind  := 'r' account:string name:string   -> StoredEntity (json, entity_codec.h): a role,
//                                                its inline policies and attached policy ARNs
//          | 'u' account:string name:string   -> StoredEntity: a user
//          | 'g' account:string name:string   -> StoredEntity: a group (and its member users)
//          | 'i' account:string name:string   -> StoredEntity: an instance profile (its roles)
//          | 'p' account:string name:string   -> StoredPolicy (json): a customer managed policy
//                                                with its versions
//          | 'k' access_key_id:string         -> StoredAccessKey (json): a user's access key
//          | 's' access_key_id:string         -> StoredAccessKey (json): temporary credentials
//                                                issued by STS, with their expiry
//
// `name` is the entity's name lower-cased: IAM names are unique without regard to case, and
// the stored document keeps the name as it was given. (string as in storage/key_codec.h.)
// AWS managed policies are not stored (aws_managed_policies.h); attachments name them by ARN.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/record_kind.h"

namespace tidepool::iam::keyspace {

enum class EntityKind : char {
  kRole = 'r',
  kUser = 'u',
  kGroup = 'g',
  kInstanceProfile = 'i',
  kPolicy = 'p',
};

std::string EntityPrefix(EntityKind kind);
// `name` is lower-cased here.
std::string EntityKey(EntityKind kind, std::string_view account, std::string_view name);
std::string AccessKeyPrefix();
std::string AccessKeyKey(std::string_view access_key_id);
std::string SessionPrefix();
std::string SessionKey(std::string_view access_key_id);

// (account, lower-cased name) of an entity key of `kind`; nullopt for a key of another form.
std::optional<std::pair<std::string, std::string>> ParseEntityKey(EntityKind kind,
                                                                  std::string_view key);

// Every kind of record this keyspace stores, one per `kind` of the grammar above (see
// storage/record_kind.h). A new kind must join this list and the restart test's zoo.
std::vector<storage::RecordKind> RecordKinds();

std::string Lower(std::string_view name);

}  // namespace tidepool::iam::keyspace
