// Event notifications: the bucket's configuration, and the events sent once a change is
// durable (after its commit, so a crash between the commit and the send loses the event:
// docs/differences.md).
#include <boost/json.hpp>

#include "protocol/input.h"
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

void S3Service::Notify(const std::shared_ptr<Bucket>& bucket, std::string_view event,
                       std::string_view key, uint64_t size, std::string_view etag,
                       const protocol::RequestContext& context) {
  if (notifications_ == nullptr) return;
  ObjectEvent e;
  std::vector<NotificationTarget> targets;
  {
    std::lock_guard lock(bucket->mu);
    const json::value* config = bucket->record.configs.if_contains("notification");
    if (config == nullptr || !config->is_object()) return;
    targets = MatchingTargets(config->get_object(), event, key);
    if (targets.empty()) return;
    e.bucket = bucket->record.name;
    e.region = bucket->record.region;
    e.owner = bucket->record.account;
  }
  e.event = std::string(event);
  e.key = std::string(key);
  e.size = size;
  e.etag = std::string(etag);
  e.principal = context.access_key_id.empty() ? context.account_id : context.access_key_id;
  e.request_id = context.request_id;
  e.time_ms = clock_.NowMillis();
  e.sequencer = sequencer_.fetch_add(1);
  for (const NotificationTarget& t : targets) {
    notifications_->Deliver(t.arn, EventDocument(e, t.configuration_id));
  }
}

}  // namespace tidepool::s3
