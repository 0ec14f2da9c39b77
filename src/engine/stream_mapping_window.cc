// StreamMapping's tumbling windows: when a lane's window is over, its final invocation, and how
// windows are stored with the shard's position (stream_mapping.h).
#include <spdlog/spdlog.h>
#include <boost/json.hpp>

#include <algorithm>
#include <charconv>

#include "engine/stream_mapping.h"
#include "engine/stream_mapping_shard.h"

namespace tidepool::engine {
namespace json = boost::json;
using std::chrono::milliseconds;

namespace {

std::string OneLaneKey(const std::string& shard) { return shard + "#window"; }
std::string LaneKey(const std::string& shard, size_t lane) {
  return fmt::format("{}#window/{}", shard, lane);
}

}  // namespace

int64_t StreamMapping::WindowOf(const json::object& record) const {
  return WindowStart(ArrivalOf(record), view_->tumbling_window_seconds * 1000);
}

bool StreamMapping::Relaning(const Shard& shard) const { return shard.lanes.size() != LaneCount(); }

bool StreamMapping::WindowOver(const Shard& shard, const Lane& lane) const {
  if (lane.window_start < 0) return false;
  const int64_t length = view_->tumbling_window_seconds * 1000;
  if (length <= 0 || lane.window_full) return true;  // windows were turned off, or it is full
  if (!lane.buffer.empty()) return WindowOf(lane.buffer.front().record) != lane.window_start;
  // A new lane count waits for every window to close.
  return shard.ended || Relaning(shard) || NowMs() >= lane.window_start + length;
}

StreamMapping::Positions StreamMapping::WindowRecords(const Shard& shard, const Lane& lane) const {
  if (shard.lanes.size() == 1) {
    return {{OneLaneKey(shard.id),
             lane.window_start < 0 ? std::string()
                                   : fmt::format("{} {}", lane.window_start, lane.window_state)}};
  }
  size_t index = 0;
  while (index < shard.lanes.size() && shard.lanes[index].get() != &lane) ++index;
  StoredLaneWindow w{shard.lanes.size(), lane.window_start, lane.through,
                     lane.window_start < 0 ? std::string() : lane.window_state};
  return {{LaneKey(shard.id, index), FormatLaneWindow(w)}};
}

StreamMapping::Positions StreamMapping::ClearedWindowRecords(const Shard& shard) const {
  Positions out;
  if (shard.lanes.size() == 1) {
    out.emplace_back(OneLaneKey(shard.id), "");
  } else {
    for (size_t i = 0; i < shard.lanes.size(); ++i) out.emplace_back(LaneKey(shard.id, i), "");
  }
  return out;
}

void StreamMapping::LoadWindows(Shard& shard) {
  // Several lanes: the stored records say how many there were; they stay until their windows
  // close (Pump then takes the current factor).
  std::vector<std::pair<size_t, StoredLaneWindow>> lanes;
  for (size_t i = 0; i < 10; ++i) {
    auto it = positions_.find(LaneKey(shard.id, i));
    if (it == positions_.end() || it->second.empty()) continue;
    auto w = ParseLaneWindow(it->second);
    if (!w || i >= w->lanes) {
      spdlog::warn("mapping {}: ignoring a stored window of {}: {}", view_->uuid, shard.id,
                   it->second);
      continue;
    }
    lanes.emplace_back(i, std::move(*w));
  }
  if (!lanes.empty()) {
    shard.SetLanes(lanes.front().second.lanes);
    for (auto& [i, w] : lanes) {
      if (w.lanes != shard.lanes.size()) continue;  // cleared at a change the write did not reach
      Lane& lane = *shard.lanes[i];
      lane.window_start = w.start_ms;
      if (w.start_ms >= 0) lane.window_state = std::move(w.state);
      lane.through = w.through;
      lane.skip_through = std::move(w.through);
    }
    return;
  }
  shard.SetLanes(LaneCount());
  auto one = positions_.find(OneLaneKey(shard.id));
  if (one == positions_.end() || one->second.empty()) return;
  // One lane (also a window stored before a change of factor took effect).
  if (shard.lanes.size() != 1) shard.SetLanes(1);
  const std::string& text = one->second;
  const size_t space = text.find(' ');
  int64_t start = -1;
  std::from_chars(text.data(), text.data() + std::min(space, text.size()), start);
  Lane& lane = *shard.lanes.front();
  lane.window_start = start;
  if (space != std::string::npos) lane.window_state = text.substr(space + 1);
}

void StreamMapping::EndWindow(const ShardPtr& shard, const LanePtr& lane, bool early) {
  WindowInvoke w;
  lambda::MappingViewPtr view;
  {
    std::lock_guard lock(mu_);
    view = view_;
    w.start_ms = lane->window_start;
    w.end_ms = lane->window_start + std::max<int64_t>(view->tumbling_window_seconds, 0) * 1000;
    w.state = lane->window_state;
    w.shard_id = shard->id;
    w.source_arn = view->source_arn;
    w.final = true;
    w.terminated_early = early;
    ++in_flight_;
  }
  functions::Invocation invocation;
  invocation.payload = WindowPayload(json::array(), w);
  auto self = shared_from_this();
  deps_.lambda.InvokeFunction(
      view->function_arn, view->account, view->region, std::move(invocation),
      [self, shard, lane, view](functions::InvokeOutcome outcome) {
        using Kind = functions::InvokeOutcome::Kind;
        {
          std::lock_guard lock(self->mu_);
          --self->in_flight_;
        }
        if (outcome.kind != Kind::kSuccess) {
          // AWS holds the shard until the window's final invocation succeeds.
          spdlog::debug("mapping {}: final window invocation on {} failed: {}", view->uuid,
                        shard->id, outcome.message);
          return self->LaneAfter(shard, lane,
                                 milliseconds(outcome.kind == Kind::kThrottled ? 200 : 1000));
        }
        Positions windows;
        {
          std::lock_guard lock(self->mu_);
          // An early end goes on in the same window with a fresh state, unless it is over too.
          lane->window_full = false;
          lane->window_state = "{}";
          if (self->WindowOver(*shard, *lane)) lane->window_start = -1;
          lane->busy = false;
          windows = self->WindowRecords(*shard, *lane);
        }
        self->SavePosition(shard, "", {}, std::move(windows));
        self->Pump(shard);
      });
}

}  // namespace tidepool::engine
