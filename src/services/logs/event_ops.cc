// Log events: PutLogEvents, GetLogEvents (forward and backward tokens), FilterLogEvents.
#include <fmt/format.h>
#include <boost/json.hpp>

#include <algorithm>
#include <charconv>
#include <climits>
#include <deque>
#include <unordered_map>

#include "protocol/input.h"
#include "services/logs/filter_pattern.h"
#include "services/logs/keyspace.h"
#include "services/logs/logs_errors.h"
#include "services/logs/logs_service.h"
#include "services/write_path.h"

namespace tidepool::logs {
namespace json = boost::json;
using protocol::CallPtr;
using protocol::InputStringView;

namespace {

constexpr int64_t kHourMs = 3'600'000;
constexpr int64_t kDayMs = 24 * kHourMs;
constexpr size_t kMaxBatchBytes = 1'048'576;  // PutLogEvents: messages + 26 bytes per event
constexpr size_t kMaxReplyBytes = 1'048'576;  // Get/FilterLogEvents answer at most 1 MB
constexpr int64_t kMaxEvents = 10'000;
constexpr uint64_t kMaxScanned = 200'000;  // events FilterLogEvents looks at per call

Status InvalidToken() { return InvalidParameter("The specified nextToken is invalid."); }

// A place between two events of a group: before the event at (timestamp, seq).
struct Position {
  uint64_t timestamp = 0, seq = 0;
};

// GetLogEvents tokens: "f/" or "b/", the position (20 + 20 digits) and the stream uid (16
// digits), "/s". `forward` tells the direction of the read that follows.
std::string StreamToken(bool forward, Position p, uint64_t stream) {
  return fmt::format("{}/{:020d}{:020d}{:016d}/s", forward ? 'f' : 'b', p.timestamp, p.seq,
                     stream % 10'000'000'000'000'000ULL);
}

bool ParseDigits(std::string_view text, uint64_t* out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && end == text.data() + text.size();
}

Result<std::pair<bool, Position>> ParseStreamToken(std::string_view token, uint64_t stream) {
  uint64_t uid = 0;
  Position p;
  if (token.size() != 2 + 56 + 2 || (token[0] != 'f' && token[0] != 'b') || token[1] != '/' ||
      !token.ends_with("/s") || !ParseDigits(token.substr(2, 20), &p.timestamp) ||
      !ParseDigits(token.substr(22, 20), &p.seq) || !ParseDigits(token.substr(42, 16), &uid) ||
      uid != stream % 10'000'000'000'000'000ULL) {
    return InvalidToken();
  }
  return std::make_pair(token[0] == 'f', p);
}

// FilterLogEvents tokens: "F/" and the position where the next page starts.
std::string FilterToken(Position p) { return fmt::format("F/{:020d}{:020d}", p.timestamp, p.seq); }

Result<Position> ParseFilterToken(std::string_view token) {
  Position p;
  if (token.size() != 42 || !token.starts_with("F/") ||
      !ParseDigits(token.substr(2, 20), &p.timestamp) ||
      !ParseDigits(token.substr(22, 20), &p.seq)) {
    return InvalidToken();
  }
  return p;
}

uint64_t Clamp0(int64_t v) { return v < 0 ? 0 : static_cast<uint64_t>(v); }

}  // namespace

void LogsService::StageEvent(LogGroup& g, LogStream& st, int64_t timestamp,
                             std::string_view message, int64_t now, storage::WriteBatch* batch) {
  const uint64_t seq = NextSeq();
  batch->PutOwned(keyspace::EventKey(g.uid, Clamp0(timestamp), seq),
                  keyspace::EncodeEvent(st.uid, Clamp0(now), message));
  st.first_event = st.first_event < 0 ? timestamp : std::min(st.first_event, timestamp);
  st.last_event = std::max(st.last_event, timestamp);
  st.last_ingestion = now;
  st.stored_bytes += message.size();
  st.last_seq = seq;
}

void LogsService::PutLogEvents(CallPtr call) {
  auto g = ResolveGroup(*call);
  if (!g.ok()) return Fail(call, g.status());
  const auto& in = call->input();
  std::string stream(InputStringView(in, "logStreamName").value_or(""));
  struct Event {
    int64_t timestamp;
    std::string_view message;
  };
  std::vector<Event> events;
  size_t bytes = 0;
  if (const auto* list = protocol::InputArray(in, "logEvents")) {
    for (const auto& v : *list) {
      const auto* o = v.if_object();
      if (!o) continue;
      events.push_back({protocol::InputInt(*o, "timestamp").value_or(0),
                        InputStringView(*o, "message").value_or("")});
      bytes += events.back().message.size() + 26;
    }
  }
  for (size_t i = 1; i < events.size(); ++i) {
    if (events[i].timestamp < events[i - 1].timestamp) {
      return Fail(call, InvalidParameter("Log events in a single PutLogEvents request must be in "
                                         "chronological order."));
    }
  }
  if (!events.empty() && events.back().timestamp - events.front().timestamp > kDayMs) {
    return Fail(call, InvalidParameter("The batch of log events in a single PutLogEvents request "
                                       "cannot span more than 24 hours."));
  }
  if (bytes > kMaxBatchBytes) {
    return Fail(call, InvalidParameter(fmt::format("Upload too large: {} bytes exceeds limit of {}",
                                                   bytes, kMaxBatchBytes)));
  }
  std::lock_guard lock((*g)->mu);
  LogGroup& group = **g;
  if (group.deleted) {
    return Fail(
        call, LogsStatus(LogsError::kResourceNotFound, "The specified log group does not exist."));
  }
  auto it = group.streams.find(stream);
  if (it == group.streams.end()) {
    return Fail(
        call, LogsStatus(LogsError::kResourceNotFound, "The specified log stream does not exist."));
  }
  LogStream& st = it->second;
  const int64_t now = clock_.NowMillis();
  const int64_t too_old = now - 14 * kDayMs;
  const int64_t expired = RetentionCutoff(group);
  int64_t too_new_start = -1, too_old_end = -1, expired_end = -1;
  storage::WriteBatch batch;
  for (size_t i = 0; i < events.size(); ++i) {
    const int64_t ts = events[i].timestamp;
    const auto index = static_cast<int64_t>(i);
    if (ts > now + 2 * kHourMs) {
      if (too_new_start < 0) too_new_start = index;
    } else if (ts < too_old) {
      too_old_end = index;
    } else if (ts < expired) {
      expired_end = index;
    } else {
      StageEvent(group, st, ts, events[i].message, now, &batch);
    }
  }
  ++st.uploads;
  batch.Put(keyspace::StreamKey(group.uid, st.uid), StreamRecord(st));
  json::object out{{"nextSequenceToken", fmt::format("{:056d}", st.uploads)}};
  if (too_new_start >= 0 || too_old_end >= 0 || expired_end >= 0) {
    json::object rejected;
    if (too_new_start >= 0) rejected["tooNewLogEventStartIndex"] = too_new_start;
    if (too_old_end >= 0) rejected["tooOldLogEventEndIndex"] = too_old_end;
    if (expired_end >= 0) rejected["expiredLogEventEndIndex"] = expired_end;
    out["rejectedLogEventsInfo"] = std::move(rejected);
  }
  Submit(std::move(batch), call,
         services::ReplyWhenCommitted(call, std::move(out), &ToAwsError, "logs"));
}

void LogsService::GetLogEvents(CallPtr call) {
  auto g = ResolveGroup(*call);
  if (!g.ok()) return Fail(call, g.status());
  const auto& in = call->input();
  std::string name(InputStringView(in, "logStreamName").value_or(""));
  LogStream st;
  int64_t cutoff = 0;
  uint64_t group_uid = 0;
  {
    std::lock_guard lock((*g)->mu);
    auto it = (*g)->streams.find(name);
    if ((*g)->deleted || it == (*g)->streams.end()) {
      return Fail(call, LogsStatus(LogsError::kResourceNotFound,
                                   "The specified log stream does not exist."));
    }
    st = it->second;
    cutoff = RetentionCutoff(**g);
    group_uid = (*g)->uid;
  }
  const size_t limit = static_cast<size_t>(
      std::clamp<int64_t>(protocol::InputInt(in, "limit").value_or(kMaxEvents), 1, kMaxEvents));
  // [lo, hi) in event time: startTime inclusive, endTime exclusive, within retention.
  int64_t lo = std::max<int64_t>({protocol::InputInt(in, "startTime").value_or(0), cutoff, 0});
  int64_t hi = protocol::InputInt(in, "endTime").value_or(INT64_MAX);
  bool forward = protocol::InputBool(in, "startFromHead").value_or(false);
  Position begin{Clamp0(lo), 0};
  Position end{hi == INT64_MAX ? UINT64_MAX : Clamp0(hi), 0};
  std::optional<Position> from;  // the token's position
  if (auto token = InputStringView(in, "nextToken")) {
    auto parsed = ParseStreamToken(*token, st.uid);
    if (!parsed.ok()) return Fail(call, parsed.status());
    forward = parsed->first;
    from = parsed->second;
    auto key = [](Position p) { return std::make_pair(p.timestamp, p.seq); };
    if (forward && key(*from) > key(begin)) begin = *from;
    if (!forward && key(*from) < key(end)) end = *from;
  }
  json::array events;
  std::optional<Position> first, last;
  if (st.first_event >= 0) {
    // Only this stream's lifetime in the group's order needs scanning.
    if (begin.timestamp < Clamp0(st.first_event)) begin = {Clamp0(st.first_event), 0};
    if (end.timestamp > Clamp0(st.last_event) + 1) end = {Clamp0(st.last_event) + 1, 0};
    struct Found {
      Position at;
      int64_t ingestion;
      std::string message;
    };
    std::deque<Found> found;
    size_t bytes = 0;
    if (begin.timestamp < end.timestamp ||
        (begin.timestamp == end.timestamp && begin.seq < end.seq)) {
      Status s = store_.Scan(
          keyspace::EventKey(group_uid, begin.timestamp, begin.seq),
          keyspace::EventKey(group_uid, end.timestamp, end.seq),
          [&](std::string_view key, std::string_view value) {
            auto event = keyspace::DecodeEvent(value);
            auto pos = keyspace::ParseEventKey(key);
            if (!event || !pos || event->stream != st.uid) return true;
            found.push_back({{pos->timestamp, pos->seq},
                             static_cast<int64_t>(event->ingestion_ms),
                             std::string(event->message)});
            bytes += event->message.size() + 26;
            if (forward) return found.size() < limit && bytes < kMaxReplyBytes;
            while (found.size() > limit || (bytes > kMaxReplyBytes && found.size() > 1)) {
              bytes -= found.front().message.size() + 26;
              found.pop_front();
            }
            return true;
          });
      if (!s.ok()) return Fail(call, s);
    }
    for (auto& f : found) {
      events.push_back(json::object{{"timestamp", f.at.timestamp},
                                    {"message", std::move(f.message)},
                                    {"ingestionTime", f.ingestion}});
    }
    if (!found.empty()) {
      first = found.front().at;
      last = Position{found.back().at.timestamp, found.back().at.seq + 1};
    }
  }
  // With no events, both tokens stay where the read was: a client paging on sees the same
  // token again and stops.
  Position here = from ? *from : (forward ? begin : end);
  json::object out{{"events", std::move(events)}};
  out["nextForwardToken"] = StreamToken(true, last ? *last : here, st.uid);
  out["nextBackwardToken"] = StreamToken(false, first ? *first : here, st.uid);
  call->Reply(std::move(out));
}

void LogsService::FilterLogEvents(CallPtr call) {
  auto g = ResolveGroup(*call);
  if (!g.ok()) return Fail(call, g.status());
  const auto& in = call->input();
  const auto* names = protocol::InputArray(in, "logStreamNames");
  auto prefix = InputStringView(in, "logStreamNamePrefix");
  if (names && prefix) {
    return Fail(call, InvalidParameter("logStreamNames and logStreamNamePrefix are mutually "
                                       "exclusive parameters."));
  }
  auto pattern = FilterPattern::Parse(InputStringView(in, "filterPattern").value_or(""));
  if (!pattern.ok()) return Fail(call, InvalidParameter(pattern.status().message()));
  const size_t limit = static_cast<size_t>(
      std::clamp<int64_t>(protocol::InputInt(in, "limit").value_or(kMaxEvents), 1, kMaxEvents));
  // [lo, hi] in event time: both inclusive, within retention.
  int64_t lo = 0, hi = INT64_MAX - 1;
  std::unordered_map<uint64_t, std::string> streams;  // uid -> name, of the streams searched
  uint64_t group_uid = 0;
  {
    std::lock_guard lock((*g)->mu);
    if ((*g)->deleted) {
      return Fail(call, LogsStatus(LogsError::kResourceNotFound,
                                   "The specified log group does not exist."));
    }
    group_uid = (*g)->uid;
    lo = std::max<int64_t>(
        {protocol::InputInt(in, "startTime").value_or(0), RetentionCutoff(**g), 0});
    hi = std::min(hi, protocol::InputInt(in, "endTime").value_or(hi));
    int64_t first = INT64_MAX, last = -1;
    for (const auto& [stream_name, st] : (*g)->streams) {
      const std::string& name = stream_name;
      if (prefix && !name.starts_with(*prefix)) continue;
      if (names && std::none_of(names->begin(), names->end(), [&](const json::value& v) {
            return v.is_string() && std::string_view(v.get_string()) == name;
          })) {
        continue;
      }
      streams.emplace(st.uid, name);
      if (st.first_event >= 0) {
        first = std::min(first, st.first_event);
        last = std::max(last, st.last_event);
      }
    }
    lo = std::max(lo, first);
    hi = std::min(hi, last);
  }
  Position begin{Clamp0(lo), 0};
  if (auto token = InputStringView(in, "nextToken")) {
    auto p = ParseFilterToken(*token);
    if (!p.ok()) return Fail(call, p.status());
    if (std::make_pair(p->timestamp, p->seq) > std::make_pair(begin.timestamp, begin.seq)) {
      begin = *p;
    }
  }
  json::array events;
  std::optional<Position> resume;
  if (lo <= hi && !streams.empty() && begin.timestamp <= Clamp0(hi)) {
    size_t bytes = 0;
    uint64_t scanned = 0;
    Status s = store_.Scan(
        keyspace::EventKey(group_uid, begin.timestamp, begin.seq),
        keyspace::EventKey(group_uid, Clamp0(hi) + 1, 0),
        [&](std::string_view key, std::string_view value) {
          auto pos = keyspace::ParseEventKey(key);
          if (!pos) return true;
          if (events.size() >= limit || bytes >= kMaxReplyBytes || ++scanned > kMaxScanned) {
            resume = Position{pos->timestamp, pos->seq};
            return false;
          }
          auto event = keyspace::DecodeEvent(value);
          if (!event) return true;
          auto name = streams.find(event->stream);
          if (name == streams.end() || !pattern->Matches(event->message)) return true;
          bytes += event->message.size() + 26;
          events.push_back(json::object{
              {"logStreamName", name->second},
              {"timestamp", pos->timestamp},
              {"message", event->message},
              {"ingestionTime", event->ingestion_ms},
              {"eventId", fmt::format("{:020d}{:020d}{:016d}", pos->timestamp, pos->seq, 0)}});
          return true;
        });
    if (!s.ok()) return Fail(call, s);
  }
  json::object out{{"events", std::move(events)}, {"searchedLogStreams", json::array{}}};
  if (resume) out["nextToken"] = FilterToken(*resume);
  call->Reply(std::move(out));
}

}  // namespace tidepool::logs
