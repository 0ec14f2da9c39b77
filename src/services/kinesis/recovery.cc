// KinesisService start-up (Recover) and retention trimming: the two places that walk the
// whole keyspace.
#include <spdlog/spdlog.h>
#include <boost/asio/steady_timer.hpp>
#include <boost/json.hpp>

#include "services/kinesis/keyspace.h"
#include "services/kinesis/kinesis_service.h"
#include "services/kinesis/stream_codec.h"
#include "storage/key_codec.h"
#include "storage/record_kind.h"

namespace tidepool::kinesis {
namespace json = boost::json;
namespace {

struct LastRecord {
  uint64_t counter = 0;
  int64_t arrival_micros = 0;
};

// The newest record of a stored record entry (keyspace.h), if it holds a valid one.
std::optional<LastRecord> NewestIn(std::string_view key, std::string_view value,
                                   uint64_t* count = nullptr) {
  auto cursor = keyspace::RecordCursor::Open(key, value);
  if (!cursor) return std::nullopt;
  std::optional<LastRecord> newest;
  uint64_t counter;
  keyspace::RecordView record;
  while (cursor->Next(&counter, &record)) {
    newest = LastRecord{counter, record.arrival_micros};
    if (count) ++*count;
  }
  return newest;
}

// The newest record of the first stored entry that holds a counter >= from, if any: a
// record >= from exists exactly when such an entry does.
Result<std::optional<LastRecord>> FirstRecordFrom(const storage::Store& store, uint64_t uid,
                                                  uint32_t shard, uint64_t from) {
  std::optional<LastRecord> found;
  Status st =
      store.Scan(keyspace::RecordKey(uid, shard, from), keyspace::RecordKey(uid, shard + 1, 0),
                 [&](std::string_view key, std::string_view value) {
                   found = NewestIn(key, value);
                   return false;
                 });
  if (!st.ok()) return st;
  return found;
}

// The newest stored record of a shard, by binary search over counters (the store scans
// forward only): O(64) seeks instead of reading the whole shard.
Result<std::optional<LastRecord>> FindLastRecord(const storage::Store& store, uint64_t uid,
                                                 uint32_t shard) {
  auto first = FirstRecordFrom(store, uid, shard, 0);
  if (!first.ok() || !first->has_value()) return first;
  LastRecord best = **first;
  uint64_t lo = best.counter + 1;  // search for a record at counter >= lo
  uint64_t hi = UINT64_MAX;        // no record above hi is known to exist... inclusive bound
  while (lo <= hi) {
    const uint64_t mid = lo + (hi - lo) / 2;
    auto probe = FirstRecordFrom(store, uid, shard, mid);
    if (!probe.ok()) return probe.status();
    if (probe->has_value()) {
      if ((*probe)->counter >= best.counter) best = **probe;
      // A damaged entry may hold a record below `mid` although it sorts at or after it: go
      // past `mid` anyway, so that every step halves [lo, hi] and the search ends.
      const uint64_t past = std::max((*probe)->counter, mid);
      if (past == UINT64_MAX) break;
      lo = past + 1;
    } else {
      if (mid == 0) break;
      hi = mid - 1;
    }
  }
  return std::optional<LastRecord>(best);
}

}  // namespace

Status KinesisService::Recover() {
  // Stream uids.
  auto next_uid = store_.Get(keyspace::NextUidKey());
  if (!next_uid.ok()) return next_uid.status();
  if (next_uid->has_value()) {
    std::string_view v(**next_uid);
    uint64_t uid = 0;
    if (storage::ReadU64BE(&v, &uid)) {
      next_uid_ = std::max<uint64_t>(uid, 1);
    } else {  // the streams' own uids below still keep new uids above every stored one
      spdlog::error("kinesis: unreadable record {} skipped",
                    storage::PrintableKey(keyspace::NextUidKey()));
    }
  }

  // Streams.
  std::vector<std::pair<uint64_t, std::string>> metas;
  const std::string prefix = keyspace::StreamPrefix();
  TP_RETURN_IF_ERROR(store_.Scan(prefix, storage::PrefixEnd(prefix),
                                 [&](std::string_view key, std::string_view value) {
                                   if (auto uid = keyspace::ParseStreamKey(key)) {
                                     metas.emplace_back(*uid, std::string(value));
                                   }
                                   return true;
                                 }));
  storage::WriteBatch fixups;
  std::vector<std::shared_ptr<Stream>> to_erase;
  for (auto& [uid, value] : metas) {
    // A uid is never reused, even when its stream's record cannot be read: its records stay
    // where they are, out of reach, instead of surfacing in a new stream.
    next_uid_ = std::max(next_uid_, uid + 1);
    auto decoded = DecodeStreamMeta(uid, value);
    if (!decoded.ok()) {
      spdlog::error("kinesis: unreadable stream record {} skipped: {}",
                    storage::PrintableKey(keyspace::StreamKey(uid)), decoded.status().ToString());
      continue;
    }
    std::shared_ptr<Stream> stream = std::move(decoded).value();
    for (auto& shard : stream->shards) {
      auto last = FindLastRecord(store_, uid, shard->index);
      if (!last.ok()) return last.status();
      if (last->has_value()) {
        shard->next_counter = std::max(shard->next_counter, (*last)->counter + 1);
        shard->last_arrival_micros = (*last)->arrival_micros;
        shard->committed_arrival_micros.store((*last)->arrival_micros);
      }
      shard->committed_counter.store(shard->next_counter - 1);
    }
    bool changed = false;
    if (stream->status == "CREATING" || stream->status == "UPDATING") {
      stream->status = "ACTIVE";
      changed = true;
    }
    for (auto it = stream->consumers.begin(); it != stream->consumers.end();) {
      if (it->second.status == "DELETING") {
        it = stream->consumers.erase(it);
        changed = true;
        continue;
      }
      if (it->second.status == "CREATING") {
        it->second.status = "ACTIVE";
        changed = true;
      }
      ++it;
    }
    {
      std::unique_lock lock(registry_mu_);
      streams_[RegistryKey(stream->account, stream->region, stream->name)] = stream;
      streams_by_uid_[uid] = stream;
    }
    if (stream->status == "DELETING") {
      to_erase.push_back(stream);
    } else if (changed) {
      std::lock_guard lock(stream->mu);
      fixups.Put(keyspace::StreamKey(uid), EncodeStreamMeta(*stream));
    }
  }
  for (const auto& stream : to_erase) EraseStream(stream, nullptr);
  if (!fixups.empty()) TP_RETURN_IF_ERROR(commits_.Submit(std::move(fixups), nullptr));

  // Account settings.
  const std::string settings_prefix = keyspace::AccountSettingsPrefix();
  TP_RETURN_IF_ERROR(
      store_.Scan(settings_prefix, storage::PrefixEnd(settings_prefix),
                  [&](std::string_view key, std::string_view value) {
                    boost::system::error_code ec;
                    json::value v = json::parse(value, ec);
                    const json::object* o = ec ? nullptr : v.if_object();
                    auto text = [&](std::string_view k) -> const json::string* {
                      const auto* x = o ? o->if_contains(k) : nullptr;
                      return x ? x->if_string() : nullptr;
                    };
                    if (!text("account") || !text("region") || !text("status")) {
                      spdlog::error("kinesis: unreadable account settings record {} skipped",
                                    storage::PrintableKey(key));
                      return true;
                    }
                    AccountSettings s;
                    auto num = [&](std::string_view k) {
                      const auto* x = o->if_contains(k);
                      return (x && x->is_number()) ? x->to_number<double>() : 0.0;
                    };
                    s.status = std::string(*text("status"));
                    s.started_at = num("started_at");
                    s.ended_at = num("ended_at");
                    s.earliest_end_at = num("earliest_end_at");
                    std::lock_guard lock(settings_mu_);
                    account_settings_[RegistryKey(*text("account"), *text("region"), "")] = s;
                    return true;
                  }));
  commits_.Flush();
  ScheduleTrim();
  return Status::Ok();
}

void KinesisService::ScheduleTrim() {
  if (options_.trim_interval.count() <= 0) return;
  auto timer = std::make_shared<boost::asio::steady_timer>(io_, options_.trim_interval);
  std::weak_ptr<std::atomic<bool>> alive = alive_;
  timer->async_wait([this, timer, alive](const boost::system::error_code& ec) {
    auto token = alive.lock();
    if (ec || !token || !token->load()) return;
    TrimExpiredRecords();
    ScheduleTrim();
  });
}

uint64_t KinesisService::TrimExpiredRecords() {
  // At most this many records are deleted per shard and pass, to bound each pass's work.
  constexpr uint64_t kMaxPerShard = 100'000;
  std::vector<std::shared_ptr<Stream>> streams;
  {
    std::shared_lock lock(registry_mu_);
    for (const auto& [uid, s] : streams_by_uid_) streams.push_back(s);
  }
  const int64_t now = clock_.NowMicros();
  uint64_t deleted = 0;
  for (const auto& stream : streams) {
    int64_t cutoff;
    std::vector<uint32_t> shard_indexes;
    {
      std::lock_guard lock(stream->mu);
      cutoff = now - int64_t{stream->retention_hours} * 3600 * 1'000'000;
      for (const auto& sh : stream->shards) shard_indexes.push_back(sh->index);
    }
    for (uint32_t index : shard_indexes) {
      uint64_t expired = 0;
      std::optional<uint64_t> first, last;
      Status st = store_.Scan(keyspace::RecordKey(stream->uid, index, 0),
                              keyspace::RecordKey(stream->uid, index + 1, 0),
                              [&](std::string_view key, std::string_view value) {
                                // An entry expires with its newest record.
                                uint64_t count = 0;
                                auto newest = NewestIn(key, value, &count);
                                auto key_counter = keyspace::ParseRecordCounter(key);
                                if (!newest || !key_counter || newest->arrival_micros >= cutoff) {
                                  return false;
                                }
                                if (!first) first = key_counter;
                                last = key_counter;
                                expired += count;
                                return expired < kMaxPerShard;
                              });
      if (!st.ok()) {
        spdlog::warn("kinesis: trim scan failed: {}", st.ToString());
        continue;
      }
      if (!last) continue;
      std::lock_guard lock(stream->mu);
      if (FindStreamByUid(stream->uid) != stream) break;  // deleted meanwhile
      storage::WriteBatch batch;
      batch.DeleteRange(keyspace::RecordKey(stream->uid, index, *first),
                        keyspace::RecordKey(stream->uid, index, *last + 1));
      // The metadata carries each shard's counter floor, so counters keep increasing after
      // a restart even when every record of the shard is gone.
      batch.Put(keyspace::StreamKey(stream->uid), EncodeStreamMeta(*stream));
      if (commits_.Submit(std::move(batch), nullptr).ok()) deleted += expired;
    }
  }
  return deleted;
}

}  // namespace tidepool::kinesis
