#include "engine/sqs_queue_sink.h"

#include <algorithm>

#include "engine/sns_delivery.h"
#include "services/sqs/sqs_errors.h"

namespace tidepool::engine {

namespace {

sqs::InternalMessage ToInternal(QueueMessage message) {
  sqs::InternalMessage m;
  m.body = std::move(message.body);
  for (auto& a : message.attributes) {
    sqs::MessageAttribute attr;
    attr.name = std::move(a.name);
    attr.data_type = std::move(a.data_type);
    attr.transport = a.binary ? 2 : 1;
    attr.value = std::move(a.value);
    m.attributes.push_back(std::move(attr));
  }
  std::sort(m.attributes.begin(), m.attributes.end(),
            [](const auto& x, const auto& y) { return x.name < y.name; });
  m.group_id = std::move(message.group_id);
  m.dedup_id = std::move(message.dedup_id);
  m.trace_header = std::move(message.trace_header);
  m.sender_id = std::move(message.sender_id);
  return m;
}

}  // namespace

sns::StagedDelivery SqsInlineDelivery::Stage(const sns::Delivery& d, storage::WriteBatch* batch) {
  return sqs_.StageInternal(d.endpoint, ToInternal(QueueMessageFor(d, d.endpoint)), batch);
}

void SqsQueueSink::Send(std::string_view queue_arn, QueueMessage message, SinkDone done) {
  sqs::InternalMessage m = ToInternal(std::move(message));
  sqs_.SendInternal(queue_arn, std::move(m), [done = std::move(done)](Result<std::string> r) {
    if (r.ok()) return done({SinkOutcome::kAccepted, {}});
    const Status& st = r.status();
    if (st.code() == StatusCode::kServiceError) {
      const auto e = static_cast<sqs::SqsError>(st.detail());
      if (e == sqs::SqsError::kQueueDoesNotExist) return done({SinkOutcome::kGone, st.message()});
      if (e == sqs::SqsError::kInvalidParameterValue ||
          e == sqs::SqsError::kInvalidMessageContents || e == sqs::SqsError::kMissingParameter) {
        return done({SinkOutcome::kRejected, st.message()});
      }
    }
    done({SinkOutcome::kRetry, st.ToString()});
  });
}

}  // namespace tidepool::engine
