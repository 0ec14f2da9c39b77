// SqsQueueSink: the engine's QueueSink bound to SqsService::SendInternal.
// QueueDoesNotExist maps to kGone, invalid messages to kRejected, other errors to kRetry.
// SqsInlineDelivery: SNS deliveries to queues of this process written inside the publish's
// batch (SqsService::StageInternal). Both are thread-safe; `sqs` must outlive them.
#pragma once

#include "engine/sinks.h"
#include "services/sns/delivery.h"
#include "services/sns/sns_service.h"
#include "services/sqs/sqs_service.h"

namespace tidepool::engine {

class SqsInlineDelivery final : public sns::InlineQueueDelivery {
 public:
  explicit SqsInlineDelivery(sqs::SqsService& sqs) : sqs_(sqs) {}
  sns::StagedDelivery Stage(const sns::Delivery& d, storage::WriteBatch* batch) override;

 private:
  sqs::SqsService& sqs_;
};

class SqsQueueSink final : public QueueSink {
 public:
  explicit SqsQueueSink(sqs::SqsService& sqs) : sqs_(sqs) {}
  void Send(std::string_view queue_arn, QueueMessage message, SinkDone done) override;

 private:
  sqs::SqsService& sqs_;
};

}  // namespace tidepool::engine
