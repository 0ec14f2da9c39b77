// Function output into log groups (Ingest): buffered, then written in batches nobody waits for.
#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>

#include <map>
#include <tuple>

#include "services/logs/keyspace.h"
#include "services/logs/logs_service.h"

namespace tidepool::logs {

namespace {
// AWS's largest event: 256 KiB less the 26 bytes it counts per event.
constexpr size_t kMaxMessageBytes = 262'144 - 26;
}  // namespace

void LogsService::Ingest(const std::string& account, const std::string& region,
                         const std::string& group, const std::string& stream,
                         std::vector<IngestedLine> lines) {
  if (lines.empty()) return;
  size_t bytes = 0;
  for (auto& line : lines) {
    if (line.message.size() > kMaxMessageBytes) line.message.resize(kMaxMessageBytes);
    bytes += line.message.size() + 26;
  }
  bool post = false;
  {
    std::lock_guard lock(pending_mu_);
    pending_.push_back({account, region, group, stream, std::move(lines)});
    pending_bytes_ += bytes;
    // The store is far behind: the oldest waiting output goes first.
    while (pending_bytes_ > options_.max_pending_bytes && pending_.size() > 1) {
      for (const auto& line : pending_.front().lines) pending_bytes_ -= line.message.size() + 26;
      dropped_lines_ += pending_.front().lines.size();
      pending_.pop_front();
    }
    if (!flush_posted_) flush_posted_ = post = true;
  }
  if (post) {
    boost::asio::post(io_, [this, alive = alive_] {
      if (alive->load()) FlushIngested();
    });
  }
}

LogsService::GroupPtr LogsService::FindOrCreateGroup(const std::string& account,
                                                     const std::string& region,
                                                     const std::string& name,
                                                     storage::WriteBatch* batch) {
  if (auto g = FindGroup(account, region, name)) return g;
  std::unique_lock lock(registry_mu_);
  auto& slot = groups_[RegistryKey(account, region, name)];
  if (slot) return slot;
  slot = std::make_shared<LogGroup>();
  slot->uid = NextUid();
  slot->account = account;
  slot->region = region;
  slot->name = name;
  slot->created = clock_.NowMillis();
  batch->Put(keyspace::GroupKey(slot->uid), GroupRecord(*slot));
  return slot;
}

void LogsService::FlushIngested() {
  std::deque<PendingLines> work;
  {
    std::lock_guard lock(pending_mu_);
    work.swap(pending_);
    pending_bytes_ = 0;
    flush_posted_ = false;
  }
  // One stream record per stream and batch, however many pieces its output came in.
  std::map<std::tuple<std::string, std::string, std::string, std::string>,
           std::vector<IngestedLine>>
      by_stream;
  for (auto& p : work) {
    auto& lines = by_stream[{std::move(p.account), std::move(p.region), std::move(p.group),
                             std::move(p.stream)}];
    for (auto& line : p.lines) lines.push_back(std::move(line));
  }
  const int64_t now = clock_.NowMillis();
  storage::WriteBatch batch;
  uint64_t count = 0;
  for (auto& [target, lines] : by_stream) {
    const auto& [account, region, group_name, stream_name] = target;
    GroupPtr g = FindOrCreateGroup(account, region, group_name, &batch);
    std::lock_guard lock(g->mu);
    if (g->deleted) continue;  // deleted at this very moment: its output goes with it
    auto [it, created] = g->streams.try_emplace(stream_name);
    LogStream& st = it->second;
    if (created) {
      st.uid = NextUid();
      st.name = stream_name;
      st.created = now;
    }
    for (const auto& line : lines) StageEvent(*g, st, line.timestamp_ms, line.message, now, &batch);
    batch.Put(keyspace::StreamKey(g->uid, st.uid), StreamRecord(st));
    count += lines.size();
  }
  ingested_lines_ += count;
  if (batch.empty()) return;
  Submit(std::move(batch), nullptr, [](const Status& s) {
    if (!s.ok()) spdlog::warn("logs: writing function output failed: {}", s.ToString());
  });
}

}  // namespace tidepool::logs
