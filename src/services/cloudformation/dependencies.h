// The order in which a stack's resources are created (and, reversed, deleted): each resource
// after every resource it refers to (Ref, Fn::GetAtt, Fn::Sub variables) or names in DependsOn.
//
// Checks what CloudFormation checks before it starts: every reference names a parameter, a
// pseudo parameter or a resource; every Condition named by a resource or output exists; no
// cycle ("Circular dependency between resources: [A, B]"). Pure and thread-safe.
#pragma once

#include <boost/json/value.hpp>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/result.h"
#include "services/cloudformation/template.h"

namespace tidepool::cloudformation {

struct DependencyGraph {
  // Resource -> the resources it needs, among the active ones.
  std::map<std::string, std::set<std::string>> needs;
  // The active resources, each after everything it needs (template order among equals).
  std::vector<std::string> order;
};

// The names `value` refers to through Ref, Fn::GetAtt and Fn::Sub (parameters, pseudo
// parameters and resources alike), added to `names`.
void CollectReferences(const boost::json::value& value, std::set<std::string>* names);

// `active`: whether a resource with condition `c` is created (an Evaluator's Active).
template <typename ActiveFn>
Result<DependencyGraph> ResolveDependencies(const Template& t, ActiveFn active);

// The non-template form of ResolveDependencies, over the active resources' logical ids.
Result<DependencyGraph> ResolveDependenciesOf(const Template& t,
                                              const std::set<std::string>& active);

template <typename ActiveFn>
Result<DependencyGraph> ResolveDependencies(const Template& t, ActiveFn active) {
  std::set<std::string> ids;
  for (const auto& r : t.resources) {
    if (active(r.condition)) ids.insert(r.logical_id);
  }
  return ResolveDependenciesOf(t, ids);
}

}  // namespace tidepool::cloudformation
