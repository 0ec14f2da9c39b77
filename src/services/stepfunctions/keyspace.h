// The Step Functions keyspace in the shared store. Every key starts with "sfn\0".
//
//   key   := "sfn\0" kind
//   kind  := 'm' uid:u64be                -> StateMachine (json: arn, name, type, definition,
//                                            roleArn, description, created, updated,
//                                            revision, logging, tracing, tags)
//                                            versions add parent, version; machines
//                                            next_version (the next version's number)
//          | 'l' uid:u64be                -> Alias (json: arn, name, machine_arn, description,
//                                            routing [[version arn, weight]], created, updated)
//          | 'a' uid:u64be                -> Activity (json: arn, name, created, tags)
//          | 'e' uid:u64be                -> ExecutionStart (json: arn, name, machine_arn,
//                                            machine_name, role, definition, input, start);
//                                            written once, with the execution's first events
//          | 's' uid:u64be                -> ExecutionState (json: asl::Execution::Snapshot),
//                                            rewritten in the batch of every transition
//          | 'h' uid:u64be event_id:u64be -> HistoryEvent (json, as GetExecutionHistory
//                                            returns it)
//          | 'r' uid:u64be                -> MapRun (json: arn, execution_arn, frame, epoch,
//                                            request, status, start, stop, max_concurrency,
//                                            tolerated_*, inputs (once read), results_written);
//                                            its children are executions whose start record
//                                            names it (map_run, map_run_index, item_count)
//
// Uids come from one counter shared by machines, activities and executions; Recover() starts
// it above the largest uid found. A deleted state machine's key is deleted; its executions'
// keys stay (they remain describable, as on AWS).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/record_kind.h"

namespace tidepool::sfn::keyspace {

std::string Prefix(char kind);  // "sfn\0" kind
std::string Key(char kind, uint64_t uid);
std::string EventKey(uint64_t execution_uid, uint64_t event_id);
std::string EventsBegin(uint64_t execution_uid);
std::string EventsEnd(uint64_t execution_uid);
// The uid of a Key(kind, uid); nullopt for a key of another shape.
std::optional<uint64_t> ParseUid(std::string_view key);

// Every kind of record this keyspace stores, one per `kind` of the grammar above (see
// storage/record_kind.h). A new kind must join this list and the restart test's zoo.
std::vector<storage::RecordKind> RecordKinds();

}  // namespace tidepool::sfn::keyspace
