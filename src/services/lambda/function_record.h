// A Lambda function as tidepool keeps it: $LATEST's configuration (exactly the
// FunctionConfiguration document AWS returns), where its code is, and its tags. One JSON value
// per function in the store (keyspace.h):
//
//   {"config": FunctionConfiguration, "code": {"sha": hex SHA-256 of the zip, or "",
//    "dir": the hot-reload directory, or ""}, "tags": {k: v},
//    "concurrency": reserved concurrent executions (absent: none),
//    "last_version": the highest version number published (absent: 0),
//    "policy": {qualifier: [policy statement]}, "invoke_configs": {qualifier:
//    FunctionEventInvokeConfig}, "urls": {qualifier: FunctionUrlConfig},
//    "provisioned": {qualifier: requested provisioned concurrency},
//    "scaling": {version: FunctionScalingConfig as requested (Lambda Managed Instances)},
//    "runtime_management": {qualifier: {"UpdateRuntimeOn", "RuntimeVersionArn"}} (absent: Auto),
//    "recursion": "Allow" (the function's RecursiveLoop; absent: Terminate, AWS's default),
//    "from": (a published version) $LATEST's RevisionId when it was published}
//
// A published version is a FunctionRecord too (its own key): the configuration and code as they
// were when it was published, never changed after. "$LATEST" is the qualifier of the
// unqualified function in the per-qualifier maps.
#pragma once

#include <boost/json/object.hpp>

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/result.h"

namespace tidepool::lambda {

struct FunctionRecord {
  boost::json::object config;
  std::string code_sha;  // the zip's SHA-256, hex; empty for a hot-reload directory
  std::string code_dir;  // hot-reload directory; empty for a zip
  boost::json::object tags;
  std::optional<int64_t> reserved_concurrency;
  int64_t last_version = 0;
  // A published version: the RevisionId $LATEST had when it was published (PublishVersion
  // answers this version again while $LATEST's revision is unchanged).
  std::string published_from;
  boost::json::object policy;              // qualifier -> array of statements
  boost::json::object invoke_configs;      // qualifier -> FunctionEventInvokeConfig
  boost::json::object urls;                // qualifier -> FunctionUrlConfig
  boost::json::object provisioned;         // qualifier -> requested count
  boost::json::object scaling;             // version -> FunctionScalingConfig
  boost::json::object runtime_management;  // qualifier -> PutRuntimeManagementConfig's settings
  bool recursion_allowed = false;          // RecursiveLoop Allow (false: Terminate)

  std::string Encode() const;
  static Result<FunctionRecord> Decode(std::string_view text);
};

// AWS's LastModified for now: "2024-05-01T12:34:56.789+0000".
std::string LastModified(const Clock& clock);

// The string member `key` of `o`, or "" when absent or not a string.
std::string StringMember(const boost::json::object& o, std::string_view key);

// Member `limit` ("MinExecutionEnvironments", "MaxExecutionEnvironments") of the scaling config
// `latest` (a function's $LATEST record) holds for `version`; -1 when there is none.
int ScalingLimit(const FunctionRecord& latest, std::string_view version, std::string_view limit);

// The provisioned concurrency `latest` (a function's $LATEST record) requests for `qualifier`;
// 0 for none.
int RequestedProvisioned(const FunctionRecord& latest, std::string_view qualifier);

// A function in memory. `mu` guards everything below it.
struct Function {
  std::mutex mu;
  FunctionRecord record;                               // $LATEST and the function's settings
  std::map<int64_t, FunctionRecord> versions;          // published versions, immutable
  std::map<std::string, boost::json::object> aliases;  // AliasConfiguration by name
  bool deleted = false;
};

}  // namespace tidepool::lambda
