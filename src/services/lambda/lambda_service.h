// LambdaService: AWS Lambda functions over the shared store, run by an Invoker (sandboxes).
//
// State (key grammar in keyspace.h): one FunctionRecord per function ($LATEST's configuration,
// code location, tags, reserved concurrency), mirrored in memory; zip packages stored by
// content and extracted once under options.code_dir. State is namespaced by account and region
// through the function ARN.
//
// Invocations never touch the store: Invoke builds a FunctionSpec from the record and hands it
// to the Invoker, replying when the sandbox answers. InvokeFunction is the same path for
// in-process callers (the engine: SNS subscriptions now, event source mappings next).
//
// Thread-safety: all public methods may be called from any thread; Invoke never blocks on the
// disk or on a function. The service must outlive the CommitQueue's pending completions and
// the Invoker's pending invocations.
#pragma once

#include <boost/json/object.hpp>

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "functions/invoker.h"
#include "protocol/service.h"
#include "services/lambda/async_queue.h"
#include "services/lambda/durable/durable_engine.h"
#include "services/lambda/event_source_mapping.h"
#include "services/lambda/function_record.h"
#include "services/lambda/lambda_options.h"
#include "services/lambda/recursion.h"
#include "storage/commit_queue.h"
#include "storage/store.h"

namespace tidepool::lambda {

// A function reference as callers write it: "name", "name:qualifier", a partial ARN
// "123456789012:function:name[:qualifier]" or a full ARN.
struct FunctionRef {
  std::string name;
  std::string qualifier;  // empty when none
  std::string account;    // empty when the reference names none
  std::string region;
};
// Parses `text`; InvalidParameterValue-shaped errors as AWS gives them for malformed ARNs.
Result<FunctionRef> ParseFunctionRef(std::string_view text);

class LambdaService final : public protocol::Service {
 public:
  LambdaService(storage::Store& store, storage::CommitQueue& commits, const Clock& clock,
                functions::Invoker& invoker, LambdaOptions options);
  ~LambdaService() override;
  LambdaService(const LambdaService&) = delete;
  LambdaService& operator=(const LambdaService&) = delete;

  // Loads every function from the store; undecodable records are logged and skipped.
  Status Recover();

  std::string_view Name() const override { return "lambda"; }
  const protocol::model::ServiceModel& Model() const override;
  void Invoke(protocol::CallPtr call) override;
  boost::json::object Health() const override;

  // The in-process invoke path: runs `function` (a name or ARN; `account`/`region` apply to a
  // bare name) with `payload`. NotFound through `done` when there is no such function. The
  // invocation's trace continues its chain's Lineage (recursion.h); with kEnforce, a loop
  // stopped by the function's RecursiveLoop (Terminate) answers kServiceError with a message
  // that starts with kRecursionStoppedPrefix and AWS's error JSON as payload, without running.
  void InvokeFunction(std::string_view function, std::string_view account, std::string_view region,
                      functions::Invocation invocation, functions::InvokeDone done,
                      RecursionCheck recursion = RecursionCheck::kCount);

  // --- The async queue, for the engine (engine/lambda_async_invoke.h).
  // Told of each Event invocation once it is durable; runs where commit completions run and
  // must not block. Set once, before serving.
  void SetAsyncListener(std::function<void(AsyncInvocationPtr)> listener) {
    async_listener_ = std::move(listener);
  }
  // Queues an Event invocation of `function_arn` (qualified or not) for an in-process caller
  // (SNS, S3 notifications, Lambda destinations); `done` gets the commit status, NotFound
  // when there is no such function. The listener is told once it is durable.
  // `trace_header` continues the X-Ray trace of the event that caused it (SNS: the publish's).
  void EnqueueInternal(std::string_view function_arn, std::string payload,
                       std::function<void(const Status&)> done, std::string trace_header = {});
  // How asynchronous invocations of `function_arn` (a full ARN, qualified or not) are retried
  // and where their outcomes go: the qualifier's FunctionEventInvokeConfig and the running
  // version's DeadLetterConfig. AWS's defaults when none is set.
  struct AsyncSettings {
    int max_retries = 2;
    int64_t max_age_seconds = 21600;
    std::string on_success;   // destination ARN or ""
    std::string on_failure;   // destination ARN or ""
    std::string dead_letter;  // DeadLetterConfig.TargetArn or ""
  };
  AsyncSettings AsyncSettingsFor(std::string_view function_arn) const;
  // Every queued invocation in the store, in order (those a previous run left).
  Result<std::vector<AsyncInvocationPtr>> LoadAsyncQueue() const;
  // Deletes entry `seq`: the invocation is done. Errors are logged.
  void CompleteAsync(uint64_t seq);

