// CloudFormationService: stacks and change sets over the query protocol, deployed by the
// deployment engine (deployer.h) through the resource providers (provider.h).
//
// Threads: requests that only read (Describe*, List*, GetTemplate) are answered on the io
// thread from the directory. Requests that change stacks or read templates (Create/Update/
// DeleteStack, the change set operations, ValidateTemplate, GetTemplateSummary) run on the
// preparation thread, which may block (a TemplateURL read from S3, the SAM transform) and
// replies once the stack's record is durable; the operations themselves then run on the
// deployment thread, one at a time, in the order they were requested.
//
// State: every stack (deleted ones included) in one map by stack id, guarded by mu_, each
// mirrored by one record (keyspace.h). Thread-safety: public methods may be called from any
// thread; the service must outlive the CommitQueue's pending completions.
#pragma once

#include <boost/json/object.hpp>

#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <thread>

#include "core/clock.h"
#include "core/result.h"
#include "protocol/service.h"
#include "services/cloudformation/deployer.h"
#include "services/cloudformation/stack.h"
#include "services/cloudformation/template_source.h"
#include "storage/commit_queue.h"
#include "storage/store.h"

namespace tidepool::cloudformation {

// One thread running posted work in order.
class WorkThread {
 public:
  WorkThread();
  ~WorkThread();  // Stop()
  void Post(std::function<void()> work);
  // Drops what is queued, lets the running work finish, joins. Later posts are dropped.
  void Stop();

 private:
  void Loop();
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

class CloudFormationService final : public protocol::Service, private StackLedger {
 public:
  CloudFormationService(storage::Store& store, storage::CommitQueue& commits, const Clock& clock);
  ~CloudFormationService() override;
  CloudFormationService(const CloudFormationService&) = delete;
  CloudFormationService& operator=(const CloudFormationService&) = delete;

  // How providers reach the services (set before Recover and serving).
  void SetCallers(CallerFactory callers) { callers_ = std::move(callers); }
  // Loads every stack; operations a restart interrupted are resumed (deployer.h).
  Status Recover();
  // Stops the threads: the running step finishes, queued work is dropped (an operation in
  // progress resumes at the next start, deployer.h). Call while the services still run.
  void Stop();

  std::string_view Name() const override { return "cloudformation"; }
  const protocol::model::ServiceModel& Model() const override;
  void Invoke(protocol::CallPtr call) override;
  boost::json::object Health() const override;

 private:
  using Handler = void (CloudFormationService::*)(protocol::CallPtr);
  friend struct CloudFormationTable;

  // --- stack_ops.cc (preparation thread: CreateStack, UpdateStack, DeleteStack)
  void CreateStack(protocol::CallPtr call);
  void UpdateStack(protocol::CallPtr call);
  void DeleteStack(protocol::CallPtr call);
  void UpdateTerminationProtection(protocol::CallPtr call);
  // ContinueUpdateRollback (UPDATE_ROLLBACK_FAILED) and RollbackStack (CREATE_FAILED,
  // UPDATE_FAILED, as DisableRollback left them): the rollback runs (again).
  void ContinueRollback(protocol::CallPtr call);
  void CancelUpdateStack(protocol::CallPtr call);
  void ValidateTemplate(protocol::CallPtr call);
  void GetTemplateSummary(protocol::CallPtr call);
  // --- stack_views.cc (io thread)
  void DescribeStacks(protocol::CallPtr call);
  void ListStacks(protocol::CallPtr call);
  void DescribeStackEvents(protocol::CallPtr call);
  void DescribeStackResource(protocol::CallPtr call);
  void DescribeStackResources(protocol::CallPtr call);
  void ListStackResources(protocol::CallPtr call);
  void GetTemplate(protocol::CallPtr call);
  void ListExports(protocol::CallPtr call);
  void ListImports(protocol::CallPtr call);
  // --- change_set_ops.cc
  void CreateChangeSet(protocol::CallPtr call);
  void DescribeChangeSet(protocol::CallPtr call);
  void ExecuteChangeSet(protocol::CallPtr call);
  void DeleteChangeSet(protocol::CallPtr call);
  void ListChangeSets(protocol::CallPtr call);
  // A copy of the stack holding the call's ChangeSetName (with its StackName, or by ARN).
  std::optional<Stack> StackOfChangeSet(const protocol::Call& call);

  // --- cloudformation_service.cc: the directory
  // The stack `name_or_id` names in the call's account and region: by id (deleted ones
  // too) or by name (live ones). Callers hold mu_.
  Stack* FindStack(const protocol::RequestContext& ctx, std::string_view name_or_id);
  // A copy of FindStack's stack, or ValidationError "Stack with id X does not exist".
  Result<Stack> CopyStack(const protocol::RequestContext& ctx, std::string_view name_or_id);
  // The template a stack operation's call gives (TemplateBody / TemplateURL /
  // UsePreviousTemplate with `previous`), prepared (template_source.h).
  Result<PreparedTemplate> PrepareFromCall(const protocol::Call& call, const std::string& stack,
                                           const Stack* previous);
  // Starts `s`'s operation (its status) on the deployment thread.
  void Deploy(const Stack& s);
  static void Fail(const protocol::CallPtr& call, const Status& status);

  // StackLedger
  Status Save(const Stack& s) override;
  std::optional<std::pair<std::string, std::string>> FindExport(const std::string& account,
                                                                const std::string& region,
                                                                const std::string& name) override;
  std::vector<std::string> Importers(const std::string& account, const std::string& region,
                                     const std::string& name,
                                     const std::string& except_id) override;
  bool TakeCancel(const std::string& id) override;

  storage::Store& store_;
  storage::CommitQueue& commits_;
  const Clock& clock_;
  CallerFactory callers_;
  Deployer deployer_;

  mutable std::mutex mu_;
  std::map<std::string, Stack> stacks_;  // by stack id
  std::set<std::string> cancels_;        // stack ids whose update CancelUpdateStack stops

  WorkThread prepare_;
  WorkThread deploy_;
};

// The AWS error for a status: InvalidArgument/NotFound -> ValidationError, AlreadyExists ->
// AlreadyExistsException, FailedPrecondition -> InsufficientCapabilitiesException,
// ResourceExhausted -> LimitExceededException, others InternalFailure.
protocol::AwsError ToAwsError(const Status& status);

}  // namespace tidepool::cloudformation
