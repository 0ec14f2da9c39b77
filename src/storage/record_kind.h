// Record kinds: every kind of record a service keeps in the store, named, so that tools and
// tests can take a census of a store (GET /_tidepool/store/kinds) and the restart test can
// prove it exercised every kind (tests/integration/test_restart_zoo.py).
//
// Each keyspace lists its kinds (`keyspace::RecordKinds()`); `src/main/` joins the lists. A
// key belongs to the kind with the longest prefix it starts with; a key that starts with no
// listed prefix is unclassified, which the integration tests treat as a defect (a record kind
// added to a keyspace without joining its list). All functions are thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "storage/store.h"

namespace tidepool::storage {

struct RecordKind {
  std::string service;  // "sqs"
  std::string name;     // "message": what one record of the kind holds
  std::string prefix;   // every key of the kind starts with it ("sqs\0m")
};

struct RecordCensus {
  std::vector<uint64_t> records;  // per kind, in the order of the kinds given
  uint64_t unclassified = 0;
  std::vector<std::string> unclassified_examples;  // PrintableKey of the first few
};

// Counts the store's keys per kind with one scan of the whole store.
Result<RecordCensus> TakeRecordCensus(const Store& store, const std::vector<RecordKind>& kinds);

// `key` with printable ASCII kept and every other byte as \xNN: for logs and error messages.
std::string PrintableKey(std::string_view key);

}  // namespace tidepool::storage
