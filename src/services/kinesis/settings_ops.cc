// Stream settings: retention period, server-side encryption, enhanced monitoring, maximum
// record size, warm throughput. Each is recorded in the stream's metadata and shown by
// DescribeStream / DescribeStreamSummary; encryption also marks the records written while it
// is on (GetRecords reports EncryptionType KMS for them). No KMS key is used or checked.
#include <fmt/format.h>
#include <boost/json.hpp>

#include "services/kinesis/input.h"
#include "services/kinesis/kinesis_errors.h"
#include "services/kinesis/kinesis_service.h"

namespace tidepool::kinesis {
namespace json = boost::json;
using protocol::CallPtr;

namespace {

constexpr int64_t kMinRetentionHours = 24;
constexpr int64_t kMaxRetentionHours = 8760;
constexpr std::array<std::string_view, 7> kAllMetrics = {"IncomingBytes",
                                                         "IncomingRecords",
                                                         "OutgoingBytes",
                                                         "OutgoingRecords",
                                                         "WriteProvisionedThroughputExceeded",
                                                         "ReadProvisionedThroughputExceeded",
                                                         "IteratorAgeMilliseconds"};

Status NotActive(const Stream& stream) {
  return KinesisStatus(KinesisError::kResourceInUse,
                       fmt::format("Stream {} under account {} not ACTIVE, instead in state {}",
                                   stream.name, stream.account, stream.status));
}

Status CheckRetentionBounds(int64_t hours) {
  if (hours < kMinRetentionHours) {
    return KinesisStatus(KinesisError::kInvalidArgument,
                         fmt::format("Minimum allowed retention period is {} hours. Requested "
                                     "retention period ({} hours) is too short.",
                                     kMinRetentionHours, hours));
  }
  if (hours > kMaxRetentionHours) {
    return KinesisStatus(KinesisError::kInvalidArgument,
                         fmt::format("Maximum allowed retention period is {} hours. Requested "
                                     "retention period ({} hours) is too long.",
                                     kMaxRetentionHours, hours));
  }
  return Status::Ok();
}

json::array MetricsList(const std::set<std::string>& metrics) {
  json::array out;
  for (const auto& m : metrics) out.emplace_back(m);
  return out;
}

}  // namespace

void KinesisService::IncreaseStreamRetentionPeriod(CallPtr call) {
  auto resolved = ResolveStream(*call);
  if (!resolved.ok()) return Fail(call, resolved.status());
  auto& stream = *resolved;
  const int64_t hours = InputInt(call->input(), "RetentionPeriodHours").value_or(0);
  if (Status st = CheckRetentionBounds(hours); !st.ok()) return Fail(call, st);
  std::lock_guard lock(stream->mu);
  if (stream->status != "ACTIVE") return Fail(call, NotActive(*stream));
  if (hours < stream->retention_hours) {
    return Fail(call, KinesisStatus(KinesisError::kInvalidArgument,
                                    fmt::format("Requested retention period ({} hours) for "
                                                "stream {} can not be shorter than existing "
                                                "retention period ({} hours). Use "
                                                "DecreaseRetentionPeriod API.",
                                                hours, stream->name, stream->retention_hours)));
  }
  stream->retention_hours = static_cast<int32_t>(hours);
  CommitMeta(*stream, call, {});
}

void KinesisService::DecreaseStreamRetentionPeriod(CallPtr call) {
  auto resolved = ResolveStream(*call);
  if (!resolved.ok()) return Fail(call, resolved.status());
  auto& stream = *resolved;
  const int64_t hours = InputInt(call->input(), "RetentionPeriodHours").value_or(0);
  if (Status st = CheckRetentionBounds(hours); !st.ok()) return Fail(call, st);
  std::lock_guard lock(stream->mu);
  if (stream->status != "ACTIVE") return Fail(call, NotActive(*stream));
  if (hours > stream->retention_hours) {
    return Fail(call, KinesisStatus(KinesisError::kInvalidArgument,
                                    fmt::format("Requested retention period ({} hours) for "
                                                "stream {} can not be longer than existing "
                                                "retention period ({} hours). Use "
                                                "IncreaseRetentionPeriod API.",
                                                hours, stream->name, stream->retention_hours)));
  }
  stream->retention_hours = static_cast<int32_t>(hours);
  CommitMeta(*stream, call, {});
}

void KinesisService::StartStreamEncryption(CallPtr call) {
  auto resolved = ResolveStream(*call);
  if (!resolved.ok()) return Fail(call, resolved.status());
  auto& stream = *resolved;
  const auto& in = call->input();
  const auto type = InputStringView(in, "EncryptionType").value_or("");
  if (type != "KMS") {
    return Fail(call, KinesisStatus(KinesisError::kInvalidArgument,
                                    fmt::format("Invalid EncryptionType {}. StartStreamEncryption "
                                                "requires EncryptionType KMS.",
                                                type)));
  }
  std::lock_guard lock(stream->mu);
  if (stream->status != "ACTIVE") return Fail(call, NotActive(*stream));
  stream->encryption = "KMS";
  stream->key_id = std::string(InputStringView(in, "KeyId").value_or(""));
  if (options_.transition_delay.count() > 0) {
    stream->status = "UPDATING";
    ++stream->transition;
    ScheduleTransition(stream);
  }
  CommitMeta(*stream, call, {});
}

void KinesisService::StopStreamEncryption(CallPtr call) {
  auto resolved = ResolveStream(*call);
  if (!resolved.ok()) return Fail(call, resolved.status());
  auto& stream = *resolved;
  const auto type = InputStringView(call->input(), "EncryptionType").value_or("");
  if (type != "KMS") {
    return Fail(call, KinesisStatus(KinesisError::kInvalidArgument,
                                    fmt::format("Invalid EncryptionType {}. StopStreamEncryption "
                                                "requires EncryptionType KMS.",
                                                type)));
  }
  std::lock_guard lock(stream->mu);
  if (stream->status != "ACTIVE") return Fail(call, NotActive(*stream));
  stream->encryption = "NONE";
  stream->key_id.clear();
  if (options_.transition_delay.count() > 0) {
    stream->status = "UPDATING";
    ++stream->transition;
    ScheduleTransition(stream);
  }
  CommitMeta(*stream, call, {});
}

static void ChangeMonitoring(Stream& stream, const json::array* metrics, bool enable) {
  if (!metrics) return;
  for (const auto& m : *metrics) {
    if (!m.is_string()) continue;
    const std::string_view name = m.get_string();
    if (name == "ALL") {
      for (auto all : kAllMetrics) {
        if (enable) {
          stream.metrics.emplace(all);
        } else {
          stream.metrics.erase(std::string(all));
        }
      }
    } else if (enable) {
      stream.metrics.emplace(name);
    } else {
      stream.metrics.erase(std::string(name));
    }
  }
}

void KinesisService::EnableEnhancedMonitoring(CallPtr call) {
  auto resolved = ResolveStream(*call);
  if (!resolved.ok()) return Fail(call, resolved.status());
  auto& stream = *resolved;
  std::lock_guard lock(stream->mu);
  if (stream->status != "ACTIVE") return Fail(call, NotActive(*stream));
  json::object out{{"StreamName", stream->name},
                   {"StreamARN", stream->arn},
                   {"CurrentShardLevelMetrics", MetricsList(stream->metrics)}};
  ChangeMonitoring(*stream, InputArray(call->input(), "ShardLevelMetrics"), true);
  out["DesiredShardLevelMetrics"] = MetricsList(stream->metrics);
  CommitMeta(*stream, call, std::move(out));
}

void KinesisService::DisableEnhancedMonitoring(CallPtr call) {
  auto resolved = ResolveStream(*call);
  if (!resolved.ok()) return Fail(call, resolved.status());
  auto& stream = *resolved;
  std::lock_guard lock(stream->mu);
  if (stream->status != "ACTIVE") return Fail(call, NotActive(*stream));
  json::object out{{"StreamName", stream->name},
                   {"StreamARN", stream->arn},
                   {"CurrentShardLevelMetrics", MetricsList(stream->metrics)}};
  ChangeMonitoring(*stream, InputArray(call->input(), "ShardLevelMetrics"), false);
  out["DesiredShardLevelMetrics"] = MetricsList(stream->metrics);
  CommitMeta(*stream, call, std::move(out));
}

void KinesisService::UpdateMaxRecordSize(CallPtr call) {
  auto resolved = ResolveStream(*call);
  if (!resolved.ok()) return Fail(call, resolved.status());
  auto& stream = *resolved;
  const int64_t kib = InputInt(call->input(), "MaxRecordSizeInKiB").value_or(1024);
  std::lock_guard lock(stream->mu);
  if (stream->status != "ACTIVE") return Fail(call, NotActive(*stream));
  stream->max_record_size_kib = static_cast<int32_t>(kib);
  CommitMeta(*stream, call, {});
}

void KinesisService::UpdateStreamWarmThroughput(CallPtr call) {
  auto resolved = ResolveStream(*call);
  if (!resolved.ok()) return Fail(call, resolved.status());
  auto& stream = *resolved;
  const int64_t mibps = InputInt(call->input(), "WarmThroughputMiBps").value_or(0);
  std::lock_guard lock(stream->mu);
  if (stream->status != "ACTIVE") return Fail(call, NotActive(*stream));
  if (stream->mode != "ON_DEMAND") {
    return Fail(call, KinesisStatus(KinesisError::kInvalidArgument,
                                    fmt::format("Warm throughput can only be set on an ON_DEMAND "
                                                "stream; stream {} under account {} is "
                                                "PROVISIONED.",
                                                stream->name, stream->account)));
  }
  stream->warm_throughput_mibps = static_cast<int32_t>(mibps);
  json::object out{
      {"StreamARN", stream->arn},
      {"StreamName", stream->name},
      {"WarmThroughput", json::object{{"TargetMiBps", mibps}, {"CurrentMiBps", mibps}}}};
  CommitMeta(*stream, call, std::move(out));
}

}  // namespace tidepool::kinesis
