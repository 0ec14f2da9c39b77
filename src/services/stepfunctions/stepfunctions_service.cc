#include "services/stepfunctions/stepfunctions_service.h"

#include <fmt/format.h>
#include <boost/json.hpp>

#include <algorithm>
#include <array>

#include "core/arn.h"
#include "core/encoding.h"
#include "protocol/model/models.h"
#include "services/stepfunctions/sfn_errors.h"
#include "services/write_path.h"

namespace tidepool::sfn {
namespace json = boost::json;
using protocol::CallPtr;

// The registration table: every operation of the Step Functions model, name -> handler.
struct StepFunctionsServiceTable {
  struct Entry {
    std::string_view operation;
    StepFunctionsService::Handler handler;
  };
  using S = StepFunctionsService;
  static constexpr std::array<Entry, 37> kEntries{{
      {"CreateActivity", &S::CreateActivity},
      {"CreateStateMachine", &S::CreateStateMachine},
      {"CreateStateMachineAlias", &S::CreateStateMachineAlias},
      {"DeleteActivity", &S::DeleteActivity},
      {"DeleteStateMachine", &S::DeleteStateMachine},
      {"DeleteStateMachineAlias", &S::DeleteStateMachineAlias},
      {"DeleteStateMachineVersion", &S::DeleteStateMachineVersion},
      {"DescribeActivity", &S::DescribeActivity},
      {"DescribeExecution", &S::DescribeExecution},
      {"DescribeMapRun", &S::DescribeMapRun},
      {"DescribeStateMachine", &S::DescribeStateMachine},
      {"DescribeStateMachineAlias", &S::DescribeStateMachineAlias},
      {"DescribeStateMachineForExecution", &S::DescribeStateMachineForExecution},
      {"GetActivityTask", &S::GetActivityTask},
      {"GetExecutionHistory", &S::GetExecutionHistory},
      {"ListActivities", &S::ListActivities},
      {"ListExecutions", &S::ListExecutions},
      {"ListMapRuns", &S::ListMapRuns},
      {"ListStateMachineAliases", &S::ListStateMachineAliases},
      {"ListStateMachineVersions", &S::ListStateMachineVersions},
      {"ListStateMachines", &S::ListStateMachines},
      {"ListTagsForResource", &S::ListTagsForResource},
      {"PublishStateMachineVersion", &S::PublishStateMachineVersion},
      {"RedriveExecution", &S::RedriveExecution},
      {"SendTaskFailure", &S::SendTaskFailure},
      {"SendTaskHeartbeat", &S::SendTaskHeartbeat},
      {"SendTaskSuccess", &S::SendTaskSuccess},
      {"StartExecution", &S::StartExecution},
      {"StartSyncExecution", &S::StartSyncExecution},
      {"StopExecution", &S::StopExecution},
      {"TagResource", &S::TagResource},
      {"TestState", &S::TestState},
      {"UntagResource", &S::UntagResource},
      {"UpdateMapRun", &S::UpdateMapRun},
      {"UpdateStateMachine", &S::UpdateStateMachine},
      {"UpdateStateMachineAlias", &S::UpdateStateMachineAlias},
      {"ValidateStateMachineDefinition", &S::ValidateStateMachineDefinition},
  }};

