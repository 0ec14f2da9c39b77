// Log groups and streams: Create/Delete/Describe, ListLogGroups, retention policies.
#include <fmt/format.h>
#include <boost/json.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

#include "protocol/input.h"
#include "services/logs/keyspace.h"
#include "services/logs/logs_errors.h"
#include "services/logs/logs_service.h"
#include "services/write_path.h"

namespace tidepool::logs {
namespace json = boost::json;
using protocol::CallPtr;
using protocol::InputStringView;

namespace {

constexpr std::array<int, 22> kRetentionDays{1,    3,    5,    7,    14,   30,  60,  90,
                                             120,  150,  180,  365,  400,  545, 731, 1096,
                                             1827, 2192, 2557, 2922, 3288, 3653};

// A page of `limit` (default and maximum 50) out of `items`.
int PageLimit(const json::object& in) {
  auto limit = protocol::InputInt(in, "limit").value_or(50);
  return static_cast<int>(std::clamp<int64_t>(limit, 1, 50));
}

bool ContainsNoCase(std::string_view haystack, std::string_view needle) {
  auto it = std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(),
                        [](char a, char b) { return std::tolower(a) == std::tolower(b); });
  return it != haystack.end();
}

Status ReadTags(const json::object& in, std::string_view member,
                std::map<std::string, std::string>* tags) {
  if (const auto* t = protocol::InputObject(in, member)) {
    for (const auto& [k, v] : *t) {
      if (v.is_string()) (*tags)[std::string(k)] = std::string(v.get_string());
    }
  }
  if (tags->size() > 50) {
    return LogsStatus(LogsError::kTooManyTags, "A resource can have no more than 50 tags.");
  }
  return Status::Ok();
}

}  // namespace

void LogsService::CreateLogGroup(CallPtr call) {
  const auto& in = call->input();
  std::string name(InputStringView(in, "logGroupName").value_or(""));
  const auto& ctx = call->context();
  auto g = std::make_shared<LogGroup>();
  g->account = ctx.account_id;
  g->region = ctx.region;
  g->name = name;
  g->created = clock_.NowMillis();
  g->kms_key = InputStringView(in, "kmsKeyId").value_or("");
  g->log_group_class = InputStringView(in, "logGroupClass").value_or("STANDARD");
  g->deletion_protection = protocol::InputBool(in, "deletionProtectionEnabled").value_or(false);
  if (Status s = ReadTags(in, "tags", &g->tags); !s.ok()) return Fail(call, s);
  g->uid = NextUid();
  std::unique_lock lock(registry_mu_);
  auto [it, inserted] = groups_.emplace(RegistryKey(g->account, g->region, name), g);
  if (!inserted) {
    return Fail(call, LogsStatus(LogsError::kResourceAlreadyExists,
                                 "The specified log group already exists"));
  }
  std::lock_guard group_lock(g->mu);
  lock.unlock();
  CommitGroup(*g, call);
}

void LogsService::DeleteLogGroup(CallPtr call) {
  auto g = ResolveGroup(*call);
  if (!g.ok()) return Fail(call, g.status());
  std::unique_lock lock(registry_mu_);
  std::lock_guard group_lock((*g)->mu);
  if ((*g)->deleted)
    return Fail(
        call, LogsStatus(LogsError::kResourceNotFound, "The specified log group does not exist."));
  if ((*g)->deletion_protection) {
    return Fail(call, LogsStatus(LogsError::kValidation,
                                 "Log group deletion protection is enabled; disable it to "
                                 "delete the log group."));
  }
  (*g)->deleted = true;
  groups_.erase(RegistryKey((*g)->account, (*g)->region, (*g)->name));
  lock.unlock();
  const uint64_t uid = (*g)->uid;
  storage::WriteBatch batch;
  batch.Delete(keyspace::GroupKey(uid));
  batch.DeleteRange(keyspace::StreamsBegin(uid), keyspace::StreamsEnd(uid));
  batch.DeleteRange(keyspace::EventsBegin(uid), keyspace::EventsEnd(uid));
  Submit(std::move(batch), call, services::ReplyWhenCommitted(call, {}, &ToAwsError, "logs"));
}

