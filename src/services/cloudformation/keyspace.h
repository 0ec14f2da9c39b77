// The CloudFormation keyspace in the shared store. Every key starts with the 4 bytes "cfn\0".
//
//   key   := "cfn\0" kind
//   kind  := 's' stack_id:string   -> Stack (json, stack.h): the stack with its templates,
//                                     parameters, resources (each with its durable progress),
//                                     events, outputs and change sets
//
// (string as in storage/key_codec.h.) A stack is rewritten whole at each step of an
// operation (every resource status change is durable before the next step starts); deleted
// stacks stay (DELETE_COMPLETE), describable by their id.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/record_kind.h"

namespace tidepool::cloudformation::keyspace {

std::string StackPrefix();
std::string StackKey(std::string_view stack_id);

// Every kind of record this keyspace stores (storage/record_kind.h). A new kind must join
// this list and the restart test's zoo.
std::vector<storage::RecordKind> RecordKinds();

}  // namespace tidepool::cloudformation::keyspace
