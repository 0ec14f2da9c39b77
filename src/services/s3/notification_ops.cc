// Event notifications: the bucket's configuration, and the events of a change: written to the
// outbox in the change's own commit, handed to the sink once it is durable, and forgotten
// when the sink is done with them (so a crash in between delivers them after the restart:
// at least once).
#include <boost/json.hpp>

#include "protocol/input.h"
#include "services/s3/keyspace.h"
#include "services/s3/notifications.h"
#include "services/s3/s3_errors.h"
#include "services/s3/s3_service.h"

namespace tidepool::s3 {
namespace json = boost::json;
using protocol::CallPtr;

void S3Service::PutBucketNotificationConfiguration(CallPtr call) {
  auto bucket = InputBucket(*call);
  if (!bucket.ok()) return Fail(call, bucket.status());
  const json::object* config = protocol::InputObject(call->input(), "NotificationConfiguration");
  auto stored = ValidateNotificationConfiguration(config ? *config : json::object());
  if (!stored.ok()) return Fail(call, stored.status());
  BucketRecord record;
  {
    std::lock_guard lock((*bucket)->mu);
    record = (*bucket)->record;
  }
  const std::vector<std::string> test_targets = TestEventTargets(*stored);
  record.configs["notification"] = std::move(*stored);
  const std::string name = record.name;
  // Replies once durable, then sends the test event to each queue and topic.
  auto inner =
      std::make_shared<protocol::Call>(call->context(), call->operation(), json::object(),
                                       [this, call, name, test_targets](protocol::Outcome outcome) {
                                         call->Complete(std::move(outcome));
                                         if (notifications_ == nullptr || !call->completed())
                                           return;
                                         const std::string doc = TestEventDocument(
                                             name, call->context().request_id, clock_.NowMillis());
                                         for (const std::string& arn : test_targets)
                                           notifications_->Deliver(arn, doc);
                                       });
  CommitBucket(*bucket, std::move(record), inner, {});
}

void S3Service::GetBucketNotificationConfiguration(CallPtr call) {
  auto bucket = InputBucket(*call);
  if (!bucket.ok()) return Fail(call, bucket.status());
  std::lock_guard lock((*bucket)->mu);
  const json::value* config = (*bucket)->record.configs.if_contains("notification");
  call->Reply(config && config->is_object() ? config->get_object() : json::object());
}

std::vector<OutboxEntry> S3Service::StageEvent(const Bucket& bucket, std::string_view event,
                                               std::string_view key, const ObjectRecord& record,
                                               const protocol::RequestContext& context,
                                               storage::WriteBatch* batch) {
  std::vector<OutboxEntry> entries;
  if (notifications_ == nullptr) return entries;
  const json::value* config = bucket.record.configs.if_contains("notification");
  if (config == nullptr || !config->is_object()) return entries;
  std::vector<NotificationTarget> targets = MatchingTargets(config->get_object(), event, key);
  if (targets.empty()) return entries;
  ObjectEvent e;
  e.bucket = bucket.record.name;
  e.region = bucket.record.region;
  e.owner = bucket.record.account;
  e.event = std::string(event);
  e.key = std::string(key);
  e.size = record.size;
  e.etag = record.etag;
  e.version_id = record.version_id;
  e.principal = context.access_key_id.empty() ? context.account_id : context.access_key_id;
  e.request_id = context.request_id;
  e.time_ms = clock_.NowMillis();
  e.sequencer = next_seq_.fetch_add(1);
  for (const NotificationTarget& t : targets) {
    OutboxEntry entry{keyspace::OutboxKey(next_seq_.fetch_add(1)), t.arn,
                      EventDocument(e, t.configuration_id)};
    batch->Put(entry.store_key, EncodeOutbox(entry.arn, entry.message));
    entries.push_back(std::move(entry));
  }
  return entries;
}

void S3Service::Deliver(std::vector<OutboxEntry> entries) {
  if (notifications_ == nullptr) return;
  for (OutboxEntry& entry : entries) {
    notifications_->Deliver(entry.arn, std::move(entry.message),
                            [this, store_key = std::move(entry.store_key)](bool settled) {
                              if (!settled) return;
                              storage::WriteBatch batch;
                              batch.Delete(store_key);
                              // A failed delete only means a second delivery after a restart.
                              (void)commits_.Submit(std::move(batch), [](const Status&) {});
                            });
  }
}

void S3Service::SetNotificationSink(NotificationSink* sink) {
  notifications_ = sink;
  Deliver(std::move(recovered_outbox_));
  recovered_outbox_.clear();
}

}  // namespace tidepool::s3
