// SqsQueueSink: the engine's QueueSink bound to SqsService::SendInternal.
// QueueDoesNotExist maps to kGone, invalid messages to kRejected, other errors to kRetry.
// Thread-safe; `sqs` must outlive the sink.
#pragma once

#include "engine/sinks.h"
#include "services/sqs/sqs_service.h"

namespace tidepool::engine {

class SqsQueueSink final : public QueueSink {
 public:
  explicit SqsQueueSink(sqs::SqsService& sqs) : sqs_(sqs) {}
  void Send(std::string_view queue_arn, QueueMessage message, SinkDone done) override;

 private:
  sqs::SqsService& sqs_;
};

}  // namespace tidepool::engine
