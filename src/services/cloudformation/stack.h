// A stack as tidepool stores it: what DescribeStacks shows, the templates it was deployed
// from, its resources with the durable progress of the operation running on them, its events
// and its change sets. One JSON record per stack (keyspace.h); EncodeStack/DecodeStack are the
// record's codec.
//
// Plain data; not thread-safe (the service's directory guards the stored copies).
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "services/cloudformation/parameters.h"

namespace tidepool::cloudformation {

// One resource of a stack: its template facts and the state its provider returned.
struct StackResource {
  std::string logical_id;
  std::string type;
  std::string physical_id;
  std::string status;  // CREATE_COMPLETE, UPDATE_IN_PROGRESS, DELETE_FAILED, ...
  std::string reason;
  std::string deletion_policy = "Delete";
  boost::json::object properties;  // as last applied (evaluated)
  boost::json::object attributes;  // Fn::GetAtt values
  double updated = 0;              // epoch seconds
  // During an in-place update: the properties being applied (deployer.h, Resume).
  boost::json::object pending;
};

struct StackEvent {
  std::string event_id;
  std::string logical_id;
  std::string physical_id;
  std::string type;
  std::string status;
  std::string reason;
  std::string properties;  // ResourceProperties (JSON text), empty for stack events
  std::string request_token;
  double timestamp = 0;
};

// A template as deployed: the text given, the document after transforms, the parameters.
struct DeployedTemplate {
  std::string body;              // TemplateBody as given (GetTemplate Original)
  boost::json::value processed;  // after transforms (GetTemplate Processed); an object
  ParameterValues parameters;
};

struct ChangeSet {
  std::string id;  // arn:aws:cloudformation:REGION:ACCOUNT:changeSet/NAME/UUID
  std::string name;
  std::string type;              // CREATE | UPDATE
  std::string status;            // CREATE_PENDING, CREATE_COMPLETE, FAILED, ...
  std::string execution_status;  // UNAVAILABLE, AVAILABLE, EXECUTE_*, OBSOLETE
  std::string status_reason;
  std::string description;
  double created = 0;
  DeployedTemplate target;
  boost::json::array changes;  // the Changes member of DescribeChangeSet
  boost::json::array tags;
  std::vector<std::string> capabilities;
  bool has_template = true;  // false when the change set reuses the stack's (UsePreviousTemplate)
};

struct Stack {
  std::string id;  // arn:aws:cloudformation:REGION:ACCOUNT:stack/NAME/UUID
  std::string name;
  std::string account;
  std::string region;
  std::string status;  // StackStatus
  std::string reason;  // StackStatusReason
  std::string description;
  double created = 0, updated = 0, deleted = 0;  // epoch seconds; 0: never
  DeployedTemplate current;                      // the template being (or last) deployed
  // During an update and its rollback: the template the stack had before it.
  DeployedTemplate previous;
  bool has_previous = false;
  std::string on_failure = "ROLLBACK";  // ROLLBACK | DELETE | DO_NOTHING (DisableRollback)
  bool termination_protection = false;
  std::vector<std::string> capabilities;
  std::vector<std::string> notification_arns;
  std::string role_arn;
  int64_t timeout_minutes = 0;
  boost::json::array tags;               // [{Key, Value}]
  boost::json::array outputs;            // [{OutputKey, OutputValue, Description, ExportName}]
  std::set<std::string> imports;         // export names this stack's template imports
  std::vector<StackResource> resources;  // in creation order
  // Resources replaced by an update (or, in its rollback, the replacements), deleted in the
  // cleanup phase; their deletion_policy is the template's UpdateReplacePolicy (Retain or
  // Delete; a rollback's replacements are always deleted).
  std::vector<StackResource> superseded;
  std::vector<StackEvent> events;  // oldest first
  std::vector<ChangeSet> change_sets;
  std::string request_token;  // ClientRequestToken of the operation in progress

  StackResource* FindResource(std::string_view logical_id);
  const StackResource* FindResource(std::string_view logical_id) const;
  ChangeSet* FindChangeSet(std::string_view name_or_id);
  bool InProgress() const;
  // An update's rollback starts here: `previous` becomes the template, and each replaced
  // resource is the old one again (its replacement goes to `superseded`, for cleanup).
  void RevertToPrevious();
  bool Deleted() const { return status == "DELETE_COMPLETE"; }
};

std::string EncodeStack(const Stack& s);
Result<Stack> DecodeStack(std::string_view text);

// DescribeStacks' Stack member.
boost::json::object RenderStack(const Stack& s);
// A StackEvent member of DescribeStackEvents.
boost::json::object RenderEvent(const Stack& s, const StackEvent& e);
// The Parameters member ([{ParameterKey, ParameterValue}], NoEcho values as "****").
boost::json::array RenderParameters(const ParameterValues& p);

}  // namespace tidepool::cloudformation
