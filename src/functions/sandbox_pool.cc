#include "functions/sandbox_pool.h"

#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>

#include <algorithm>

namespace tidepool::functions {

SandboxPool::SandboxPool(boost::asio::io_context& io, SandboxPoolOptions options)
    : io_(io), options_(std::move(options)), reap_timer_(io) {
  ScheduleReap();
}

SandboxPool::~SandboxPool() { Stop(); }

size_t SandboxPool::running_sandboxes() const {
  std::lock_guard lock(mu_);
  return static_cast<size_t>(total_);
}

bool SandboxPool::EvictIdleLocked(const std::string& except,
                                  std::vector<std::shared_ptr<Sandbox>>* out) {
  Group* oldest_group = nullptr;
  std::chrono::steady_clock::time_point oldest;
  for (auto& [key, group] : groups_) {
    if (key == except || group.idle.empty()) continue;
    // Provisioned sandboxes stay: only those past the group's provisioned count may go.
    if (group.busy + static_cast<int>(group.idle.size()) <= group.provisioned) continue;
    const auto used = group.idle.front()->last_used();  // idle is oldest first
    if (!oldest_group || used < oldest) {
      oldest_group = &group;
      oldest = used;
    }
  }
  if (!oldest_group) return false;
  out->push_back(std::move(oldest_group->idle.front()));
  oldest_group->idle.erase(oldest_group->idle.begin());
  return true;
}

void SandboxPool::Invoke(FunctionSpecPtr spec, Invocation invocation, InvokeDone done) {
  const std::string key = GroupKey(*spec);
  std::shared_ptr<Sandbox> sandbox;
  std::vector<std::shared_ptr<Sandbox>> stale;
  {
    std::lock_guard lock(mu_);
    Group& group = groups_[key];
    while (!group.idle.empty()) {
      std::shared_ptr<Sandbox> candidate = std::move(group.idle.back());
      group.idle.pop_back();
      if (candidate->alive() && candidate->spec().revision == spec->revision) {
        sandbox = std::move(candidate);
        break;
      }
      stale.push_back(std::move(candidate));
    }
    if (!sandbox) {
      const int group_total = group.busy + static_cast<int>(group.idle.size());
      const char* limit = nullptr;
      if ((spec->reserved_concurrency >= 0 && group_total >= spec->reserved_concurrency) ||
          (spec->max_environments >= 0 && group_total >= spec->max_environments)) {
        limit = "ReservedFunctionConcurrentInvocationLimitExceeded";
      } else if (total_ - static_cast<int>(stale.size()) >= options_.max_sandboxes &&
                 !EvictIdleLocked(key, &stale)) {
        // Stale sandboxes (an older revision) and an evicted idle one of another function are
        // ending below and leave room for this one. AWS has no such machine-wide cap, so a
        // throttle means every sandbox is busy.
        limit = "ConcurrentInvocationLimitExceeded";
      }
      if (limit != nullptr) {
        PostOutcome(InvokeOutcome::Kind::kThrottled, limit, std::move(done));
        for (auto& s : stale) s->Kill("replaced");
        return;
      }
      ++total_;
    }
    ++group.busy;
  }
  for (auto& s : stale) s->Kill("replaced by a newer revision");

  if (!sandbox) {
    sandbox = std::make_shared<Sandbox>(io_, spec, options_.sandbox);
    {
      std::lock_guard lock(mu_);
      std::erase_if(started_, [](const std::weak_ptr<Sandbox>& w) { return w.expired(); });
      started_.push_back(sandbox);
    }
    const Sandbox* raw = sandbox.get();
    Status s = sandbox->Start([this, key, raw] { Forget(key, raw); });
    if (!s.ok()) {
      {
        std::lock_guard lock(mu_);
        --groups_[key].busy;
        --total_;
      }
      spdlog::warn("lambda: cannot start a sandbox for {}: {}", spec->function_name, s.ToString());
      PostOutcome(InvokeOutcome::Kind::kServiceError, s.message(), std::move(done));
      return;
    }
  }
  sandbox->Invoke(std::move(invocation),
                  [this, key, sandbox, done = std::move(done)](InvokeOutcome outcome) {
                    Release(key, sandbox);
                    done(std::move(outcome));
                  });
}

void SandboxPool::PostOutcome(InvokeOutcome::Kind kind, std::string message, InvokeDone done) {
  InvokeOutcome outcome;
  outcome.kind = kind;
  outcome.message = std::move(message);
  boost::asio::post(io_, [done = std::move(done), outcome = std::move(outcome)]() mutable {
    done(std::move(outcome));
  });
}

void SandboxPool::Release(const std::string& key, const std::shared_ptr<Sandbox>& sandbox) {
  std::lock_guard lock(mu_);
  Group& group = groups_[key];
  --group.busy;
  if (sandbox->alive() && !stopped_) group.idle.push_back(sandbox);
}

void SandboxPool::Forget(const std::string& key, const Sandbox* sandbox) {
  std::shared_ptr<Sandbox> keep;  // destroyed outside the lock
  std::lock_guard lock(mu_);
  --total_;
  auto it = groups_.find(key);
  if (it == groups_.end()) return;
  auto& idle = it->second.idle;
  for (auto i = idle.begin(); i != idle.end(); ++i) {
    if (i->get() == sandbox) {
      keep = std::move(*i);
      idle.erase(i);
      break;
    }
  }
}

void SandboxPool::EndFunction(const std::string& function_arn) {
  std::vector<std::shared_ptr<Sandbox>> ending;
  {
    std::lock_guard lock(mu_);
    for (auto& [key, group] : groups_) {
      if (key.substr(0, key.find('\n')) != function_arn) continue;
      for (auto& s : group.idle) ending.push_back(s);
    }
  }
  for (auto& s : ending) s->Kill("the function was deleted");
}

int SandboxPool::Provision(FunctionSpecPtr spec, int count) {
  const std::string key = GroupKey(*spec);
  std::vector<std::shared_ptr<Sandbox>> starting;
  int have = 0;
  {
    std::lock_guard lock(mu_);
    if (stopped_) return 0;
    Group& group = groups_[key];
    group.provisioned = std::max(count, 0);
    have = group.busy;
    for (const auto& s : group.idle) {
      if (s->alive() && s->spec().revision == spec->revision) ++have;
    }
    while (have < group.provisioned && total_ < options_.max_sandboxes) {
      auto sandbox = std::make_shared<Sandbox>(io_, spec, options_.sandbox);
      std::erase_if(started_, [](const std::weak_ptr<Sandbox>& w) { return w.expired(); });
      started_.push_back(sandbox);
      starting.push_back(std::move(sandbox));
      ++total_;
      ++have;
    }
  }
  for (auto& sandbox : starting) {
    const Sandbox* raw = sandbox.get();
    Status s = sandbox->Start([this, key, raw] { Forget(key, raw); });
    std::lock_guard lock(mu_);
    if (!s.ok()) {
      --total_;
      --have;
      spdlog::warn("lambda: cannot start a provisioned sandbox for {}: {}", spec->function_name,
                   s.ToString());
      continue;
    }
    groups_[key].idle.push_back(std::move(sandbox));
  }
  return have;
}

void SandboxPool::Stop() {
  std::vector<std::shared_ptr<Sandbox>> ending;
  {
    std::lock_guard lock(mu_);
    stopped_ = true;
    for (auto& [key, group] : groups_) group.idle.clear();
    for (auto& weak : started_) {
      if (auto s = weak.lock()) ending.push_back(std::move(s));
    }
    started_.clear();
  }
  reap_timer_.cancel();
  for (auto& s : ending) s->Kill("tidepool is stopping");
}

void SandboxPool::ScheduleReap() {
  reap_timer_.expires_after(
      std::min<std::chrono::milliseconds>(options_.idle_timeout, std::chrono::seconds(30)));
  reap_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    std::vector<std::shared_ptr<Sandbox>> ending;
    const auto cutoff = std::chrono::steady_clock::now() - options_.idle_timeout;
    {
      std::lock_guard lock(mu_);
      if (stopped_) return;
      for (auto& [key, group] : groups_) {
        // The oldest idle sandboxes end first; provisioned ones stay.
        int keep = group.provisioned;
        for (auto& s : group.idle) {
          if (keep > 0) {
            --keep;
            continue;
          }
          if (s->last_used() < cutoff) ending.push_back(s);
        }
      }
    }
    for (auto& s : ending) s->Kill("idle");
    ScheduleReap();
  });
}

}  // namespace tidepool::functions
