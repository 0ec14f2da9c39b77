// Providers of the AWS::StepFunctions types (state machines, activities, versions, aliases),
// calling this process's Step Functions service.
#pragma once

#include <boost/json/object.hpp>

#include <string>
#include <string_view>

#include "services/cloudformation/providers/serverless_common.h"

namespace tidepool::cloudformation::serverless {

extern const SpecProvider kStepFunctionsStateMachine;
extern const SpecProvider kStepFunctionsActivity;
extern const SpecProvider kStepFunctionsStateMachineVersion;
extern const SpecProvider kStepFunctionsStateMachineAlias;

// DefinitionSubstitutions: each "${Name}" in `definition` whose Name is a member of
// `substitutions` becomes its value (strings as they are, numbers and booleans written out);
// other "${...}" stay as they are.
std::string SubstituteDefinition(std::string_view definition,
                                 const boost::json::object& substitutions);

}  // namespace tidepool::cloudformation::serverless
