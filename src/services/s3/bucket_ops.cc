// Buckets: create, delete, head, list, location, versioning, ACLs, and the stored subresource
// documents (CORS, tagging, policy, encryption, ownership controls, public access block).
#include <boost/json.hpp>

#include <array>
#include <cctype>

#include "protocol/input.h"
#include "services/s3/acl.h"
#include "services/s3/cors.h"
#include "services/s3/keyspace.h"
#include "services/s3/lifecycle.h"
#include "services/s3/s3_errors.h"
#include "services/s3/s3_service.h"
#include "services/write_path.h"
#include "storage/key_codec.h"

namespace tidepool::s3 {
namespace json = boost::json;
using protocol::CallPtr;
using protocol::InputString;
using protocol::InputStringView;

namespace {

// S3's bucket naming rules (general purpose buckets).
bool ValidBucketName(std::string_view name) {
  if (name.size() < 3 || name.size() > 63) return false;
  for (char c : name) {
    if (!(std::islower(static_cast<unsigned char>(c)) ||
          std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == '-')) {
      return false;
    }
  }
  auto alnum = [](char c) {
    return std::islower(static_cast<unsigned char>(c)) ||
           std::isdigit(static_cast<unsigned char>(c));
  };
  if (!alnum(name.front()) || !alnum(name.back())) return false;
  if (name.find("..") != std::string_view::npos || name.find(".-") != std::string_view::npos ||
      name.find("-.") != std::string_view::npos) {
    return false;
  }
  int dots = 0;
  bool digits_only = true;
  for (char c : name) {
    if (c == '.') {
      ++dots;
    } else if (!std::isdigit(static_cast<unsigned char>(c))) {
      digits_only = false;
    }
  }
  return !(dots == 3 && digits_only);  // not an IP address
}

// A stored subresource: its Put/Get/Delete operations, where the document travels, and the
// error a Get of a missing one answers.
struct BucketConfig {
  std::string_view name;  // key in BucketRecord::configs
  std::string_view put;   // operation names
  std::string_view get;
  std::string_view del;
  std::string_view put_member;    // the Put input member holding the document
  std::string_view get_member;    // the Get output member; "" = the document's members
  std::string_view missing_code;  // "" = a missing document reads as empty
  std::string_view missing_message;
};

constexpr std::array<BucketConfig, 7> kConfigs{{
    {"cors", "PutBucketCors", "GetBucketCors", "DeleteBucketCors", "CORSConfiguration", "",
     "NoSuchCORSConfiguration", "The CORS configuration does not exist"},
    {"lifecycle", "PutBucketLifecycleConfiguration", "GetBucketLifecycleConfiguration",
     "DeleteBucketLifecycle", "LifecycleConfiguration", "", "NoSuchLifecycleConfiguration",
     "The lifecycle configuration does not exist"},
    {"tagging", "PutBucketTagging", "GetBucketTagging", "DeleteBucketTagging", "Tagging", "",
     "NoSuchTagSet", "The TagSet does not exist"},
    {"policy", "PutBucketPolicy", "GetBucketPolicy", "DeleteBucketPolicy", "Policy", "Policy",
     "NoSuchBucketPolicy", "The bucket policy does not exist"},
    {"encryption", "PutBucketEncryption", "GetBucketEncryption", "DeleteBucketEncryption",
     "ServerSideEncryptionConfiguration", "ServerSideEncryptionConfiguration",
     "ServerSideEncryptionConfigurationNotFoundError",
     "The server side encryption configuration was not found"},
    {"ownership", "PutBucketOwnershipControls", "GetBucketOwnershipControls",
     "DeleteBucketOwnershipControls", "OwnershipControls", "OwnershipControls",
     "OwnershipControlsNotFoundError", "The bucket ownership controls were not found"},
    {"public_access_block", "PutPublicAccessBlock", "GetPublicAccessBlock",
     "DeletePublicAccessBlock", "PublicAccessBlockConfiguration", "PublicAccessBlockConfiguration",
     "NoSuchPublicAccessBlockConfiguration", "The public access block configuration was not found"},
}};

const BucketConfig* ConfigFor(std::string_view operation) {
  for (const BucketConfig& c : kConfigs) {
    if (c.put == operation || c.get == operation || c.del == operation) return &c;
  }
  return nullptr;
}

}  // namespace

void S3Service::CreateBucket(CallPtr call) {
  const json::object& in = call->input();
  const std::string name(InputStringView(in, "Bucket").value_or(""));
  if (!ValidBucketName(name)) {
    return Fail(call, S3Status(S3Error::kInvalidBucketName, "The specified bucket is not valid."));
  }
  const std::string& request_region = call->context().region;
  std::string region = request_region;
  std::string constraint;
  if (const json::object* config = protocol::InputObject(in, "CreateBucketConfiguration")) {
    constraint = std::string(InputStringView(*config, "LocationConstraint").value_or(""));
  }
  if (request_region == "us-east-1") {
    if (constraint == "us-east-1") {
      return Fail(call, S3Status(S3Error::kInvalidLocationConstraint,
                                 "The specified location-constraint is not valid"));
    }
    if (!constraint.empty()) region = constraint;
  } else if (constraint != request_region) {
    return Fail(call,
                S3Status(S3Error::kIllegalLocationConstraint,
                         "The " + (constraint.empty() ? std::string("unspecified") : constraint) +
                             " location constraint is incompatible for the region specific "
                             "endpoint this request was sent to."));
  }
  json::object output{{"Location", "/" + name}};
  std::unique_lock lock(registry_mu_);
  if (auto it = buckets_.find(name); it != buckets_.end()) {
    if (it->second->record.account != call->context().account_id) {
      return Fail(call, S3Status(S3Error::kBucketAlreadyExists,
                                 "The requested bucket name is not available. The bucket "
                                 "namespace is shared by all users of the system. Please select "
                                 "a different name and try again."));
    }
    if (request_region == "us-east-1") {  // as AWS: re-creating your own bucket there is OK
      lock.unlock();
      return call->Reply(std::move(output));
    }
    return Fail(call, S3Status(S3Error::kBucketAlreadyOwnedByYou,
                               "Your previous request to create the named bucket succeeded and "
                               "you already own it."));
  }
  auto bucket = std::make_shared<Bucket>();
  BucketRecord& record = bucket->record;
  record.name = name;
  record.uid = next_uid_.fetch_add(1);
  record.account = call->context().account_id;
  record.region = region;
  record.created = static_cast<double>(clock_.NowMillis()) / 1000.0;
  if (const json::value* acl = in.if_contains("ACL")) record.configs["acl"] = *acl;
  if (const json::value* ownership = in.if_contains("ObjectOwnership")) {
    record.configs["ownership"] =
        json::object{{"Rules", json::array{json::object{{"ObjectOwnership", *ownership}}}}};
  }
  storage::WriteBatch batch;
  batch.Put(keyspace::BucketKey(name), EncodeBucket(record));
  buckets_[name] = bucket;
  lock.unlock();
  services::SubmitForCall(commits_, std::move(batch), call,
                          services::ReplyWhenCommitted(call, std::move(output), &ToAwsError, "s3"),
                          &ToAwsError);
}

void S3Service::DeleteBucket(CallPtr call) {
  auto bucket = InputBucket(*call);
  if (!bucket.ok()) return Fail(call, bucket.status());
  const uint64_t uid = (*bucket)->record.uid;
  bool empty = true;
  for (const std::string& prefix :
       {keyspace::ObjectPrefix(uid), keyspace::BucketVersionsPrefix(uid),
        keyspace::UploadPrefix(uid)}) {
    Status s =
        store_.Scan(prefix, storage::PrefixEnd(prefix), [&](std::string_view, std::string_view) {
          empty = false;
          return false;
        });
    if (!s.ok()) return Fail(call, s);
  }
  if (!empty) {
    return Fail(call,
                S3Status(S3Error::kBucketNotEmpty, "The bucket you tried to delete is not empty"));
  }
  std::string name = (*bucket)->record.name;
  {
    std::unique_lock lock(registry_mu_);
    buckets_.erase(name);
  }
  storage::WriteBatch batch;
  batch.Delete(keyspace::BucketKey(name));
  services::SubmitForCall(commits_, std::move(batch), call,
                          services::ReplyWhenCommitted(call, {}, &ToAwsError, "s3"), &ToAwsError);
}

void S3Service::HeadBucket(CallPtr call) {
  auto bucket = InputBucket(*call);
  if (!bucket.ok()) return Fail(call, bucket.status());
  std::lock_guard lock((*bucket)->mu);
  call->Reply(
      json::object{{"BucketRegion", (*bucket)->record.region}, {"AccessPointAlias", false}});
}

void S3Service::ListBuckets(CallPtr call) {
  const json::object& in = call->input();
  const std::string_view prefix = InputStringView(in, "Prefix").value_or("");
  const std::string_view after = InputStringView(in, "ContinuationToken").value_or("");
  const int64_t max =
      std::clamp<int64_t>(protocol::InputInt(in, "MaxBuckets").value_or(10000), 1, 10000);
  json::array list;
  std::string last;
  bool truncated = false;
  {
    std::shared_lock lock(registry_mu_);
    for (const auto& [name, bucket] : buckets_) {
      if (bucket->record.account != call->context().account_id) continue;
      if (!name.starts_with(prefix) || (!after.empty() && name <= after)) continue;
      if (static_cast<int64_t>(list.size()) == max) {
        truncated = true;
        break;
      }
      list.push_back(json::object{{"Name", name},
                                  {"CreationDate", bucket->record.created},
                                  {"BucketRegion", bucket->record.region}});
      last = name;
    }
  }
  json::object output{{"Buckets", std::move(list)}, {"Owner", Owner(call->context().account_id)}};
  if (!prefix.empty()) output["Prefix"] = prefix;
  if (truncated) output["ContinuationToken"] = last;
  call->Reply(std::move(output));
}

void S3Service::GetBucketLocation(CallPtr call) {
  auto bucket = InputBucket(*call);
  if (!bucket.ok()) return Fail(call, bucket.status());
  std::lock_guard lock((*bucket)->mu);
  const std::string& region = (*bucket)->record.region;
  call->Reply(json::object{{"LocationConstraint", region == "us-east-1" ? "" : region}});
}

void S3Service::GetBucketVersioning(CallPtr call) {
  auto bucket = InputBucket(*call);
  if (!bucket.ok()) return Fail(call, bucket.status());
  std::lock_guard lock((*bucket)->mu);
  json::object output;
  if (!(*bucket)->record.versioning.empty()) output["Status"] = (*bucket)->record.versioning;
  call->Reply(std::move(output));
}

void S3Service::PutBucketVersioning(CallPtr call) {
  auto bucket = InputBucket(*call);
  if (!bucket.ok()) return Fail(call, bucket.status());
  const json::object* config = protocol::InputObject(call->input(), "VersioningConfiguration");
  if (config == nullptr) {
    return Fail(call, S3Status(S3Error::kMalformedXml,
                               "The XML you provided was not well-formed or did not validate "
                               "against our published schema"));
  }
  std::string status(InputStringView(*config, "Status").value_or(""));
  if (status != "Enabled" && status != "Suspended") return Fail(call, MalformedXml());
  if (config->contains("MFADelete") || call->input().contains("MFA")) {
    return Fail(call, NotImplemented("MFA delete"));
  }
  BucketRecord record;
  {
    std::lock_guard lock((*bucket)->mu);
    record = (*bucket)->record;
  }
  // Objects written before versioning was first set keep the null version id.
  record.versioning = status;
  CommitBucket(*bucket, std::move(record), call, {});
}

void S3Service::GetBucketAcl(CallPtr call) {
  auto bucket = InputBucket(*call);
  if (!bucket.ok()) return Fail(call, bucket.status());
  std::lock_guard lock((*bucket)->mu);
  const std::string& account = (*bucket)->record.account;
  json::object output{{"Owner", Owner(account)}};
  const json::value* stored = (*bucket)->record.configs.if_contains("acl_policy");
  if (stored != nullptr && stored->is_object()) {
    if (const json::value* grants = stored->get_object().if_contains("Grants")) {
      output["Grants"] = *grants;
    }
  } else {
    output["Grants"] = json::array{json::object{
        {"Grantee",
         json::object{{"ID", account}, {"DisplayName", "webfile"}, {"Type", "CanonicalUser"}}},
        {"Permission", "FULL_CONTROL"}}};
  }
  call->Reply(std::move(output));
}

void S3Service::PutBucketAcl(CallPtr call) {
  auto bucket = InputBucket(*call);
  if (!bucket.ok()) return Fail(call, bucket.status());
  BucketRecord record;
  {
    std::lock_guard lock((*bucket)->mu);
    record = (*bucket)->record;
  }
  const json::object& in = call->input();
  if (const json::value* acl = in.if_contains("ACL")) record.configs["acl"] = *acl;
  if (const json::value* policy = in.if_contains("AccessControlPolicy")) {
    record.configs["acl_policy"] = *policy;
  }
  CommitBucket(*bucket, std::move(record), call, {});
}

void S3Service::PutBucketConfig(CallPtr call) {
  const BucketConfig* config = ConfigFor(call->operation().name);
  auto bucket = InputBucket(*call);
  if (!bucket.ok()) return Fail(call, bucket.status());
  const json::value* document = call->input().if_contains(config->put_member);
  if (document == nullptr) return Fail(call, MalformedXml());
  const json::object& fields = document->is_object() ? document->get_object() : json::object();
  if (config->name == "cors") {
    if (Status s = ValidateCorsConfiguration(fields); !s.ok()) return Fail(call, s);
  } else if (config->name == "lifecycle") {
    if (Status s = ValidateLifecycleConfiguration(fields); !s.ok()) return Fail(call, s);
  }
  BucketRecord record;
  {
    std::lock_guard lock((*bucket)->mu);
    record = (*bucket)->record;
  }
  record.configs[config->name] = *document;
  CommitBucket(*bucket, std::move(record), call, {});
}

void S3Service::GetBucketConfig(CallPtr call) {
  const BucketConfig* config = ConfigFor(call->operation().name);
  auto bucket = InputBucket(*call);
  if (!bucket.ok()) return Fail(call, bucket.status());
  std::lock_guard lock((*bucket)->mu);
  const json::value* document = (*bucket)->record.configs.if_contains(config->name);
  if (document == nullptr) {
    return Fail(call, ConfigMissing(config->missing_code, config->missing_message));
  }
  if (!config->get_member.empty()) {
    return call->Reply(json::object{{config->get_member, *document}});
  }
  call->Reply(document->is_object() ? document->get_object() : json::object());
}

void S3Service::DeleteBucketConfig(CallPtr call) {
  const BucketConfig* config = ConfigFor(call->operation().name);
  auto bucket = InputBucket(*call);
  if (!bucket.ok()) return Fail(call, bucket.status());
  BucketRecord record;
  {
    std::lock_guard lock((*bucket)->mu);
    record = (*bucket)->record;
  }
  record.configs.erase(config->name);
  CommitBucket(*bucket, std::move(record), call, {});
}

}  // namespace tidepool::s3
