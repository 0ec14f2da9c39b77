// Time to live: a periodic sweep deletes items whose TTL attribute (epoch seconds) has passed.
#include <spdlog/spdlog.h>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/serialize.hpp>

#include "services/dynamodb/decimal.h"
#include "services/dynamodb/dynamodb_service.h"
#include "services/dynamodb/keyspace.h"
#include "services/dynamodb/stream_record.h"
#include "storage/key_codec.h"

namespace tidepool::dynamodb {
namespace {

constexpr size_t kMaxPerSweep = 1000;
constexpr double kStreamRetentionSeconds = 24 * 3600;
// AWS ignores TTL values more than five years in the past (likely not epoch seconds).
constexpr double kMaxPastSeconds = 5.0 * 365 * 24 * 3600;

bool Expired(const json::object& item, const std::string& attribute, double now) {
  const json::value* v = item.if_contains(attribute);
  if (!v || TypeOf(*v) != AttrType::kN) return false;
  auto d = Decimal::Parse(Payload(*v).get_string());
  if (!d.ok()) return false;
  const double at = std::strtod(d->ToString().c_str(), nullptr);
  return at <= now && at >= now - kMaxPastSeconds;
}

}  // namespace

uint64_t DynamoDbService::DeleteExpiredItems() {
  std::vector<std::shared_ptr<Table>> tables;
  {
    std::shared_lock lock(registry_mu_);
    for (const auto& [key, t] : tables_) tables.push_back(t);
  }
  const double now = clock_.NowSeconds();
  uint64_t deleted = 0;
  for (const auto& t : tables) {
    std::string attribute;
    {
      std::lock_guard lock(t->mu);
      if (!t->ttl_enabled) continue;
      attribute = t->ttl_attribute;
    }
    // Candidates from committed items, without the lock; confirmed under it.
    std::vector<std::string> keys;
    const std::string prefix = keyspace::IndexPrefix(t->uid, 0);
    Status s = store_.Scan(prefix, storage::PrefixEnd(prefix),
                           [&](std::string_view key, std::string_view value) {
                             auto item = DecodeItem(value);
                             if (item && Expired(*item, attribute, now)) keys.emplace_back(key);
                             return keys.size() < kMaxPerSweep;
                           });
    if (!s.ok() || keys.empty()) continue;
    std::lock_guard lock(t->mu);
    if (!t->ttl_enabled || t->status != "ACTIVE") continue;
    storage::WriteBatch batch;
    std::vector<std::pair<std::string, uint64_t>> versions;
    std::vector<std::pair<std::shared_ptr<Table>, uint64_t>> streams;
    for (const auto& key : keys) {
      if (t->InTransaction(key)) continue;  // the next sweep takes it
      auto old = t->ReadItem(store_, key);
      if (!old.ok() || !*old || !Expired(**old, t->ttl_attribute, now)) continue;
      ItemChange change{key, std::move(*old), std::nullopt, /*by_ttl=*/true};
      if (StageChange(*t, change, batch, versions)) {
        streams.assign(1, {t, t->next_stream_seq - 1});
      }
      ++deleted;
    }
    if (versions.empty()) continue;
    SubmitChanges({{t, std::move(versions)}}, std::move(streams), std::move(batch), nullptr,
                  [](const Status& st) {
                    if (!st.ok()) spdlog::error("dynamodb: TTL deletion failed: {}", st.ToString());
                  });
  }
  return deleted;
}

uint64_t DynamoDbService::TrimStreamRecords() {
  std::vector<std::shared_ptr<Table>> tables;
  {
    std::shared_lock lock(registry_mu_);
    for (const auto& [key, t] : tables_) tables.push_back(t);
  }
  const int64_t cutoff = clock_.NowMicros() - ScaledMicros(kStreamRetentionSeconds);
  uint64_t trimmed = 0;
  for (const auto& t : tables) {
    uint64_t uid, from;
    uint32_t epoch;
    {
      std::lock_guard lock(t->mu);
      if (t->stream_epoch == 0 || t->status != "ACTIVE") continue;
      uid = t->uid, epoch = t->stream_epoch, from = t->stream_trim_seq;
    }
    // Records are in creation order: the expired ones are a prefix of the epoch.
    uint64_t until = from;
    const std::string begin = keyspace::StreamRecordKey(uid, epoch, from);
    Status s = store_.Scan(begin, storage::PrefixEnd(keyspace::StreamEpochPrefix(uid, epoch)),
                           [&](std::string_view key, std::string_view value) {
                             auto seq = keyspace::ParseStreamSeq(key);
                             auto r = DecodeStreamRecord(value);
                             if (!seq || (r && r->created_micros >= cutoff)) return false;
                             until = *seq + 1;
                             return true;
                           });
    if (!s.ok() || until == from) continue;
    std::lock_guard lock(t->mu);
    if (t->stream_epoch != epoch || t->stream_trim_seq != from || t->status != "ACTIVE") continue;
    t->stream_trim_seq = until;
    trimmed += until - from;
    storage::WriteBatch batch;
    batch.DeleteRange(begin, keyspace::StreamRecordKey(uid, epoch, until));
    batch.Put(keyspace::TableKey(uid), json::serialize(t->ToJson()));
    Status submitted = commits_.Submit(std::move(batch), [](const Status& st) {
      if (!st.ok()) spdlog::error("dynamodb: stream trimming failed: {}", st.ToString());
    });
    if (!submitted.ok()) spdlog::error("dynamodb: stream trimming: {}", submitted.ToString());
  }
  return trimmed;
}

void DynamoDbService::StartTtlSweeper(boost::asio::io_context& io,
                                      std::chrono::milliseconds interval) {
  auto timer = std::make_shared<boost::asio::steady_timer>(io);
  auto alive = alive_;
  auto arm = std::make_shared<std::function<void()>>();
  *arm = [this, timer, alive, interval, weak = std::weak_ptr<std::function<void()>>(arm)] {
    timer->expires_after(interval);
    timer->async_wait([this, alive, weak](const boost::system::error_code& ec) {
      if (ec || !alive->load()) return;
      DeleteExpiredItems();
      TrimStreamRecords();
      if (auto next = weak.lock()) (*next)();
    });
  };
  ttl_rearm_ = arm;
  (*arm)();
}

}  // namespace tidepool::dynamodb