  static StepFunctionsService::Handler Find(std::string_view operation) {
    auto it =
        std::lower_bound(kEntries.begin(), kEntries.end(), operation,
                         [](const Entry& e, std::string_view op) { return e.operation < op; });
    return (it != kEntries.end() && it->operation == operation) ? it->handler : nullptr;
  }
};

StepFunctionsService::StepFunctionsService(storage::Store& store, storage::CommitQueue& commits,
                                           const Clock& clock, boost::asio::io_context& io,
                                           TimerService& timers, TaskRunner* tasks,
                                           StepFunctionsOptions options)
    : store_(store),
      commits_(commits),
      clock_(clock),
      io_(io),
      timers_(timers),
      tasks_(tasks),
      options_(options),
      alive_(std::make_shared<std::atomic<bool>>(true)) {}

StepFunctionsService::~StepFunctionsService() { alive_->store(false); }

const protocol::model::ServiceModel& StepFunctionsService::Model() const {
  return protocol::model::StepFunctionsModel();
}

void StepFunctionsService::Invoke(CallPtr call) {
  const Handler handler = StepFunctionsServiceTable::Find(call->operation().name);
  if (handler == nullptr) {
    call->Fail({"UnknownOperationException", "", 400, true, {}});
    return;
  }
  (this->*handler)(std::move(call));
}

void StepFunctionsService::Unsupported(CallPtr call) {
  Fail(call, SfnStatus(SfnError::kUnsupportedOperation,
                       fmt::format("{} is not supported by tidepool yet", call->operation().name)));
}

json::object StepFunctionsService::Health() const {
  std::shared_lock lock(mu_);
  size_t running = 0;
  for (const auto& [arn, ex] : executions_) {
    std::lock_guard l(ex->mu);
    if (ex->run && ex->run->running()) ++running;
  }
  return json::object{{"status", "running"},
                      {"state_machines", machines_.size()},
                      {"executions", executions_.size()},
                      {"running_executions", running},
                      {"activities", activities_.size()}};
}

void StepFunctionsService::Fail(const CallPtr& call, const Status& status) {
  if (call) call->Fail(ToAwsError(status));
}

bool StepFunctionsService::Submit(storage::WriteBatch batch, CallPtr call,
                                  std::function<void(const Status&)> done) {
  return services::SubmitForCall(commits_, std::move(batch), call, std::move(done), &ToAwsError);
}

uint64_t StepFunctionsService::NextUid() {
  std::unique_lock lock(mu_);
  return next_uid_++;
}

uint64_t StepFunctionsService::NextUidLocked() { return next_uid_++; }

std::shared_ptr<StepFunctionsService::StateMachine> StepFunctionsService::FindMachine(
    std::string_view arn) const {
  std::shared_lock lock(mu_);
  auto it = machines_.find(std::string(arn));
  if (it != machines_.end()) return it->second;
  auto v = versions_.find(std::string(arn));
  return v == versions_.end() ? nullptr : v->second;
}

StepFunctionsService::ExecutionPtr StepFunctionsService::FindExecution(std::string_view arn) const {
  std::shared_lock lock(mu_);
  auto it = executions_.find(std::string(arn));
  return it == executions_.end() ? nullptr : it->second;
}

Result<std::shared_ptr<StepFunctionsService::StateMachine>> StepFunctionsService::ResolveMachine(
    std::string_view arn) const {
  auto parsed = Arn::Parse(arn);
  if (!parsed || parsed->service != "states") {
    return SfnStatus(SfnError::kInvalidArn,
                     fmt::format("Invalid Arn: 'Invalid ARN prefix: {}'", arn));
  }
  if (!parsed->resource.starts_with("stateMachine:")) {
    return SfnStatus(SfnError::kInvalidArn,
                     fmt::format("Invalid Arn: 'Resource type not valid in this context: {}'",
                                 parsed->resource.substr(0, parsed->resource.find(':'))));
  }
  auto m = FindMachine(arn);
  if (!m) {
    return SfnStatus(SfnError::kStateMachineDoesNotExist,
                     fmt::format("State Machine Does Not Exist: '{}'", arn));
  }
  return m;
}

Result<StepFunctionsService::ExecutionPtr> StepFunctionsService::ResolveExecution(
    std::string_view arn) const {
  auto parsed = Arn::Parse(arn);
  if (!parsed || parsed->service != "states") {
    return SfnStatus(SfnError::kInvalidArn,
                     fmt::format("Invalid Arn: 'Invalid ARN prefix: {}'", arn));
  }
  if (!parsed->resource.starts_with("execution:") && !parsed->resource.starts_with("express:")) {
    return SfnStatus(SfnError::kInvalidArn,
                     fmt::format("Invalid Arn: 'Resource type not valid in this context: {}'",
                                 parsed->resource.substr(0, parsed->resource.find(':'))));
  }
  auto ex = FindExecution(arn);
  if (!ex) {
    return SfnStatus(SfnError::kExecutionDoesNotExist,
                     fmt::format("Execution Does Not Exist: '{}'", arn));
  }
  return ex;
}

asl::Execution::Options StepFunctionsService::InterpreterOptions() const {
  asl::Execution::Options o;
  o.time_scale = options_.time_scale;
  o.make_token = &StepFunctionsService::MakeToken;
  o.new_uuid = &NewUuid;
  return o;
}

json::object StepFunctionsService::MachineRecord(const StateMachine& m) const {
  json::object tags;
  for (const auto& [k, v] : m.tags) tags[k] = v;
  json::object out{{"arn", m.arn},
                   {"name", m.name},
                   {"type", m.type},
                   {"definition", m.definition},
                   {"roleArn", m.role_arn},
                   {"description", m.description},
                   {"created", m.created},
                   {"updated", m.updated},
                   {"revision", m.revision_id},
                   {"logging", m.logging},
                   {"tracing", m.tracing},
                   {"tags", std::move(tags)}};
  if (m.parent.empty()) {
    out["next_version"] = m.next_version;
  } else {
    out["parent"] = m.parent;
    out["version"] = m.version;
  }
  return out;
}

}  // namespace tidepool::sfn
