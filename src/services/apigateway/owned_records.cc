#include "services/apigateway/owned_records.h"

#include <spdlog/spdlog.h>
#include <boost/json.hpp>

#include <mutex>

#include "services/apigateway/apigateway_errors.h"
#include "services/apigateway/keyspace.h"
#include "services/apigateway/records.h"
#include "services/write_path.h"
#include "storage/key_codec.h"

namespace tidepool::apigateway {
namespace json = boost::json;
using protocol::CallPtr;

Status OwnedRecords::Recover(storage::Store& store) {
  std::string prefix = keyspace::RecordPrefix(kind_);
  std::unique_lock lock(mu_);
  Status s = store.Scan(prefix, storage::PrefixEnd(prefix),
                        [&](std::string_view key, std::string_view value) {
                          auto id = keyspace::ParseIdKey(kind_, key);
                          auto doc = DecodeRecord(value);
                          if (!id || !doc.ok()) {
                            spdlog::error("apigateway: skipping an undecodable record {}",
                                          storage::PrintableKey(key));
                            return true;
                          }
                          records_[*id] = std::move(*doc);
                          return true;
                        });
  count_ = records_.size();
  return s;
}

void OwnedRecords::Change(CallPtr call, const std::string& key, bool create,
                          std::string_view not_found, std::string_view exists, const Edit& edit) {
  std::unique_lock lock(mu_);
  auto it = records_.find(key);
  json::object record;
  if (create) {
    if (it != records_.end()) return call->Fail(ToAwsError(Conflict(std::string(exists))));
    record =
        json::object{{"account", call->context().account_id}, {"region", call->context().region}};
  } else {
    if (it == records_.end() || !OwnedByCaller(it->second, *call)) {
      return call->Fail(ToAwsError(NotFound(std::string(not_found))));
    }
    record = it->second;
  }
  auto output = edit(record);
  if (!output.ok()) return call->Fail(ToAwsError(output.status()));
  storage::WriteBatch batch;
  if (record.empty()) {
    batch.Delete(keyspace::RecordKey(kind_, key));
    records_.erase(key);
  } else {
    batch.Put(keyspace::RecordKey(kind_, key), EncodeRecord(record));
    records_[key] = std::move(record);
  }
  count_ = records_.size();
  services::SubmitForCall(
      commits_, std::move(batch), call,
      services::ReplyWhenCommitted(call, std::move(*output), &ToAwsError, "apigateway"),
      &ToAwsError);
}

void OwnedRecords::Read(CallPtr call, const std::string& key, std::string_view not_found,
                        const Edit& read) {
  Result<json::object> output = [&]() -> Result<json::object> {
    std::unique_lock lock(mu_);
    auto it = records_.find(key);
    if (it == records_.end() || !OwnedByCaller(it->second, *call))
      return NotFound(std::string(not_found));
    return read(it->second);
  }();
  if (!output.ok()) return call->Fail(ToAwsError(output.status()));
  call->Reply(std::move(*output));
}

std::vector<json::object> OwnedRecords::List(const protocol::Call& call) const {
  std::vector<json::object> out;
  std::shared_lock lock(mu_);
  for (const auto& [key, record] : records_) {
    if (OwnedByCaller(record, call)) out.push_back(record);
  }
  return out;
}

void OwnedRecords::Visit(const std::string& key,
                         const std::function<void(const json::object*)>& visit) const {
  std::shared_lock lock(mu_);
  auto it = records_.find(key);
  visit(it == records_.end() ? nullptr : &it->second);
}

}  // namespace tidepool::apigateway