  // --- Event source mappings, for the engine (event_source_mapping.h).
  // Sets the observer and tells it of every mapping recovered. Call once, after Recover and
  // before serving; `observer` must outlive the service's pending commits.
  void SetMappingObserver(MappingObserver* observer);
  // One ledger run of a mapping (keyspace.h 'l'): shard, first sequence number, value.
  struct LedgerRun {
    std::string shard;
    std::string first;
    std::string value;
  };
  // Stores positions (name -> opaque text) of mapping `uuid` and ledger runs in one batch;
  // `done` gets the commit status (NotFound when the mapping is gone: nothing is written back).
  void SaveCheckpoints(const std::string& uuid,
                       std::vector<std::pair<std::string, std::string>> positions,
                       std::function<void(const Status&)> done, std::vector<LedgerRun> ledger = {});
  // Every ledger run of mapping `uuid`.
  Result<std::vector<LedgerRun>> LoadLedger(const std::string& uuid) const;
  // Deletes ledger runs (shard, first) of mapping `uuid` (their records left the stream);
  // `done` gets the commit status.
  void DeleteLedgerRuns(const std::string& uuid,
                        const std::vector<std::pair<std::string, std::string>>& runs,
                        std::function<void(const Status&)> done);
  // Every stored position of mapping `uuid`.
  Result<std::vector<std::pair<std::string, std::string>>> LoadCheckpoints(
      const std::string& uuid) const;
  // The execution role of function `function_arn` ("" when there is no such function).
  std::string FunctionRole(std::string_view function_arn) const;
  // Starts the sandboxes of every stored provisioned concurrency config. Call once the
  // invoker can start sandboxes (its endpoint URL is set).
  void StartProvisionedConcurrency();

  // --- Function URLs, for the HTTP front door (apigateway's HandleFunctionUrl).
  struct FunctionUrlTarget {
    std::string function_arn;  // qualified by the alias when the URL is an alias's
    std::string auth_type;     // "NONE" or "AWS_IAM"
    std::string invoke_mode;   // "BUFFERED" or "RESPONSE_STREAM"
    boost::json::object cors;  // the URL's Cors configuration (empty when none)
  };
  // The function URL `id` (the host's first label) names; nullopt when none.
  std::optional<FunctionUrlTarget> FindFunctionUrl(std::string_view id) const;

  // Resumes the durable executions a previous run left. Call once the invoker can start
  // sandboxes, after Recover.
  Status ResumeDurableExecutions();

  // LastProcessingResult as GetEventSourceMapping shows it (in memory only).
  void SetLastProcessingResult(const std::string& uuid, std::string result);

 private:
  using Handler = void (LambdaService::*)(protocol::CallPtr);
  friend struct LambdaServiceTable;

  // --- function_ops.cc
  void CreateFunction(protocol::CallPtr call);
  void GetFunction(protocol::CallPtr call);
  void GetFunctionConfiguration(protocol::CallPtr call);
  void ListFunctions(protocol::CallPtr call);
  void DeleteFunction(protocol::CallPtr call);
  void UpdateFunctionCode(protocol::CallPtr call);
  void UpdateFunctionConfiguration(protocol::CallPtr call);
  // --- invoke_ops.cc
  void InvokeOp(protocol::CallPtr call);
  void InvokeAsync(protocol::CallPtr call);
  void InvokeWithResponseStream(protocol::CallPtr call);
  // The spec of the version `call`'s FunctionName/Qualifier runs; `*qualifier` gets the
  // qualifier named, `*recursion_allowed` the function's RecursiveLoop (Allow: true).
  Result<functions::FunctionSpecPtr> SpecForCall(const protocol::Call& call, std::string* qualifier,
                                                 bool* recursion_allowed = nullptr);
  // --- durable_ops.cc (durable functions; the engine is durable/durable_engine.h)
  void CheckpointDurableExecution(protocol::CallPtr call);
  void GetDurableExecution(protocol::CallPtr call);
  void GetDurableExecutionHistory(protocol::CallPtr call);
  void GetDurableExecutionState(protocol::CallPtr call);
  void ListDurableExecutionsByFunction(protocol::CallPtr call);
  void SendDurableExecutionCallbackFailure(protocol::CallPtr call);
  void SendDurableExecutionCallbackHeartbeat(protocol::CallPtr call);
  void SendDurableExecutionCallbackSuccess(protocol::CallPtr call);
  void StopDurableExecution(protocol::CallPtr call);
  // Invoke of a function with a DurableConfig: starts (or rejoins) a durable execution.
  void InvokeDurable(protocol::CallPtr call, const functions::FunctionSpecPtr& spec,
                     const boost::json::object& durable_config, bool sync);
  // The DurableConfig of the version `call` invokes (FunctionName/Qualifier); empty if none.
  boost::json::object DurableConfigForCall(const protocol::Call& call);