void LogsService::DescribeLogGroups(CallPtr call) {
  const auto& in = call->input();
  auto prefix = InputStringView(in, "logGroupNamePrefix");
  auto pattern = InputStringView(in, "logGroupNamePattern");
  const auto* identifiers = protocol::InputArray(in, "logGroupIdentifiers");
  if (prefix && pattern) {
    return Fail(call, InvalidParameter("LogGroup name prefix and LogGroup name pattern are "
                                       "mutually exclusive parameters."));
  }
  if (identifiers && (prefix || pattern)) {
    return Fail(call, InvalidParameter("logGroupIdentifiers and logGroupNamePrefix or "
                                       "logGroupNamePattern are mutually exclusive parameters."));
  }
  auto klass = InputStringView(in, "logGroupClass");
  std::string token(InputStringView(in, "nextToken").value_or(""));
  const int limit = PageLimit(in);
  std::vector<std::string> wanted;
  if (identifiers) {
    for (const auto& v : *identifiers) {
      if (!v.is_string()) continue;
      std::string_view id = v.get_string();
      if (id.starts_with("arn:")) {
        size_t at = id.find(":log-group:");
        if (at == std::string_view::npos) continue;
        id.remove_prefix(at + 11);
        if (id.ends_with(":*")) id.remove_suffix(2);
      }
      wanted.emplace_back(id);
    }
  }
  json::array groups;
  std::string next;
  for (const auto& g : GroupsOf(call->context().account_id, call->context().region)) {
    std::lock_guard lock(g->mu);
    if (g->deleted || (!token.empty() && g->name < token)) continue;
    if (prefix && !g->name.starts_with(*prefix)) continue;
    if (pattern && !ContainsNoCase(g->name, *pattern)) continue;
    if (klass && g->log_group_class != *klass) continue;
    if (identifiers && std::find(wanted.begin(), wanted.end(), g->name) == wanted.end()) continue;
    if (static_cast<int>(groups.size()) == limit) {
      next = g->name;
      break;
    }
    groups.push_back(DescribeGroup(*g));
  }
  json::object out{{"logGroups", std::move(groups)}};
  if (!next.empty()) out["nextToken"] = next;
  call->Reply(std::move(out));
}

void LogsService::ListLogGroups(CallPtr call) {
  const auto& in = call->input();
  auto pattern = InputStringView(in, "logGroupNamePattern");
  auto klass = InputStringView(in, "logGroupClass");
  std::string token(InputStringView(in, "nextToken").value_or(""));
  const int64_t limit =
      std::clamp<int64_t>(protocol::InputInt(in, "limit").value_or(1000), 1, 1000);
  json::array groups;
  std::string next;
  for (const auto& g : GroupsOf(call->context().account_id, call->context().region)) {
    std::lock_guard lock(g->mu);
    if (g->deleted || (!token.empty() && g->name < token)) continue;
    if (pattern && !ContainsNoCase(g->name, *pattern)) continue;
    if (klass && g->log_group_class != *klass) continue;
    if (static_cast<int64_t>(groups.size()) == limit) {
      next = g->name;
      break;
    }
    groups.push_back(json::object{{"logGroupName", g->name},
                                  {"logGroupArn", GroupArn(*g)},
                                  {"logGroupClass", g->log_group_class}});
  }
  json::object out{{"logGroups", std::move(groups)}};
  if (!next.empty()) out["nextToken"] = next;
  call->Reply(std::move(out));
}

