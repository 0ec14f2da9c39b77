// Resource policies (PutResourcePolicy / GetResourcePolicy / DeleteResourcePolicy, on a stream
// or consumer ARN: stored, never evaluated) and account settings (DescribeAccountSettings /
// UpdateAccountSettings: the minimum throughput billing commitment, recorded per account and
// region).
#include <fmt/format.h>
#include <boost/json.hpp>

#include "services/kinesis/input.h"
#include "services/kinesis/keyspace.h"
#include "services/kinesis/kinesis_errors.h"
#include "services/kinesis/kinesis_service.h"

namespace tidepool::kinesis {
namespace json = boost::json;
using protocol::CallPtr;

namespace {

constexpr double kCommitmentSeconds = 365.0 * 24 * 3600;

// Requires stream.mu. The policy slot of the stream or one of its consumers, or nullptr.
std::string* PolicyOf(Stream& stream, const std::string& consumer) {
  if (consumer.empty()) return &stream.policy;
  auto it = stream.consumers.find(consumer);
  return it == stream.consumers.end() ? nullptr : &it->second.policy;
}

}  // namespace

void KinesisService::PutResourcePolicy(CallPtr call) {
  const std::string_view arn = InputStringView(call->input(), "ResourceARN").value_or("");
  auto ref = ResolveResourceArn(*call, arn);
  if (!ref.ok()) return Fail(call, ref.status());
  const std::string_view policy = InputStringView(call->input(), "Policy").value_or("");
  boost::system::error_code ec;
  json::value parsed = json::parse(policy, ec);
  if (ec || !parsed.is_object()) {
    return Fail(call, KinesisStatus(KinesisError::kInvalidArgument,
                                    "Policy is not a valid JSON policy document."));
  }
  std::lock_guard lock(ref->stream->mu);
  std::string* slot = PolicyOf(*ref->stream, ref->consumer);
  if (!slot) {
    return Fail(call, KinesisStatus(KinesisError::kResourceNotFound,
                                    fmt::format("Resource {} not found.", arn)));
  }
  *slot = std::string(policy);
  CommitMeta(*ref->stream, call, {});
}

void KinesisService::GetResourcePolicy(CallPtr call) {
  const std::string_view arn = InputStringView(call->input(), "ResourceARN").value_or("");
  auto ref = ResolveResourceArn(*call, arn);
  if (!ref.ok()) return Fail(call, ref.status());
  std::lock_guard lock(ref->stream->mu);
  const std::string* slot = PolicyOf(*ref->stream, ref->consumer);
  if (!slot) {
    return Fail(call, KinesisStatus(KinesisError::kResourceNotFound,
                                    fmt::format("Resource {} not found.", arn)));
  }
  call->Reply(json::object{{"Policy", slot->empty() ? std::string("{}") : *slot}});
}

void KinesisService::DeleteResourcePolicy(CallPtr call) {
  const std::string_view arn = InputStringView(call->input(), "ResourceARN").value_or("");
  auto ref = ResolveResourceArn(*call, arn);
  if (!ref.ok()) return Fail(call, ref.status());
  std::lock_guard lock(ref->stream->mu);
  std::string* slot = PolicyOf(*ref->stream, ref->consumer);
  if (!slot || slot->empty()) {
    return Fail(call, KinesisStatus(KinesisError::kResourceNotFound,
                                    fmt::format("No resource policy found for resource {}.", arn)));
  }
  slot->clear();
  CommitMeta(*ref->stream, call, {});
}

static json::object CommitmentView(double now, const std::string& status, double started,
                                   double ended, double earliest) {
  json::object o{{"Status", status}};
  std::string effective = status;
  if (status == "DISABLED" && ended > now) effective = "ENABLED_UNTIL_EARLIEST_ALLOWED_END";
  o["Status"] = effective;
  if (started > 0) o["StartedAt"] = started;
  if (ended > 0) o["EndedAt"] = ended;
  if (earliest > 0) o["EarliestAllowedEndAt"] = earliest;
  return o;
}

void KinesisService::DescribeAccountSettings(CallPtr call) {
  const auto& ctx = call->context();
  AccountSettings s;
  {
    std::lock_guard lock(settings_mu_);
    auto it = account_settings_.find(RegistryKey(ctx.account_id, ctx.region, ""));
    if (it != account_settings_.end()) s = it->second;
  }
  call->Reply(json::object{{"MinimumThroughputBillingCommitment",
                            CommitmentView(clock_.NowSeconds(), s.status, s.started_at, s.ended_at,
                                           s.earliest_end_at)}});
}

void KinesisService::UpdateAccountSettings(CallPtr call) {
  const auto& ctx = call->context();
  const json::object* commitment = InputObject(call->input(), "MinimumThroughputBillingCommitment");
  const std::string wanted(commitment ? InputStringView(*commitment, "Status").value_or("DISABLED")
                                      : "DISABLED");
  const double now = clock_.NowSeconds();
  std::lock_guard lock(settings_mu_);
  AccountSettings& s = account_settings_[RegistryKey(ctx.account_id, ctx.region, "")];
  if (wanted == "ENABLED" && s.status != "ENABLED") {
    s = AccountSettings{"ENABLED", now, 0, now + kCommitmentSeconds};
  } else if (wanted == "DISABLED" && s.status == "ENABLED") {
    // A commitment runs at least until its earliest allowed end.
    s.status = "DISABLED";
    s.ended_at = std::max(now, s.earliest_end_at);
  }
  json::object stored{{"account", ctx.account_id}, {"region", ctx.region},
                      {"status", s.status},        {"started_at", s.started_at},
                      {"ended_at", s.ended_at},    {"earliest_end_at", s.earliest_end_at}};
  storage::WriteBatch batch;
  batch.Put(keyspace::AccountSettingsKey(ctx.account_id, ctx.region), json::serialize(stored));
  json::object out{{"MinimumThroughputBillingCommitment",
                    CommitmentView(now, s.status, s.started_at, s.ended_at, s.earliest_end_at)}};
  Submit(std::move(batch), call, [call, out = std::move(out)](const Status& st) mutable {
    if (st.ok()) {
      call->Reply(std::move(out));
    } else {
      Fail(call, st);
    }
  });
}

}  // namespace tidepool::kinesis
