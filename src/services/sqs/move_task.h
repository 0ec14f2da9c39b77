// MoveTask: one message move task (StartMessageMoveTask), and its stored form (JSON at the
// 't' key, see keyspace.h):
//   {"id", "handle", "source", "destination", "rate", "moved", "to_move", "status",
//    "failure", "started", "max_seq"}
// Thread-safety: guarded by SqsService's tasks mutex. Pure codec functions.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace tidepool::sqs {

struct MoveTask {
  std::string id;      // uuid, the store key
  std::string handle;  // TaskHandle as AWS shapes it: base64 of {"taskId","sourceArn"}
  std::string source_arn;
  std::string destination_arn;  // empty: each message goes back to its source queue
  int32_t rate = 0;             // MaxNumberOfMessagesPerSecond; 0 when not set
  int64_t moved = 0;
  int64_t to_move = 0;
  std::string status;  // RUNNING | COMPLETED | CANCELLING | CANCELLED | FAILED
  std::string failure;
  int64_t started_millis = 0;
  uint64_t max_seq = 0;  // messages of the source with seq <= max_seq are moved
};

std::string EncodeMoveTask(const MoveTask& t);
std::unique_ptr<MoveTask> DecodeMoveTask(std::string_view value);

}  // namespace tidepool::sqs
