#include "services/cloudformation/cloudformation_service.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/json.hpp>

#include <algorithm>
#include <array>
#include <future>

#include "protocol/model/models.h"
#include "services/cloudformation/keyspace.h"
#include "storage/key_codec.h"
#include "storage/skipped_records.h"

namespace tidepool::cloudformation {
namespace json = boost::json;
using protocol::CallPtr;

// The registration table: operation name -> handler. Operations of the model that are not
// listed (stack sets, drift, resource import, hooks, type registry, ...) fail with a
// ValidationError naming what tidepool serves (docs/differences.md).
struct CloudFormationTable {
  struct Entry {
    std::string_view operation;
    CloudFormationService::Handler handler;
  };
  using S = CloudFormationService;
  static constexpr std::array<Entry, 23> kEntries{{
      {"CancelUpdateStack", &S::CancelUpdateStack},
      {"ContinueUpdateRollback", &S::ContinueRollback},
      {"CreateChangeSet", &S::CreateChangeSet},
      {"CreateStack", &S::CreateStack},
      {"DeleteChangeSet", &S::DeleteChangeSet},
      {"DeleteStack", &S::DeleteStack},
      {"DescribeChangeSet", &S::DescribeChangeSet},
      {"DescribeStackEvents", &S::DescribeStackEvents},
      {"DescribeStackResource", &S::DescribeStackResource},
      {"DescribeStackResources", &S::DescribeStackResources},
      {"DescribeStacks", &S::DescribeStacks},
      {"ExecuteChangeSet", &S::ExecuteChangeSet},
      {"GetTemplate", &S::GetTemplate},
      {"GetTemplateSummary", &S::GetTemplateSummary},
      {"ListChangeSets", &S::ListChangeSets},
      {"ListExports", &S::ListExports},
      {"ListImports", &S::ListImports},
      {"ListStackResources", &S::ListStackResources},
      {"ListStacks", &S::ListStacks},
      {"RollbackStack", &S::ContinueRollback},
      {"UpdateStack", &S::UpdateStack},
      {"UpdateTerminationProtection", &S::UpdateTerminationProtection},
      {"ValidateTemplate", &S::ValidateTemplate},
  }};
  static const Entry* Find(std::string_view operation) {
    auto it =
        std::lower_bound(kEntries.begin(), kEntries.end(), operation,
                         [](const Entry& e, std::string_view op) { return e.operation < op; });
    return (it != kEntries.end() && it->operation == operation) ? &*it : nullptr;
  }
};

// ---------------------------------------------------------------------------- WorkThread

WorkThread::WorkThread() : thread_([this] { Loop(); }) {}

WorkThread::~WorkThread() { Stop(); }

void WorkThread::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    queue_.clear();
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void WorkThread::Post(std::function<void()> work) {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    queue_.push_back(std::move(work));
  }
  cv_.notify_one();
}

void WorkThread::Loop() {
  while (true) {
    std::function<void()> work;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      work = std::move(queue_.front());
      queue_.pop_front();
    }
    work();
  }
}

// ---------------------------------------------------------------------------- service

protocol::AwsError ToAwsError(const Status& status) {
  switch (status.code()) {
    case StatusCode::kInvalidArgument:
    case StatusCode::kNotFound:
    case StatusCode::kUnavailable:
      return {"ValidationError", status.message(), 400};
    case StatusCode::kAlreadyExists:
      return {"AlreadyExistsException", status.message(), 400};
    case StatusCode::kFailedPrecondition:
      return {"InsufficientCapabilitiesException", status.message(), 400};
    case StatusCode::kResourceExhausted:
      return {"LimitExceededException", status.message(), 400};
    default:
      return {"InternalFailure", status.ToString(), 500, false};
  }
}

CloudFormationService::CloudFormationService(storage::Store& store, storage::CommitQueue& commits,
                                             const Clock& clock)
    : store_(store),
      commits_(commits),
      clock_(clock),
      deployer_(
          *this,
          [this](const std::string& account, const std::string& region) {
            return callers_(account, region);
          },
          clock) {}

CloudFormationService::~CloudFormationService() = default;

void CloudFormationService::Stop() {
  prepare_.Stop();
  deploy_.Stop();
}

const protocol::model::ServiceModel& CloudFormationService::Model() const {
  return protocol::model::CloudFormationModel();
}

void CloudFormationService::Invoke(CallPtr call) {
  const CloudFormationTable::Entry* entry = CloudFormationTable::Find(call->operation().name);
  if (entry == nullptr) {
    return call->Fail(protocol::AwsError{
        "ValidationError",
        fmt::format("tidepool does not serve the CloudFormation action {} (it serves stacks, "
                    "change sets and exports; see docs/differences.md)",
                    call->operation().name),
        400});
  }
  (this->*entry->handler)(std::move(call));
}

