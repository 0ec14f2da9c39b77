// The deployment engine: runs a stack operation to a terminal status, one resource at a time,
// through the resource providers (provider.h). Each step (a resource's *_IN_PROGRESS, its
// outcome, a stack status change) is saved durably before the next starts, so after a restart
// the stack's record says exactly which resources exist.
//
// The operation is the stack's status:
//   CREATE_IN_PROGRESS      create in dependency order -> CREATE_COMPLETE, or on a failure
//                           CREATE_FAILED (OnFailure DO_NOTHING), ROLLBACK_IN_PROGRESS
//                           (ROLLBACK) or DELETE_IN_PROGRESS (DELETE)
//   ROLLBACK_IN_PROGRESS    delete in reverse order -> ROLLBACK_COMPLETE | ROLLBACK_FAILED
//   DELETE_IN_PROGRESS      delete in reverse order (DeletionPolicy Retain: DELETE_SKIPPED)
//                           -> DELETE_COMPLETE | DELETE_FAILED
//   UPDATE_IN_PROGRESS      converge on `current` (add, update in place, or create a
//                           replacement and keep the old one in `superseded`); a cancel
//                           (CancelUpdateStack) fails it before the next resource
//                           -> UPDATE_COMPLETE_CLEANUP_IN_PROGRESS, or on a failure
//                           UPDATE_FAILED (DisableRollback) or UPDATE_ROLLBACK_IN_PROGRESS
//                           (`current` becomes `previous`, replacements swap back)
//   *_CLEANUP_IN_PROGRESS   delete `superseded` and the resources the template no longer has
//                           -> UPDATE_COMPLETE | UPDATE_ROLLBACK_COMPLETE
//   UPDATE_ROLLBACK_IN_PROGRESS  converge on `current` (the old template)
//                           -> UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS | *_FAILED
//
// After a restart (Resume): a CREATE or UPDATE that was running fails ("interrupted") and takes
// its failure path (rollback unless disabled); the other phases run again from the record
// (deletes of resources already gone succeed). An in-place update that was running is assumed
// applied (its `pending` properties), so that the rollback puts the old ones back.
//
// Thread-safety: a Deployer runs on one thread (the service's deployment thread).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "services/cloudformation/provider.h"
#include "services/cloudformation/stack.h"

namespace tidepool::cloudformation {

// What the deployer needs of the stack directory.
class StackLedger {
 public:
  virtual ~StackLedger() = default;
  // Stores `s`: the directory's copy and its durable record. Returns once it is durable.
  virtual Status Save(const Stack& s) = 0;
  // The live stack (id) exporting `name` in account/region, with the value.
  virtual std::optional<std::pair<std::string, std::string>> FindExport(
      const std::string& account, const std::string& region, const std::string& name) = 0;
  // The names of the live stacks other than `except_id` that import `name`.
  virtual std::vector<std::string> Importers(const std::string& account, const std::string& region,
                                             const std::string& name,
                                             const std::string& except_id) = 0;
  // Whether CancelUpdateStack asked to stop the update of stack `id` (and forgets the ask).
  virtual bool TakeCancel(const std::string& id) = 0;
};

// A ServiceCaller acting as `account` in `region`.
using CallerFactory = std::function<std::unique_ptr<ServiceCaller>(const std::string& account,
                                                                   const std::string& region)>;

class Deployer {
 public:
  Deployer(StackLedger& ledger, CallerFactory callers, const Clock& clock)
      : ledger_(ledger), callers_(std::move(callers)), clock_(clock) {}

  // Runs the operation `s.status` names to a terminal status.
  void Run(Stack s);
  // After a restart: fails an interrupted create or update, then Run.
  void Resume(Stack s);

  // Adds a stack event (and saves nothing).
  void AddStackEvent(Stack& s, const std::string& status, const std::string& reason);

 private:
  Status Converge(Stack& s, ServiceCaller& services);
  Status ComputeOutputs(Stack& s);
  // Deletes `s.resources` (reverse order); the stack's status reason when some could not be
  // deleted ("The following resource(s) failed to delete: [A, B]. "), else "".
  std::string DeleteAll(Stack& s, ServiceCaller& services);
  // Deletes superseded resources and those no longer in the template.
  void Cleanup(Stack& s, ServiceCaller& services);
  bool DeleteOne(Stack& s, ServiceCaller& services, StackResource& r);
  // Moves `s` to `status` (an event, a save).
  void SetStatus(Stack& s, const std::string& status, const std::string& reason);
  // The failure path of a create or update that failed with `reason`.
  void Fail(Stack& s, const std::string& reason);
  void AddResourceEvent(Stack& s, const StackResource& r, const std::string& status,
                        const std::string& reason, const std::string& properties = {});
  void Save(const Stack& s);
  ResourceRequest RequestFor(const Stack& s, const StackResource& r) const;

  StackLedger& ledger_;
  CallerFactory callers_;
  const Clock& clock_;
};

// AWS's ResourceStatusReason for a provider failure.
std::string HandlerFailureReason(const Status& failure, const std::string& request_token);

}  // namespace tidepool::cloudformation
