// Table: one DynamoDB table's metadata in memory (schema, indexes, stream, settings), the
// pending-write overlay that serializes read-modify-write operations on its items, and the
// key encodings of its items and index entries (keyspace.h).
//
// Thread-safety: `mu` guards every mutable member. Item writes are staged and submitted to the
// commit queue while holding `mu` (so commit order == the order in which writes read their
// old items), and the reads of a write (ReadItem) see `pending` first, because a submitted
// batch reaches the store only when the writer thread writes it.
#pragma once

#include <boost/json/object.hpp>

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/result.h"
#include "services/dynamodb/attribute_value.h"
#include "services/dynamodb/kinesis_destination.h"
#include "storage/store.h"

namespace tidepool::dynamodb {

struct KeyAttr {
  std::string name;
  AttrType type = AttrType::kS;  // kS, kN or kB
};

struct SecondaryIndex {
  std::string name;
  bool global = true;
  uint32_t id = 0;  // keyspace index id, >= 1
  KeyAttr hash;
  std::optional<KeyAttr> range;
  std::string projection_type = "ALL";  // ALL, KEYS_ONLY, INCLUDE
  std::vector<std::string> non_key_attributes;
  int64_t read_capacity = 0, write_capacity = 0;
};

// One item change as a stream reader sees it.
enum class StreamEvent : uint8_t { kInsert = 1, kModify = 2, kRemove = 3 };

struct Table {
  // Immutable after creation.
  std::string account, region, name, arn, table_id;
  uint64_t uid = 0;
  double created = 0;  // epoch seconds

  std::mutex mu;
  // --- guarded by mu
  std::string status = "ACTIVE";  // ACTIVE | DELETING
  KeyAttr hash;
  std::optional<KeyAttr> range;
  std::vector<std::pair<std::string, std::string>> attribute_definitions;  // name, S|N|B
  std::vector<SecondaryIndex> indexes;
  uint32_t next_index_id = 1;
  std::string billing_mode = "PROVISIONED";
  int64_t read_capacity = 0, write_capacity = 0;
  double billing_changed = 0;
  bool stream_enabled = false;
  std::string stream_view_type;
  uint32_t stream_epoch = 0;  // 0: never had a stream
  std::string stream_label;   // ISO time the current epoch's stream was created
  uint64_t next_stream_seq = 1;
  // The oldest record of the current epoch not trimmed (24 h retention): records below it
  // are gone. Persisted with the metadata, so that a stream trimmed empty keeps its numbering.
  uint64_t stream_trim_seq = 1;
  std::vector<std::pair<std::string, std::string>> tags;
  std::string ttl_attribute;
  bool ttl_enabled = false;
  bool deletion_protection = false;
  std::string table_class = "STANDARD";
  // Point-in-time recovery settings (UpdateContinuousBackups); recorded, see backup_ops.cc.
  bool pitr_enabled = false;
  double pitr_since = 0;  // epoch seconds when enabled
  int64_t pitr_days = 35;
  json::object restore_summary;  // RestoreSummary of a restored table; empty otherwise
  std::vector<KinesisDestination> kinesis_destinations;
  // Change records for the Kinesis destinations staged by writes not yet submitted; the
  // submitter moves them into its commit completion.
  struct KinesisRecord {
    std::string stream_arn, partition_key, data;
    uint64_t outbox_seq = 0;  // its keyspace 'o' record, deleted once Kinesis took it
  };
  std::vector<KinesisRecord> kinesis_outbox;
  int64_t item_count = 0, size_bytes = 0;

  struct Pending {
    std::optional<std::string> value;  // the item's encoding, nullopt when deleted
    uint64_t version;
  };
  std::unordered_map<std::string, Pending> pending;  // store key -> newest uncommitted state
  uint64_t next_version = 1;

  // The items of TransactWriteItems requests in flight: from the moment a transaction is
  // staged until its commit completes (AWS's "ongoing" transaction), store key -> the
  // transaction's id. Every item of the transaction is here, condition checks and deletions
  // of missing items included. Single-item writes and other transactions on these items are
  // refused with AWS's conflict errors (transaction_ops.cc).
  std::unordered_map<std::string, uint64_t> transacting;

  // --- helpers (caller holds mu where they read guarded members)
  const SecondaryIndex* FindIndex(std::string_view index_name) const;
  std::string StreamArn() const;  // empty when the table never had a stream
  // The table's item key (keyspace 'i' uid 0 keyval+) for a key or an item. `what_is_item`
  // picks AWS's messages for an item (PutItem) or for a Key parameter.
  Result<std::string> ItemKey(const json::object& key_or_item, bool is_item) const;
  // The key attributes of `item` (table key; plus `index`'s when given).
  json::object KeyOf(const json::object& item, const SecondaryIndex* index = nullptr) const;
  // Checks an item's secondary index key attributes (types, empty values).
  Status CheckIndexKeys(const json::object& item) const;
  // The store entries of `item` in each secondary index it belongs to: key -> value.
  std::vector<std::pair<std::string, std::string>> IndexEntries(const json::object& item,
                                                                std::string_view table_key) const;

  // Whether an ongoing TransactWriteItems includes the item at `store_key`.
  bool InTransaction(const std::string& store_key) const {
    return !transacting.empty() && transacting.contains(store_key);
  }
  // Whether any write of the item at `store_key` (single-item, batch or transaction) is
  // staged and not yet durable.
  bool WriteInFlight(const std::string& store_key) const {
    return pending.contains(store_key) || InTransaction(store_key);
  }

  // The item at `store_key` as the next write sees it: pending first, then the store.
  Result<std::optional<json::object>> ReadItem(const storage::Store& store,
                                               const std::string& store_key) const;

  // Persisted form (keyspace 't').
  json::object ToJson() const;
  static Status FromJson(const json::object& meta, Table* table);
  // The TableDescription DescribeTable returns.
  json::object Describe() const;
};

// Appends a key attribute's value as a keyspace `keyval`.
void AppendKeyVal(std::string* out, const json::value& value, AttrType type);

}  // namespace tidepool::dynamodb
