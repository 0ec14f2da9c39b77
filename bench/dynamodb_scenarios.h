// DynamoDbScenarios: the DynamoDB item operations, closed loop over SigV4-signed AWS JSON 1.0
// requests (X-Amz-Target: DynamoDB_20120810.*), each on a fresh PAY_PER_REQUEST table:
//   ddb-put           PutItem, a new key per request (an item of --record-bytes bytes)
//   ddb-get           GetItem of one of 1,000 pre-filled items
//   ddb-query         Query returning 100 items (one partition of 100 pre-filled items)
//   ddb-batch-write   BatchWriteItem of 25 new items; records/s = items/s
//   ddb-transact      TransactWriteItems of 2 Puts of new items; req/s = transactions/s
//   ddb-scan          one Scan over --scan-items (1M) pre-filled items (100-byte items,
//                     BatchWriteItem at concurrency 16), following LastEvaluatedKey page by
//                     page (1 MB pages) on one connection; records/s = items/s. Runs once.
// Not thread-safe; one per run.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "closed_loop_driver.h"
#include "setup_client.h"
#include "signed_request_builder.h"

namespace tidepool::bench {

class DynamoDbScenarios {
 public:
  using Emit = std::function<void(size_t concurrency, RunResult result)>;
  DynamoDbScenarios(RunOptions base, size_t item_bytes, uint64_t scan_items,
                    SignedRequestBuilder& builder, SetupClient& setup)
      : base_(std::move(base)),
        item_bytes_(item_bytes),
        scan_items_(scan_items),
        builder_(builder),
        setup_(setup) {}

  static bool Knows(std::string_view scenario) { return scenario.starts_with("ddb-"); }
  void Run(const std::string& scenario, const std::vector<size_t>& concurrency, const Emit& emit);

 private:
  // Creates a fresh table (hash pk S [, range sk N]) and returns its name.
  std::string CreateTable(bool with_range);
  // Writes `count` items (pk "k<i>" or pk `partition` with sk i) with BatchWriteItem at
  // concurrency 16.
  RunResult Fill(const std::string& table, uint64_t count, const std::string& partition);

  RunOptions base_;
  size_t item_bytes_;
  uint64_t scan_items_;
  SignedRequestBuilder& builder_;
  SetupClient& setup_;
  int tables_ = 0;
};

}  // namespace tidepool::bench
