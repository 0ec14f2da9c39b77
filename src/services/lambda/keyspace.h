// The Lambda keyspace in the shared store. Every key starts with the 7 bytes "lambda\0".
//
//   key   := "lambda\0" kind
//   kind  := 'f' function_arn:string               -> FunctionRecord (json, function_record.h):
//                                                      $LATEST's configuration, code and tags
//          | 'v' function_arn:string version:u64be -> FunctionRecord of a published version
//          | 'a' function_arn:string alias:string  -> AliasConfiguration (json, as AWS returns it)
//          | 'y' layer_arn:string version:u64be    -> LayerVersion (json, layer_ops.cc): a layer
//                                                     version's description and package SHA
//          | 'z' code_sha256_hex:string            -> the .zip deployment package's bytes
//          | 'q' seq:u64be                         -> AsyncInvocation (json, async_queue.h): an
//                                                     accepted Event invocation not yet done
//          | 'm' uuid:string                       -> MappingRecord (json, event_source_mapping.h)
//          | 'p' uuid:string position:string       -> a mapping's position in its source (the
//                                                     engine's checkpoint of one shard; opaque
//                                                     text the engine writes)
//          | 'c' capacity_provider_arn:string       -> a capacity provider (json,
//                                                     capacity_provider_ops.cc)
//          | 'l' uuid:string shard:string first:string -> a ledger run: records of `shard` from
//                                                     sequence number `first` that reached one
//                                                     outcome other than delivery ("<outcome>
//                                                     <last sequence number> <count>")
//          | 'd' execution_arn (raw bytes)        -> DurableExecution (json,
//                                                     durable/execution.h): a durable
//                                                     execution, its operations and history
//
// (string as in storage/key_codec.h.) A function's record and a new package are written in
// one batch. Packages are shared by content; a package no function names is left in place
// (docs/differences.md).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/record_kind.h"

namespace tidepool::lambda::keyspace {

std::string FunctionPrefix();
std::string FunctionKey(std::string_view function_arn);
std::string CodeKey(std::string_view sha256_hex);
// Every version / alias of every function.
std::string AllVersionsPrefix();
std::string AllAliasesPrefix();
// Every version / alias of `function_arn`: [prefix, PrefixEnd of it).
std::string VersionPrefix(std::string_view function_arn);
std::string VersionKey(std::string_view function_arn, int64_t version);
std::string AliasPrefix(std::string_view function_arn);
std::string AliasKey(std::string_view function_arn, std::string_view alias);
// (function ARN, version) of a version key / (function ARN, alias) of an alias key.
std::optional<std::pair<std::string, int64_t>> ParseVersionKey(std::string_view key);
std::optional<std::pair<std::string, std::string>> ParseAliasKey(std::string_view key);
// Every layer version: [LayerPrefix(), PrefixEnd of it).
std::string LayerPrefix();
std::string LayerKey(std::string_view layer_arn, int64_t version);
std::optional<std::pair<std::string, int64_t>> ParseLayerKey(std::string_view key);
std::string AsyncPrefix();
std::string AsyncKey(uint64_t seq);
std::optional<uint64_t> ParseAsyncKey(std::string_view key);
// The key family (storage::KeyFamily) of an async queue key (the whole queue, which grows
// with seq); 0 for every other key.
size_t FamilyLength(std::string_view key);
std::string MappingPrefix();
std::string MappingKey(std::string_view uuid);
std::optional<std::string> ParseMappingKey(std::string_view key);
// Every position of mapping `uuid`: [CheckpointPrefix(uuid), PrefixEnd of it).
std::string CheckpointPrefix(std::string_view uuid);
std::string CheckpointKey(std::string_view uuid, std::string_view position);
// The position name of a checkpoint key of `uuid`; nullopt for another key.
std::optional<std::string> ParseCheckpointKey(std::string_view uuid, std::string_view key);
std::string LedgerPrefix(std::string_view uuid);
std::string LedgerKey(std::string_view uuid, std::string_view shard, std::string_view first);
// shard and first of a ledger key of `uuid`; nullopt for another key.
std::optional<std::pair<std::string, std::string>> ParseLedgerKey(std::string_view uuid,
                                                                  std::string_view key);
// Every durable execution: the prefix, followed by the execution's ARN.
std::string DurableExecutionPrefix();
std::string CapacityProviderPrefix();
std::string CapacityProviderKey(std::string_view arn);
// The capacity provider ARN of a capacity provider key; nullopt for a key of another form.
std::optional<std::string> ParseCapacityProviderKey(std::string_view key);
// The function ARN of a function key; nullopt for a key of another form.
std::optional<std::string> ParseFunctionKey(std::string_view key);

// Every kind of record this keyspace stores, one per `kind` of the grammar above (see
// storage/record_kind.h). A new kind must join this list and the restart test's zoo.
std::vector<storage::RecordKind> RecordKinds();

}  // namespace tidepool::lambda::keyspace