  // --- settings_ops.cc
  void GetAccountSettings(protocol::CallPtr call);
  void PutFunctionConcurrency(protocol::CallPtr call);
  void GetFunctionConcurrency(protocol::CallPtr call);
  void DeleteFunctionConcurrency(protocol::CallPtr call);
  // --- scaling_config_ops.cc (Lambda Managed Instances versions' execution environments)
  void PutFunctionScalingConfig(protocol::CallPtr call);
  void GetFunctionScalingConfig(protocol::CallPtr call);
  void PutProvisionedConcurrencyConfig(protocol::CallPtr call);
  void GetProvisionedConcurrencyConfig(protocol::CallPtr call);
  void DeleteProvisionedConcurrencyConfig(protocol::CallPtr call);
  void ListProvisionedConcurrencyConfigs(protocol::CallPtr call);
  // Asks the invoker to keep `count` sandboxes of `qualifier`'s version (fn.mu held); returns
  // how many run for it.
  int ProvisionLocked(Function& fn, const std::string& qualifier, int count);
  void TagResource(protocol::CallPtr call);
  void UntagResource(protocol::CallPtr call);
  void ListTags(protocol::CallPtr call);

  // --- version_ops.cc
  void PublishVersion(protocol::CallPtr call);
  void ListVersionsByFunction(protocol::CallPtr call);
  void CreateAlias(protocol::CallPtr call);
  void GetAlias(protocol::CallPtr call);
  void UpdateAlias(protocol::CallPtr call);
  void DeleteAlias(protocol::CallPtr call);
  void ListAliases(protocol::CallPtr call);
  // Publishes $LATEST of `fn` (fn->mu held) as the next version unless the last version has
  // the same code and configuration; adds the version's write to `batch` and returns its
  // configuration.
  boost::json::object PublishLocked(Function& fn, std::string description,
                                    storage::WriteBatch& batch);
  // Deletes version `version` of `fn` (fn->mu held): ResourceConflict while an alias routes to
  // it.
  Status DeleteVersionLocked(Function& fn, const std::string& version, storage::WriteBatch& batch);

  // --- invoke_config_ops.cc
  void PutFunctionEventInvokeConfig(protocol::CallPtr call);
  void UpdateFunctionEventInvokeConfig(protocol::CallPtr call);
  void GetFunctionEventInvokeConfig(protocol::CallPtr call);
  void DeleteFunctionEventInvokeConfig(protocol::CallPtr call);
  void ListFunctionEventInvokeConfigs(protocol::CallPtr call);
  // Put (replace) or, with `merge`, Update (which needs an existing configuration).
  void PutInvokeConfig(protocol::CallPtr call, bool merge);

