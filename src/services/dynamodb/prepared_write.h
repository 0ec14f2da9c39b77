// PreparedWrite: one validated write of a BatchWriteItem or TransactWriteItems request, and
// LockTables, how such a request locks every table it touches. Used by batch_ops.cc and
// transaction_ops.cc.
#pragma once

#include <boost/json/object.hpp>

#include <algorithm>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "services/dynamodb/expression.h"
#include "services/dynamodb/table.h"

namespace tidepool::dynamodb {

struct PreparedWrite {
  enum Kind : uint8_t { kPut, kDelete, kUpdate, kCheck };
  Kind kind = kPut;
  std::shared_ptr<Table> table;
  std::string key;      // store key
  json::object object;  // kPut: the item; otherwise the key
  std::vector<UpdateAction> actions;
  std::optional<Condition> condition;
  bool old_on_failure = false;  // ReturnValuesOnConditionCheckFailure ALL_OLD
};

// Locks each distinct table of `tables` (their mu), in uid order, so that concurrent
// multi-table requests cannot deadlock. The locks are released when the vector is destroyed.
inline std::vector<std::unique_lock<std::mutex>> LockTables(
    std::vector<std::shared_ptr<Table>> tables) {
  std::sort(tables.begin(), tables.end(),
            [](const auto& a, const auto& b) { return a->uid < b->uid; });
  tables.erase(std::unique(tables.begin(), tables.end()), tables.end());
  std::vector<std::unique_lock<std::mutex>> locks;
  locks.reserve(tables.size());
  for (auto& t : tables) locks.emplace_back(t->mu);
  return locks;
}

}  // namespace tidepool::dynamodb