void LogsService::CreateLogStream(CallPtr call) {
  auto g = ResolveGroup(*call);
  if (!g.ok()) return Fail(call, g.status());
  std::string name(InputStringView(call->input(), "logStreamName").value_or(""));
  std::lock_guard lock((*g)->mu);
  if ((*g)->deleted) {
    return Fail(
        call, LogsStatus(LogsError::kResourceNotFound, "The specified log group does not exist."));
  }
  if ((*g)->streams.contains(name)) {
    return Fail(call, LogsStatus(LogsError::kResourceAlreadyExists,
                                 "The specified log stream already exists"));
  }
  LogStream& st = (*g)->streams[name];
  st.uid = NextUid();
  st.name = name;
  st.created = clock_.NowMillis();
  storage::WriteBatch batch;
  batch.Put(keyspace::StreamKey((*g)->uid, st.uid), StreamRecord(st));
  Submit(std::move(batch), call, services::ReplyWhenCommitted(call, {}, &ToAwsError, "logs"));
}

void LogsService::DeleteLogStream(CallPtr call) {
  auto g = ResolveGroup(*call);
  if (!g.ok()) return Fail(call, g.status());
  std::string name(InputStringView(call->input(), "logStreamName").value_or(""));
  std::lock_guard lock((*g)->mu);
  auto it = (*g)->streams.find(name);
  if ((*g)->deleted || it == (*g)->streams.end()) {
    return Fail(
        call, LogsStatus(LogsError::kResourceNotFound, "The specified log stream does not exist."));
  }
  const LogStream st = it->second;
  (*g)->streams.erase(it);
  const uint64_t group = (*g)->uid;
  storage::WriteBatch batch;
  batch.Delete(keyspace::StreamKey(group, st.uid));
  if (st.first_event >= 0) {
    // The stream's events lie between its first and last event in the group's order.
    Status s = store_.Scan(keyspace::EventKey(group, static_cast<uint64_t>(st.first_event), 0),
                           keyspace::EventKey(group, static_cast<uint64_t>(st.last_event) + 1, 0),
                           [&](std::string_view key, std::string_view value) {
                             auto event = keyspace::DecodeEvent(value);
                             if (event && event->stream == st.uid) batch.Delete(key);
                             return true;
                           });
    if (!s.ok()) return Fail(call, s);
  }
  Submit(std::move(batch), call, services::ReplyWhenCommitted(call, {}, &ToAwsError, "logs"));
}

void LogsService::DescribeLogStreams(CallPtr call) {
  auto g = ResolveGroup(*call);
  if (!g.ok()) return Fail(call, g.status());
  const auto& in = call->input();
  auto prefix = InputStringView(in, "logStreamNamePrefix");
  const bool by_time = InputStringView(in, "orderBy").value_or("") == "LastEventTime";
  const bool descending = protocol::InputBool(in, "descending").value_or(false);
  if (prefix && by_time) {
    return Fail(call,
                InvalidParameter("Cannot order by LastEventTime with a logStreamNamePrefix."));
  }
  const int limit = PageLimit(in);
  size_t offset = 0;
  if (auto token = InputStringView(in, "nextToken")) {
    // "o/<offset>": a position in this listing's order.
    if (!token->starts_with("o/") ||
        std::from_chars(token->data() + 2, token->data() + token->size(), offset).ec !=
            std::errc()) {
      return Fail(call, InvalidParameter("The specified nextToken is invalid."));
    }
  }
  std::vector<const LogStream*> streams;
  std::lock_guard lock((*g)->mu);
  for (const auto& [name, st] : (*g)->streams) {
    if (prefix && !name.starts_with(*prefix)) continue;
    streams.push_back(&st);
  }
  if (by_time) {
    std::stable_sort(streams.begin(), streams.end(), [](const LogStream* a, const LogStream* b) {
      return a->last_event < b->last_event;
    });
  }
  if (descending) std::reverse(streams.begin(), streams.end());
  json::array out;
  const std::string arn_prefix = GroupArn(**g) + ":log-stream:";
  for (size_t i = offset; i < streams.size() && out.size() < static_cast<size_t>(limit); ++i) {
    const LogStream& st = *streams[i];
    json::object o{{"logStreamName", st.name},
                   {"creationTime", st.created},
                   {"arn", arn_prefix + st.name},
                   {"storedBytes", 0}};
    if (st.first_event >= 0) {
      o["firstEventTimestamp"] = st.first_event;
      o["lastEventTimestamp"] = st.last_event;
      o["lastIngestionTime"] = st.last_ingestion;
      o["uploadSequenceToken"] = fmt::format("{:056d}", st.uploads);
    }
    out.push_back(std::move(o));
  }
  json::object reply{{"logStreams", std::move(out)}};
  if (offset + static_cast<size_t>(limit) < streams.size()) {
    reply["nextToken"] = fmt::format("o/{}", offset + static_cast<size_t>(limit));
  }
  call->Reply(std::move(reply));
}

