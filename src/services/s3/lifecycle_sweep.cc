// The lifecycle sweeper: every options.lifecycle_sweep_ms of AWS time (times time_scale) it
// scans the buckets that have lifecycle rules and expires what is due, through the same
// writes a client's DELETE makes (so versioning, body files and notifications behave alike;
// the events are s3:LifecycleExpiration:*). A current version is expired only if it is still
// the one the scan saw (its seq); a delete marker only once no noncurrent version is left.
// Transitions rewrite the version's StorageClass in place (RewriteVersion, event
// s3:LifecycleTransition), again only if it is still the version the scan saw.
#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>
#include <boost/json.hpp>

#include <chrono>

#include "services/s3/keyspace.h"
#include "services/s3/lifecycle.h"
#include "services/s3/s3_errors.h"
#include "services/s3/s3_service.h"
#include "storage/key_codec.h"

namespace tidepool::s3 {
namespace json = boost::json;

namespace {

constexpr size_t kMaxExpirationsPerBucket = 1000;  // per sweep; the next sweep does the rest

// A version due for a transition: its key, version id, seq when the scan saw it, and class.
struct Move {
  std::string key;
  std::string version_id;
  uint64_t seq = 0;
  std::string storage_class;
};

}  // namespace

void S3Service::StartLifecycleSweeper(boost::asio::io_context& io) {
  lifecycle_timer_ = std::make_unique<boost::asio::steady_timer>(io);
  ScheduleLifecycleSweep();
}

void S3Service::ScheduleLifecycleSweep() {
  auto micros = static_cast<int64_t>(static_cast<double>(options_.lifecycle_sweep_ms) * 1000.0 *
                                     options_.time_scale);
  lifecycle_timer_->expires_after(std::chrono::microseconds(std::max<int64_t>(micros, 10'000)));
  lifecycle_timer_->async_wait([this, alive = alive_](const boost::system::error_code& ec) {
    if (ec || !alive->load()) return;
    RunBlocking([this, alive] {
      if (!alive->load()) return;
      SweepLifecycle();
      // Re-armed from the timer's own executor, never concurrently with its last handler.
      boost::asio::post(lifecycle_timer_->get_executor(), [this, alive] {
        if (alive->load()) ScheduleLifecycleSweep();
      });
    });
  });
}

void S3Service::SweepLifecycle() {
  std::vector<std::shared_ptr<Bucket>> buckets;
  {
    std::shared_lock lock(registry_mu_);
    for (const auto& [name, bucket] : buckets_) buckets.push_back(bucket);
  }
  const double now = static_cast<double>(clock_.NowMillis()) / 1000.0;
  const double day = 86400.0 * options_.time_scale;
  protocol::RequestContext context;
  context.account_id = "AmazonS3";
  context.request_id = "tidepool-lifecycle";
  auto ignore = [](Status, Deleted) {};
  for (const auto& bucket : buckets) {
    std::vector<LifecycleRule> rules;
    uint64_t uid = 0;
    {
      std::lock_guard lock(bucket->mu);
      const json::value* config = bucket->record.configs.if_contains("lifecycle");
      if (config == nullptr || !config->is_object()) continue;
      rules = EnabledRules(config->get_object());
      uid = bucket->record.uid;
    }
    if (rules.empty()) continue;
    std::vector<std::pair<std::string, uint64_t>> expire;      // key, seq of the latest
    std::vector<std::pair<std::string, std::string>> remove;   // key, version id
    std::vector<std::pair<std::string, std::string>> markers;  // lone-marker candidates
    std::vector<Move> moves;
    const std::string objects = keyspace::ObjectPrefix(uid);
    Status s = store_.Scan(
        objects, storage::PrefixEnd(objects),
        [&](std::string_view store_key, std::string_view value) {
          std::string key(store_key.substr(objects.size()));
          auto r = DecodeObject(value);
          if (!r.ok()) return true;
          for (const LifecycleRule& rule : rules) {
            if (!RuleSelects(rule, key, *r)) continue;
            if (r->delete_marker && rule.expired_delete_marker) {
              markers.emplace_back(key, VisibleVersionId(*r));
              break;
            }
            if (!r->delete_marker && CurrentDue(rule, *r, now, day)) {
              expire.emplace_back(key, r->seq);
              break;
            }
            if (r->delete_marker) continue;
            if (auto to = CurrentTransition(rule, *r, now, day)) {
              moves.push_back({key, std::string(VisibleVersionId(*r)), r->seq, std::move(*to)});
              break;
            }
          }
          return expire.size() + markers.size() + moves.size() < kMaxExpirationsPerBucket;
        });
    if (!s.ok()) {
      spdlog::warn("s3: lifecycle sweep of {} failed: {}", bucket->record.name, s.ToString());
      continue;
    }
    const std::string versions = keyspace::BucketVersionsPrefix(uid);
    std::string previous_key;
    size_t newer = 0;  // noncurrent versions of the key seen before this one
    s = store_.Scan(
        versions, storage::PrefixEnd(versions),
        [&](std::string_view store_key, std::string_view value) {
          auto key = keyspace::ParseVersionKey(uid, store_key);
          auto r = DecodeObject(value);
          if (!key || !r.ok()) return true;
          newer = *key == previous_key ? newer + 1 : 0;
          previous_key = *key;
          for (const LifecycleRule& rule : rules) {
            if (!RuleSelects(rule, *key, *r)) continue;
            if (NoncurrentDue(rule, *r, newer, now, day)) {
              remove.emplace_back(*key, std::string(VisibleVersionId(*r)));
              break;
            }
            if (r->delete_marker) continue;
            if (auto to = NoncurrentTransition(rule, *r, newer, now, day)) {
              moves.push_back({*key, std::string(VisibleVersionId(*r)), r->seq, std::move(*to)});
              break;
            }
          }
          return remove.size() + moves.size() < kMaxExpirationsPerBucket;
        });
    if (!s.ok()) continue;
    for (auto& [key, version_id] : markers) {
      auto noncurrent = ReadNoncurrent(uid, key);
      if (noncurrent.ok() && noncurrent->empty()) remove.emplace_back(key, version_id);
    }
    for (auto& [key, seq] : expire) {
      Precondition unchanged = [seq = seq](const ObjectRecord* current) {
        if (current != nullptr && current->seq == seq) return Status::Ok();
        return Status::FailedPrecondition("the object changed since the sweep saw it");
      };
      DeleteKey(bucket, key, std::move(unchanged), "s3:LifecycleExpiration", context, ignore);
    }
    for (auto& [key, version_id] : remove) {
      DeleteVersion(bucket, key, version_id, "s3:LifecycleExpiration", context, ignore);
    }
    for (Move& move : moves) {
      auto change = [seq = move.seq, to = move.storage_class](ObjectRecord* r) {
        if (r->seq != seq) return Status::FailedPrecondition("the version changed since the sweep");
        r->headers["StorageClass"] = to;
        return Status::Ok();
      };
      RewriteVersion(bucket, std::move(move.key), std::move(move.version_id), std::move(change),
                     "s3:LifecycleTransition", context, [](Status) {});
    }
    // Incomplete multipart uploads past their rule's DaysAfterInitiation.
    std::vector<std::string> aborts;
    const std::string uploads = keyspace::UploadPrefix(uid);
    s = store_.Scan(uploads, storage::PrefixEnd(uploads),
                    [&](std::string_view, std::string_view value) {
                      auto u = DecodeUpload(value);
                      if (!u.ok()) return true;
                      for (const LifecycleRule& rule : rules) {
                        if (UploadDue(rule, u->key, u->initiated, now, day)) {
                          aborts.push_back(u->upload_id);
                          break;
                        }
                      }
                      return aborts.size() < kMaxExpirationsPerBucket;
                    });
    for (const std::string& upload_id : aborts) {
      AbortUpload(bucket, upload_id, [upload_id](const Status& st) {
        if (!st.ok()) spdlog::warn("s3: lifecycle abort of {}: {}", upload_id, st.ToString());
      });
    }
    if (!expire.empty() || !remove.empty() || !aborts.empty() || !moves.empty()) {
      spdlog::info(
          "s3: lifecycle expires {} objects and {} versions, transitions {} versions and aborts "
          "{} uploads of {}",
          expire.size(), remove.size(), moves.size(), aborts.size(), bucket->record.name);
    }
  }
}

}  // namespace tidepool::s3
