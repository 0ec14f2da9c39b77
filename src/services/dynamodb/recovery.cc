// DynamoDbService::Recover: rebuilds the table registry and per-table counters from the store.
#include <spdlog/spdlog.h>
#include <boost/json.hpp>

#include "services/dynamodb/dynamodb_service.h"
#include "services/dynamodb/keyspace.h"
#include "storage/key_codec.h"

namespace tidepool::dynamodb {

Status DynamoDbService::Recover() {
  auto next = store_.Get(keyspace::NextUidKey());
  if (!next.ok()) return next.status();
  if (*next) {
    std::string_view v = **next;
    uint64_t uid;
    if (storage::ReadU64BE(&v, &uid)) next_uid_ = uid;
  }
  std::vector<std::shared_ptr<Table>> tables;
  const std::string prefix = keyspace::TablePrefix();
  Status s = store_.Scan(
      prefix, storage::PrefixEnd(prefix), [&](std::string_view key, std::string_view value) {
        boost::system::error_code ec;
        json::value meta = json::parse(value, ec);
        auto t = std::make_shared<Table>();
        Status st = ec || !meta.is_object() ? Status::Corruption("not a JSON object")
                                            : Table::FromJson(meta.get_object(), t.get());
        if (!st.ok()) {
          spdlog::error(
              "dynamodb: skipping undecodable table record (key "
              "of {} bytes): {}",
              key.size(), st.ToString());
          return true;
        }
        tables.push_back(std::move(t));
        return true;
      });
  if (!s.ok()) return s;
  for (auto& t : tables) {
    t->status = "ACTIVE";
    if (t->uid >= next_uid_) next_uid_ = t->uid + 1;
    // Item count and size, and the next stream sequence number.
    const std::string items = keyspace::IndexPrefix(t->uid, 0);
    Status scan = store_.Scan(items, storage::PrefixEnd(items),
                              [&](std::string_view, std::string_view value) {
                                auto item = DecodeItem(value);
                                if (item) {
                                  t->item_count++;
                                  t->size_bytes += static_cast<int64_t>(ItemSize(*item));
                                }
                                return true;
                              });
    if (!scan.ok()) return scan;
    if (t->stream_epoch != 0) {
      t->next_stream_seq = t->stream_trim_seq;
      const std::string records = keyspace::StreamEpochPrefix(t->uid, t->stream_epoch);
      Status rs = store_.Scan(records, storage::PrefixEnd(records),
                              [&](std::string_view key, std::string_view) {
                                if (auto seq = keyspace::ParseStreamSeq(key)) {
                                  t->next_stream_seq = *seq + 1;
                                }
                                return true;
                              });
      if (!rs.ok()) return rs;
    }
    tables_.emplace(RegistryKey(t->account, t->region, t->name), t);
  }
  // Backups.
  const std::string backups = keyspace::BackupPrefix();
  Status bs = store_.Scan(
      backups, storage::PrefixEnd(backups), [&](std::string_view, std::string_view value) {
        boost::system::error_code ec;
        json::value v = json::parse(value, ec);
        auto b = ec || !v.is_object() ? Result<Backup>(Status::Corruption("not a JSON object"))
                                      : Backup::FromJson(v.get_object());
        if (!b.ok()) {
          spdlog::error("dynamodb: skipping undecodable backup record: {}", b.status().ToString());
          return true;
        }
        if (b->uid >= next_uid_) next_uid_ = b->uid + 1;
        auto shared = std::make_shared<const Backup>(std::move(b).value());
        backups_.emplace(shared->arn, std::move(shared));
        return true;
      });
  if (!bs.ok()) return bs;
  // Transaction idempotency tokens still within their 10 minutes.
  const std::string tokens = keyspace::TokenPrefix();
  storage::WriteBatch expired;
  const int64_t now = clock_.NowMicros();
  Status ts = store_.Scan(
      tokens, storage::PrefixEnd(tokens), [&](std::string_view key, std::string_view value) {
        std::string_view rest = key.substr(tokens.size());
        std::string token;
        boost::system::error_code ec;
        json::value v = json::parse(value, ec);
        if (!storage::ReadOrderedString(&rest, &token) || ec || !v.is_object()) {
          spdlog::error("dynamodb: skipping undecodable token record");
          return true;
        }
        const auto* fp = v.get_object().if_contains("fingerprint");
        const auto* ex = v.get_object().if_contains("expiry");
        if (!fp || !fp->is_string() || !ex || !ex->is_int64()) return true;
        if (ex->get_int64() <= now) return true;
        tokens_[token] = {std::string(fp->get_string()), ex->get_int64()};
        return true;
      });
  if (!ts.ok()) return ts;
  // Change records a previous run staged for Kinesis destinations and did not see put: they
  // go to the sink once it is set (SetKinesisChangeSink).
  const std::string outbox = keyspace::KinesisOutboxPrefix();
  Status os = store_.Scan(
      outbox, storage::PrefixEnd(outbox), [&](std::string_view key, std::string_view value) {
        auto seq = keyspace::ParseKinesisOutboxKey(key);
        boost::system::error_code ec;
        json::value v = json::parse(value, ec);
        if (!seq || ec || !v.is_object()) {
          spdlog::error("dynamodb: skipping an undecodable kinesis outbox record");
          return true;
        }
        const json::object& o = v.get_object();
        auto str = [&](std::string_view k) {
          const auto* m = o.if_contains(k);
          return m && m->is_string() ? std::string(m->get_string()) : std::string();
        };
        recovered_outbox_.emplace_back(
            str("account") + "/" + str("region"),
            Table::KinesisRecord{str("stream"), str("key"), str("data"), *seq});
        next_outbox_seq_.store(std::max(next_outbox_seq_.load(), *seq + 1));
        return true;
      });
  if (!os.ok()) return os;
  if (!recovered_outbox_.empty()) {
    spdlog::info("dynamodb: {} change records wait for their Kinesis destinations",
                 recovered_outbox_.size());
  }
  spdlog::info("dynamodb: recovered {} tables", tables_.size());
  return Status::Ok();
}

}  // namespace tidepool::dynamodb