void LogsService::PutRetentionPolicy(CallPtr call) {
  auto g = ResolveGroup(*call);
  if (!g.ok()) return Fail(call, g.status());
  const int64_t days = protocol::InputInt(call->input(), "retentionInDays").value_or(0);
  if (std::find(kRetentionDays.begin(), kRetentionDays.end(), days) == kRetentionDays.end()) {
    return Fail(call, InvalidParameter(fmt::format(
                          "1 validation error detected: Value '{}' at 'retentionInDays' failed "
                          "to satisfy constraint: Member must satisfy enum value set: [1, 3, 5, "
                          "7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, "
                          "2192, 2557, 2922, 3288, 3653]",
                          days)));
  }
  std::lock_guard lock((*g)->mu);
  (*g)->retention_days = static_cast<int>(days);
  CommitGroup(**g, call);
}

void LogsService::DeleteRetentionPolicy(CallPtr call) {
  auto g = ResolveGroup(*call);
  if (!g.ok()) return Fail(call, g.status());
  std::lock_guard lock((*g)->mu);
  (*g)->retention_days = 0;
  CommitGroup(**g, call);
}

// --- tags: by resource ARN, and the legacy operations by group name

void LogsService::AddTags(CallPtr call, Result<GroupPtr> g) {
  if (!g.ok()) return Fail(call, g.status());
  std::lock_guard lock((*g)->mu);
  auto tags = (*g)->tags;
  if (Status s = ReadTags(call->input(), "tags", &tags); !s.ok()) return Fail(call, s);
  (*g)->tags = std::move(tags);
  CommitGroup(**g, call);
}

void LogsService::RemoveTags(CallPtr call, Result<GroupPtr> g, std::string_view keys_member) {
  if (!g.ok()) return Fail(call, g.status());
  std::lock_guard lock((*g)->mu);
  if (const auto* keys = protocol::InputArray(call->input(), keys_member)) {
    for (const auto& k : *keys) {
      if (k.is_string()) (*g)->tags.erase(std::string(k.get_string()));
    }
  }
  CommitGroup(**g, call);
}

void LogsService::ReplyTags(CallPtr call, Result<GroupPtr> g) {
  if (!g.ok()) return Fail(call, g.status());
  std::lock_guard lock((*g)->mu);
  json::object tags;
  for (const auto& [k, v] : (*g)->tags) tags[k] = v;
  call->Reply(json::object{{"tags", std::move(tags)}});
}

void LogsService::TagResource(CallPtr call) {
  AddTags(call, ResolveGroupArn(InputStringView(call->input(), "resourceArn").value_or("")));
}

void LogsService::UntagResource(CallPtr call) {
  RemoveTags(call, ResolveGroupArn(InputStringView(call->input(), "resourceArn").value_or("")),
             "tagKeys");
}

void LogsService::ListTagsForResource(CallPtr call) {
  ReplyTags(call, ResolveGroupArn(InputStringView(call->input(), "resourceArn").value_or("")));
}

void LogsService::TagLogGroup(CallPtr call) { AddTags(call, ResolveGroup(*call)); }

void LogsService::UntagLogGroup(CallPtr call) { RemoveTags(call, ResolveGroup(*call), "tags"); }

void LogsService::ListTagsLogGroup(CallPtr call) { ReplyTags(call, ResolveGroup(*call)); }

}  // namespace tidepool::logs
