#include "services/logs/logs_service.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/json.hpp>

#include <algorithm>
#include <array>
#include <climits>
#include <optional>

#include "protocol/input.h"
#include "protocol/model/models.h"
#include "services/logs/keyspace.h"
#include "services/logs/logs_errors.h"
#include "services/write_path.h"
#include "storage/key_codec.h"
#include "storage/skipped_records.h"

namespace tidepool::logs {
namespace json = boost::json;
using protocol::CallPtr;

// The registration table: operation name -> handler, sorted by name. Operations of the model
// that are not listed answer UnsupportedOperationException (docs/differences.md lists them).
struct LogsServiceTable {
  struct Entry {
    std::string_view operation;
    LogsService::Handler handler;
  };
  using S = LogsService;
  static constexpr std::array<Entry, 21> kEntries{{
      {"CreateLogGroup", &S::CreateLogGroup},
      {"CreateLogStream", &S::CreateLogStream},
      {"DeleteLogGroup", &S::DeleteLogGroup},
      {"DeleteLogStream", &S::DeleteLogStream},
      {"DeleteRetentionPolicy", &S::DeleteRetentionPolicy},
      {"DescribeLogGroups", &S::DescribeLogGroups},
      {"DescribeLogStreams", &S::DescribeLogStreams},
      {"FilterLogEvents", &S::FilterLogEvents},
      {"GetLogEvents", &S::GetLogEvents},
      {"ListLogGroups", &S::ListLogGroups},
      {"ListTagsForResource", &S::ListTagsForResource},
      {"ListTagsLogGroup", &S::ListTagsLogGroup},
      {"PutLogEvents", &S::PutLogEvents},
      {"PutRetentionPolicy", &S::PutRetentionPolicy},
      {"StartLiveTail", &S::Unsupported},
      {"StartQuery", &S::Unsupported},
      {"TagLogGroup", &S::TagLogGroup},
      {"TagResource", &S::TagResource},
      {"UntagLogGroup", &S::UntagLogGroup},
      {"UntagResource", &S::UntagResource},
      {"UpdateLogAnomalyDetector", &S::Unsupported},
  }};