  // --- layer_ops.cc
  void PublishLayerVersion(protocol::CallPtr call);
  void GetLayerVersion(protocol::CallPtr call);
  void GetLayerVersionByArn(protocol::CallPtr call);
  void ListLayerVersions(protocol::CallPtr call);
  void ListLayers(protocol::CallPtr call);
  void DeleteLayerVersion(protocol::CallPtr call);
  // The stored record of a live layer version (NotFound otherwise).
  Result<boost::json::object> FindLayerVersion(const std::string& layer_arn, int64_t version) const;
  // Checks a configuration input's Layers (layer version ARNs) and writes AWS's Layers member
  // ([{Arn, CodeSize}]) into `config`; nothing when `layers` is null.
  Status ResolveLayers(const boost::json::value* layers, boost::json::object& config);
  // The extracted folders of `config`'s layers, in order.
  Result<std::vector<std::string>> LayerDirs(const boost::json::object& config);
  Status RecoverLayers();
  // A layer version's resource policy, kept in its record ("policy": [statement], "rev": the
  // policy's RevisionId) and returned as AWS writes it; never evaluated.
  void AddLayerVersionPermission(protocol::CallPtr call);
  void RemoveLayerVersionPermission(protocol::CallPtr call);
  void GetLayerVersionPolicy(protocol::CallPtr call);
  // The record of a live (not deleted) layer version, or nullptr (registry_mu_ held).
  boost::json::object* LiveLayerRecord(const std::string& layer_arn, int64_t version);

  // --- url_ops.cc
  void CreateFunctionUrlConfig(protocol::CallPtr call);
  void GetFunctionUrlConfig(protocol::CallPtr call);
  void UpdateFunctionUrlConfig(protocol::CallPtr call);
  void DeleteFunctionUrlConfig(protocol::CallPtr call);
  void ListFunctionUrlConfigs(protocol::CallPtr call);
  std::string UrlFor(const std::string& id, const std::string& region) const;
  static boost::json::object UrlOutput(const boost::json::object& stored);
  // Fills url_ids_ from the recovered functions (registry_mu_ held or before serving).
  void IndexFunctionUrls();

  // --- policy_ops.cc
  void AddPermission(protocol::CallPtr call);
  void RemovePermission(protocol::CallPtr call);
  void GetPolicy(protocol::CallPtr call);

  // --- runtime_config_ops.cc
  void GetFunctionRecursionConfig(protocol::CallPtr call);
  void PutFunctionRecursionConfig(protocol::CallPtr call);
  void GetRuntimeManagementConfig(protocol::CallPtr call);
  void PutRuntimeManagementConfig(protocol::CallPtr call);

  // --- capacity_provider_ops.cc
  void CreateCapacityProvider(protocol::CallPtr call);
  void GetCapacityProvider(protocol::CallPtr call);
  void UpdateCapacityProvider(protocol::CallPtr call);
  void DeleteCapacityProvider(protocol::CallPtr call);
  void ListCapacityProviders(protocol::CallPtr call);
  void ListFunctionVersionsByCapacityProvider(protocol::CallPtr call);
  // The capacity provider ARN `text` (a name or an ARN) names in the caller's account/region.
  std::string CapacityProviderArn(const protocol::Call& call, std::string_view text) const;
  Status RecoverCapacityProviders();
  // Writes (or, for a null `record`, deletes) a provider's record; replies `output` once
  // durable.
  void CommitCapacityProvider(const std::string& arn, const boost::json::object* record,
                              protocol::CallPtr call, boost::json::object output);
  // Checks a configuration input's CapacityProviderConfig (the provider exists, settings
  // tidepool honours); OK when there is none. Takes registry_mu_: call without fn.mu held.
  Status CheckCapacityProviderConfig(const protocol::Call& call,
                                     const boost::json::object& in) const;
  // [{FunctionArn (qualified), State}] of the function versions configured with the provider
  // (registry_mu_ held; takes each function's mu).
  boost::json::array FunctionVersionsOf(const std::string& provider_arn) const;
  // InvalidParameterValue when the input has a PublishTo (Managed Instances' $LATEST.PUBLISHED,
  // which tidepool does not keep): a clear refusal instead of a setting silently ignored.
  static Status CheckPublishTo(const boost::json::object& in);
  // Tag/Untag/ListTags of a capacity provider ARN; false when `Resource` is not one.
  bool TagCapacityProvider(const protocol::CallPtr& call, std::string_view operation);

  // --- mapping_ops.cc
  void CreateEventSourceMapping(protocol::CallPtr call);
  void GetEventSourceMapping(protocol::CallPtr call);
  void ListEventSourceMappings(protocol::CallPtr call);
  void UpdateEventSourceMapping(protocol::CallPtr call);
  void DeleteEventSourceMapping(protocol::CallPtr call);
  Status RecoverMappings();
  // The mapping the call's UUID names in the caller's account and region.
  Result<std::shared_ptr<Mapping>> ResolveMapping(const protocol::Call& call) const;
  boost::json::object MappingOutput(const std::shared_ptr<Mapping>& mapping) const;
  // Commits the end of a transition (Creating/Updating/... -> Enabled or Disabled).
  void FinishTransition(const std::shared_ptr<Mapping>& mapping);
  // Removes a mapping, its record and its checkpoints.
  void EraseMapping(const std::string& uuid);