json::object CloudFormationService::Health() const {
  std::lock_guard lock(mu_);
  size_t live = 0;
  for (const auto& [_, s] : stacks_) live += s.Deleted() ? 0 : 1;
  return json::object{{"status", "running"}, {"stacks", live}};
}

void CloudFormationService::Fail(const CallPtr& call, const Status& status) {
  if (call) call->Fail(ToAwsError(status));
}

Stack* CloudFormationService::FindStack(const protocol::RequestContext& ctx,
                                        std::string_view name_or_id) {
  if (name_or_id.starts_with("arn:")) {
    auto it = stacks_.find(std::string(name_or_id));
    if (it == stacks_.end() || it->second.account != ctx.account_id) return nullptr;
    return &it->second;
  }
  for (auto& [_, s] : stacks_) {
    if (s.name == name_or_id && !s.Deleted() && s.account == ctx.account_id &&
        s.region == ctx.region) {
      return &s;
    }
  }
  return nullptr;
}

Result<Stack> CloudFormationService::CopyStack(const protocol::RequestContext& ctx,
                                               std::string_view name_or_id) {
  std::lock_guard lock(mu_);
  if (Stack* s = FindStack(ctx, name_or_id)) return *s;
  return Status::InvalidArgument("Stack with id " + std::string(name_or_id) + " does not exist");
}

void CloudFormationService::Deploy(const Stack& s) {
  deploy_.Post([this, s] { deployer_.Run(s); });
}

Status CloudFormationService::Save(const Stack& s) {
  std::promise<Status> durable;
  auto done = durable.get_future();
  {
    std::lock_guard lock(mu_);
    Stack& stored = stacks_[s.id];
    const bool protect =
        stored.id.empty() ? s.termination_protection : stored.termination_protection;
    stored = s;
    stored.termination_protection = protect;
    storage::WriteBatch batch;
    batch.Put(keyspace::StackKey(s.id), EncodeStack(stored));
    Status st =
        commits_.Submit(std::move(batch), [&durable](const Status& st) { durable.set_value(st); });
    if (!st.ok()) return st;
  }
  return done.get();
}

std::optional<std::pair<std::string, std::string>> CloudFormationService::FindExport(
    const std::string& account, const std::string& region, const std::string& name) {
  std::lock_guard lock(mu_);
  for (const auto& [id, s] : stacks_) {
    if (s.Deleted() || s.account != account || s.region != region) continue;
    for (const auto& o : s.outputs) {
      const json::object& out = o.as_object();
      const json::value* e = out.if_contains("ExportName");
      if (e && e->is_string() && e->get_string() == name) {
        const json::value* v = out.if_contains("OutputValue");
        return std::pair{id, v && v->is_string() ? std::string(v->get_string()) : ""};
      }
    }
  }
  return std::nullopt;
}

std::vector<std::string> CloudFormationService::Importers(const std::string& account,
                                                          const std::string& region,
                                                          const std::string& name,
                                                          const std::string& except_id) {
  std::lock_guard lock(mu_);
  std::vector<std::string> out;
  for (const auto& [id, s] : stacks_) {
    if (id == except_id || s.Deleted() || s.account != account || s.region != region) continue;
    if (s.status == "ROLLBACK_COMPLETE" || s.status == "REVIEW_IN_PROGRESS") continue;
    if (s.imports.contains(name)) out.push_back(s.name);
  }
  return out;
}

bool CloudFormationService::TakeCancel(const std::string& id) {
  std::lock_guard lock(mu_);
  return cancels_.erase(id) > 0;
}

Status CloudFormationService::Recover() {
  storage::SkippedRecords skipped("cloudformation");
  std::vector<Stack> interrupted;
  {
    std::lock_guard lock(mu_);
    const std::string prefix = keyspace::StackPrefix();
    TP_RETURN_IF_ERROR(store_.Scan(prefix, storage::PrefixEnd(prefix),
                                   [&](std::string_view key, std::string_view value) {
                                     auto s = DecodeStack(value);
                                     if (!s.ok() || s->id.empty()) {
                                       skipped.Skip(key, "unreadable CloudFormation stack");
                                       return true;
                                     }
                                     if (s->InProgress()) interrupted.push_back(*s);
                                     stacks_[s->id] = std::move(*s);
                                     return true;
                                   }));
  }
  for (auto& s : interrupted) {
    spdlog::info("cloudformation: resuming {} of stack {} after a restart", s.status, s.name);
    deploy_.Post([this, s = std::move(s)] { deployer_.Resume(s); });
  }
  return Status::Ok();
}

}  // namespace tidepool::cloudformation