  static LogsService::Handler Find(std::string_view operation) {
    auto it =
        std::lower_bound(kEntries.begin(), kEntries.end(), operation,
                         [](const Entry& e, std::string_view op) { return e.operation < op; });
    return (it != kEntries.end() && it->operation == operation) ? it->handler : nullptr;
  }
};

LogsService::LogsService(storage::Store& store, storage::CommitQueue& commits, const Clock& clock,
                         boost::asio::io_context& io, LogsOptions options)
    : store_(store),
      commits_(commits),
      clock_(clock),
      io_(io),
      options_(options),
      alive_(std::make_shared<std::atomic<bool>>(true)) {}

LogsService::~LogsService() {
  alive_->store(false);
  if (sweep_timer_) sweep_timer_->cancel();
}

const protocol::model::ServiceModel& LogsService::Model() const {
  return protocol::model::LogsModel();
}

void LogsService::Invoke(CallPtr call) {
  Handler handler = LogsServiceTable::Find(call->operation().name);
  if (handler == nullptr) handler = &LogsService::Unsupported;
  (this->*handler)(std::move(call));
}

void LogsService::Unsupported(CallPtr call) {
  Fail(call,
       LogsStatus(LogsError::kUnsupportedOperation,
                  fmt::format("{} is not supported by tidepool yet", call->operation().name)));
}

json::object LogsService::Health() const {
  size_t groups = 0, streams = 0;
  {
    std::shared_lock lock(registry_mu_);
    groups = groups_.size();
    for (const auto& [key, g] : groups_) {
      std::lock_guard l(g->mu);
      streams += g->streams.size();
    }
  }
  return json::object{{"status", "running"},
                      {"log_groups", groups},
                      {"log_streams", streams},
                      {"function_lines_ingested", ingested_lines_.load()},
                      {"function_lines_dropped", dropped_lines_.load()}};
}

void LogsService::Fail(const CallPtr& call, const Status& status) {
  if (call) call->Fail(ToAwsError(status));
}

bool LogsService::Submit(storage::WriteBatch batch, CallPtr call,
                         std::function<void(const Status&)> done) {
  return services::SubmitForCall(commits_, std::move(batch), call, std::move(done), &ToAwsError);
}

void LogsService::CommitGroup(LogGroup& g, CallPtr call, json::object output) {
  storage::WriteBatch batch;
  batch.Put(keyspace::GroupKey(g.uid), GroupRecord(g));
  Submit(std::move(batch), call,
         services::ReplyWhenCommitted(call, std::move(output), &ToAwsError, "logs"));
}

std::string LogsService::RegistryKey(std::string_view account, std::string_view region,
                                     std::string_view name) {
  std::string key;
  key.reserve(account.size() + region.size() + name.size() + 2);
  key.append(account).push_back('\0');
  key.append(region).push_back('\0');
  key.append(name);
  return key;
}

LogsService::GroupPtr LogsService::FindGroup(std::string_view account, std::string_view region,
                                             std::string_view name) const {
  std::shared_lock lock(registry_mu_);
  auto it = groups_.find(RegistryKey(account, region, name));
  return it == groups_.end() ? nullptr : it->second;
}

std::vector<LogsService::GroupPtr> LogsService::GroupsOf(std::string_view account,
                                                         std::string_view region) const {
  std::string prefix = RegistryKey(account, region, "");
  std::vector<GroupPtr> out;
  std::shared_lock lock(registry_mu_);
  for (auto it = groups_.lower_bound(prefix); it != groups_.end() && it->first.starts_with(prefix);
       ++it) {
    out.push_back(it->second);
  }
  return out;
}

namespace {
Status GroupMissing() {
  return LogsStatus(LogsError::kResourceNotFound, "The specified log group does not exist.");
}

// The region, account and group name of a log group ARN (with or without a trailing ":*").
struct GroupArnParts {
  std::string region, account, name;
};
std::optional<GroupArnParts> ParseGroupArn(std::string_view arn) {
  // arn:aws:logs:REGION:ACCOUNT:log-group:NAME[:*]
  std::array<std::string_view, 6> parts;
  for (size_t i = 0; i < 6; ++i) {
    size_t colon = arn.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    parts[i] = arn.substr(0, colon);
    arn.remove_prefix(colon + 1);
  }
  if (parts[0] != "arn" || parts[2] != "logs" || parts[5] != "log-group") return std::nullopt;
  if (arn.ends_with(":*")) arn.remove_suffix(2);
  if (arn.empty() || arn.find(':') != std::string_view::npos) return std::nullopt;
  return GroupArnParts{std::string(parts[3]), std::string(parts[4]), std::string(arn)};
}
}  // namespace

Result<LogsService::GroupPtr> LogsService::ResolveGroup(const protocol::Call& call) const {
  const auto& in = call.input();
  auto name = protocol::InputStringView(in, "logGroupName");
  auto ident = protocol::InputStringView(in, "logGroupIdentifier");
  if (name && ident) {
    return InvalidParameter("LogGroup name and LogGroup ARN are mutually exclusive parameters.");
  }
  if (!name && !ident) {
    return InvalidParameter("Should provide either name or ARN of the log group.");
  }
  const auto& ctx = call.context();
  if (ident && ident->starts_with("arn:")) return ResolveGroupArn(*ident);
  auto g = FindGroup(ctx.account_id, ctx.region, name ? *name : *ident);
  if (!g) return GroupMissing();
  return g;
}

Result<LogsService::GroupPtr> LogsService::ResolveGroupArn(std::string_view arn) const {
  auto parts = ParseGroupArn(arn);
  if (!parts) {
    return InvalidParameter(fmt::format("The specified ARN is not valid: {}", arn));
  }
  auto g = FindGroup(parts->account, parts->region, parts->name);
  if (!g) return GroupMissing();
  return g;
}

std::string LogsService::GroupArn(const LogGroup& g) {
  return fmt::format("arn:aws:logs:{}:{}:log-group:{}", g.region, g.account, g.name);
}

std::string LogsService::GroupRecord(const LogGroup& g) {
  json::object tags;
  for (const auto& [k, v] : g.tags) tags[k] = v;
  return json::serialize(json::object{{"account", g.account},
                                      {"region", g.region},
                                      {"name", g.name},
                                      {"created", g.created},
                                      {"retention", g.retention_days},
                                      {"kms", g.kms_key},
                                      {"class", g.log_group_class},
                                      {"protected", g.deletion_protection},
                                      {"tags", std::move(tags)}});
}

std::string LogsService::StreamRecord(const LogStream& s) {
  return json::serialize(json::object{{"name", s.name},
                                      {"created", s.created},
                                      {"first", s.first_event},
                                      {"last", s.last_event},
                                      {"ingested", s.last_ingestion},
                                      {"bytes", s.stored_bytes},
                                      {"seq", s.last_seq},
                                      {"uploads", s.uploads}});
}

json::object LogsService::DescribeGroup(const LogGroup& g) const {
  uint64_t bytes = 0;
  for (const auto& [name, s] : g.streams) bytes += s.stored_bytes;
  std::string arn = GroupArn(g);
  json::object out{{"logGroupName", g.name}, {"creationTime", g.created},
                   {"metricFilterCount", 0}, {"arn", arn + ":*"},
                   {"storedBytes", bytes},   {"logGroupClass", g.log_group_class},
                   {"logGroupArn", arn},     {"deletionProtectionEnabled", g.deletion_protection}};
  if (g.retention_days > 0) out["retentionInDays"] = g.retention_days;
  if (!g.kms_key.empty()) out["kmsKeyId"] = g.kms_key;
  return out;
}

int64_t LogsService::RetentionCutoff(const LogGroup& g) const {
  if (g.retention_days <= 0) return INT64_MIN;
  return clock_.NowMillis() - int64_t{g.retention_days} * 86'400'000;
}

Status LogsService::Recover() {
  storage::SkippedRecords skipped("logs");
  std::unordered_map<uint64_t, GroupPtr> by_uid;
  uint64_t max_uid = 0, max_seq = 0;
  std::string prefix = keyspace::Prefix('g');
  Status s = store_.Scan(
      prefix, storage::PrefixEnd(prefix), [&](std::string_view key, std::string_view value) {
        auto uid = keyspace::ParseGroupKey(key);
        boost::system::error_code ec;
        json::value v = json::parse(value, ec);
        if (!uid || ec || !v.is_object()) {
          skipped.Skip(key, "not a log group record");
          return true;
        }
        const auto& o = v.as_object();
        auto g = std::make_shared<LogGroup>();
        g->uid = *uid;
        auto str = [&](std::string_view k) {
          const auto* x = o.if_contains(k);
          return x && x->is_string() ? std::string(x->get_string()) : std::string();
        };
        auto num = [&](std::string_view k) {
          const auto* x = o.if_contains(k);
          return x && x->is_int64() ? x->get_int64() : int64_t{0};
        };
        g->account = str("account");
        g->region = str("region");
        g->name = str("name");
        g->created = num("created");
        g->retention_days = static_cast<int>(num("retention"));
        g->kms_key = str("kms");
        g->log_group_class = str("class").empty() ? "STANDARD" : str("class");
        if (const auto* p = o.if_contains("protected"); p && p->is_bool()) {
          g->deletion_protection = p->get_bool();
        }
        if (const auto* t = o.if_contains("tags"); t && t->is_object()) {
          for (const auto& [k, tv] : t->get_object()) {
            if (tv.is_string()) g->tags[std::string(k)] = std::string(tv.get_string());
          }
        }
        if (g->name.empty()) {
          skipped.Skip(key, "a log group record without a name");
          return true;
        }
        max_uid = std::max(max_uid, *uid);
        by_uid[*uid] = g;
        groups_[RegistryKey(g->account, g->region, g->name)] = g;
        return true;
      });
  if (!s.ok()) return s;
  prefix = keyspace::Prefix('s');
  s = store_.Scan(prefix, storage::PrefixEnd(prefix),
                  [&](std::string_view key, std::string_view value) {
                    auto ids = keyspace::ParseStreamKey(key);
                    boost::system::error_code ec;
                    json::value v = json::parse(value, ec);
                    if (!ids || ec || !v.is_object()) {
                      skipped.Skip(key, "not a log stream record");
                      return true;
                    }
                    auto it = by_uid.find(ids->first);
                    if (it == by_uid.end()) {
                      skipped.Skip(key, "a log stream of no log group");
                      return true;
                    }
                    const auto& o = v.as_object();
                    LogStream st;
                    st.uid = ids->second;
                    auto num = [&](std::string_view k, int64_t dflt) {
                      const auto* x = o.if_contains(k);
                      if (x && x->is_int64()) return x->get_int64();
                      if (x && x->is_uint64()) return static_cast<int64_t>(x->get_uint64());
                      return dflt;
                    };
                    if (const auto* n = o.if_contains("name"); n && n->is_string())
                      st.name = n->get_string();
                    st.created = num("created", 0);
                    st.first_event = num("first", -1);
                    st.last_event = num("last", -1);
                    st.last_ingestion = num("ingested", -1);
                    st.stored_bytes = static_cast<uint64_t>(num("bytes", 0));
                    st.last_seq = static_cast<uint64_t>(num("seq", 0));
                    st.uploads = static_cast<uint64_t>(num("uploads", 0));
                    if (st.name.empty()) {
                      skipped.Skip(key, "a log stream record without a name");
                      return true;
                    }
                    max_uid = std::max(max_uid, st.uid);
                    max_seq = std::max(max_seq, st.last_seq);
                    it->second->streams[st.name] = std::move(st);
                    return true;
                  });
  if (!s.ok()) return s;
  next_uid_.store(max_uid + 1);
  next_seq_.store(max_seq + 1);
  if (!groups_.empty()) spdlog::info("logs: recovered {} log groups", groups_.size());
  return Status::Ok();
}

void LogsService::StartRetentionSweeper() {
  sweep_timer_ = std::make_unique<boost::asio::steady_timer>(io_);
  ScheduleSweep();
}

void LogsService::ScheduleSweep() {
  auto micros = static_cast<int64_t>(static_cast<double>(options_.sweep_interval_ms) * 1000.0 *
                                     options_.time_scale);
  sweep_timer_->expires_after(std::chrono::microseconds(std::max<int64_t>(micros, 10'000)));
  sweep_timer_->async_wait([this, alive = alive_](const boost::system::error_code& ec) {
    if (ec || !alive->load()) return;
    SweepExpired();
    ScheduleSweep();
  });
}

void LogsService::SweepExpired() {
  std::vector<GroupPtr> groups;
  {
    std::shared_lock lock(registry_mu_);
    for (const auto& [key, g] : groups_) groups.push_back(g);
  }
  for (const auto& g : groups) {
    std::lock_guard lock(g->mu);
    if (g->deleted || g->retention_days <= 0) continue;
    const int64_t cutoff = RetentionCutoff(*g);
    if (cutoff <= 0) continue;
    storage::WriteBatch batch;
    bool any = false;
    for (auto it = g->streams.begin(); it != g->streams.end();) {
      LogStream& st = it->second;
      if (st.first_event >= 0 && st.first_event < cutoff) any = true;
      // A stream whose every event expired goes with them (an empty one once it is as old).
      if (st.last_event >= 0 ? st.last_event < cutoff : st.created < cutoff) {
        batch.Delete(keyspace::StreamKey(g->uid, st.uid));
        it = g->streams.erase(it);
        any = true;
        continue;
      }
      // Reads and sweeps start at first_event: a lower bound is enough.
      if (st.first_event >= 0 && st.first_event < cutoff) st.first_event = cutoff;
      ++it;
    }
    if (!any) continue;
    batch.DeleteRange(keyspace::EventsBegin(g->uid),
                      keyspace::EventKey(g->uid, static_cast<uint64_t>(cutoff), 0));
    Submit(std::move(batch), nullptr, [](const Status& st) {
      if (!st.ok()) spdlog::warn("logs: retention sweep failed: {}", st.ToString());
    });
  }
}

}  // namespace tidepool::logs