  // --- lambda_service.cc
  // The unqualified ARN of `ref` in the caller's account/region (or the ref's own).
  std::string FunctionArn(const FunctionRef& ref, const protocol::RequestContext& context) const;
  std::shared_ptr<Function> FindFunction(std::string_view arn) const;
  // The function `text` names for `call` (ResourceNotFound "Function not found: <arn>"), with
  // `qualifier` (or the one in `text`): $LATEST, a published version or an alias, which must
  // exist. `*qualifier_out` gets the qualifier named ("" when none).
  Result<std::shared_ptr<Function>> ResolveFunction(const protocol::Call& call,
                                                    std::string_view text,
                                                    std::string_view qualifier = {},
                                                    std::string* qualifier_out = nullptr) const;
  // ResolveFunction of the input's FunctionName and Qualifier members.
  Result<std::shared_ptr<Function>> ResolveQualified(const protocol::Call& call,
                                                     std::string* qualifier) const;
  // The record an invocation of `qualifier` runs (fn.mu held): $LATEST's for "" and
  // "$LATEST", a version's, or for an alias the version its routing picks. nullptr when the
  // qualifier names nothing.
  static const FunctionRecord* RecordToRun(const Function& fn, std::string_view qualifier);
  // Writes `fn`'s record (+ `extra`) and replies `output` once durable.
  void CommitFunction(const std::shared_ptr<Function>& fn, protocol::CallPtr call,
                      boost::json::object output, storage::WriteBatch extra = {});
  // The sandbox spec of `record` (extracting its package on first use).
  // What a sandbox of `record` (`fn`'s $LATEST or one of its versions) runs with; `fn`'s
  // per-version settings (a scaling config's MaxExecutionEnvironments) included. fn.mu held.
  Result<functions::FunctionSpecPtr> SpecFor(const Function& fn, const FunctionRecord& record);
  // Extracts package `sha` to its folder if not there yet.
  Result<std::string> CodeDirFor(std::string_view sha, std::string_view zip);
  static void Fail(const protocol::CallPtr& call, const Status& status);
  // Scans the records under `prefix`, handing each JSON object to `take` (key, record); one
  // that is not JSON, or that `take` refuses (false), is logged as an undecodable `what`.
  Status ScanJsonRecords(const std::string& prefix, std::string_view what,
                         const std::function<bool(std::string_view, boost::json::object&)>& take);
  // Loads versions and aliases into the recovered functions; counts undecodable ones.
  Status RecoverVersionsAndAliases(size_t* skipped);
  // Queues an Event invocation of `arn`; replies `output` to `call` once durable.
  void EnqueueAsync(protocol::CallPtr call, std::string arn, std::string payload,
                    boost::json::object output);

  storage::Store& store_;
  storage::CommitQueue& commits_;
  const Clock& clock_;
  functions::Invoker& invoker_;
  const LambdaOptions options_;

  mutable std::shared_mutex registry_mu_;
  std::map<std::string, std::shared_ptr<Function>> functions_;  // by unqualified ARN

  std::map<std::string, std::shared_ptr<Mapping>> mappings_;  // by UUID; registry_mu_
  MappingObserver* mapping_observer_ = nullptr;

  // Layer versions by layer ARN, then version (layer_ops.cc's record); registry_mu_.
  std::map<std::string, std::map<int64_t, boost::json::object>> layers_;

  // Capacity providers by ARN (capacity_provider_ops.cc's record); registry_mu_.
  std::map<std::string, boost::json::object> capacity_providers_;

  // Function URL id -> (unqualified function ARN, qualifier key); registry_mu_.
  std::map<std::string, std::pair<std::string, std::string>> url_ids_;

  std::mutex code_mu_;  // serializes package extraction
  std::atomic<uint64_t> next_async_seq_{1};
  std::function<void(AsyncInvocationPtr)> async_listener_;
  std::unique_ptr<durable::DurableEngine> durable_;
};

}  // namespace tidepool::lambda
