// The AWS managed policies tidepool knows: the ones tools attach to execution roles
// (arn:aws:iam::aws:policy/...). GetPolicy, GetPolicyVersion, ListPolicies (Scope AWS or
// All) and Attach*Policy see them; they are never stored and cannot be changed. Their
// documents are abridged versions of AWS's (stored, never evaluated, like every policy).
#pragma once

#include <span>
#include <string_view>

namespace tidepool::iam {

struct AwsManagedPolicy {
  std::string_view name;
  std::string_view path;  // "/" or "/service-role/"
  std::string_view policy_id;
  std::string_view version_id;
  std::string_view description;
  std::string_view document;
};

std::span<const AwsManagedPolicy> AwsManagedPolicies();

}  // namespace tidepool::iam
