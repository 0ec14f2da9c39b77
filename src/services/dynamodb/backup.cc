#include "services/dynamodb/backup.h"

#include "services/dynamodb/table.h"

namespace tidepool::dynamodb {
namespace {

std::string Str(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}
double Num(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_number() ? v->to_number<double>() : 0;
}
int64_t Int(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_number() ? v->to_number<int64_t>() : 0;
}

}  // namespace

json::object Backup::ToJson() const {
  return json::object{{"uid", uid},
                      {"account", account},
                      {"region", region},
                      {"arn", arn},
                      {"name", name},
                      {"created", created},
                      {"table", table_meta},
                      {"table_name", table_name},
                      {"table_arn", table_arn},
                      {"table_id", table_id},
                      {"table_created", table_created},
                      {"item_count", item_count},
                      {"size_bytes", size_bytes}};
}

Result<Backup> Backup::FromJson(const json::object& o) {
  Backup b;
  b.uid = static_cast<uint64_t>(Int(o, "uid"));
  b.account = Str(o, "account");
  b.region = Str(o, "region");
  b.arn = Str(o, "arn");
  b.name = Str(o, "name");
  b.created = Num(o, "created");
  const json::value* table = o.if_contains("table");
  if (b.uid == 0 || b.arn.empty() || !table || !table->is_object()) {
    return Status::Corruption("backup meta without uid, arn or table");
  }
  b.table_meta = table->get_object();
  b.table_name = Str(o, "table_name");
  b.table_arn = Str(o, "table_arn");
  b.table_id = Str(o, "table_id");
  b.table_created = Num(o, "table_created");
  b.item_count = Int(o, "item_count");
  b.size_bytes = Int(o, "size_bytes");
  return b;
}

json::object Backup::Details(std::string_view status) const {
  return json::object{
      {"BackupArn", arn},       {"BackupName", name},   {"BackupSizeBytes", size_bytes},
      {"BackupStatus", status}, {"BackupType", "USER"}, {"BackupCreationDateTime", created}};
}

json::object Backup::Summary() const {
  return json::object{{"TableName", table_name},      {"TableId", table_id},
                      {"TableArn", table_arn},        {"BackupArn", arn},
                      {"BackupName", name},           {"BackupCreationDateTime", created},
                      {"BackupStatus", "AVAILABLE"},  {"BackupType", "USER"},
                      {"BackupSizeBytes", size_bytes}};
}

json::object Backup::Description(std::string_view status) const {
  Table t;
  json::object source{{"TableName", table_name},
                      {"TableId", table_id},
                      {"TableArn", table_arn},
                      {"TableSizeBytes", size_bytes},
                      {"TableCreationDateTime", table_created},
                      {"ItemCount", item_count}};
  json::object features;
  if (Table::FromJson(table_meta, &t).ok()) {
    json::object d = t.Describe();
    source["KeySchema"] = d["KeySchema"];
    json::object throughput = d["ProvisionedThroughput"].as_object();
    throughput.erase("NumberOfDecreasesToday");
    source["ProvisionedThroughput"] = std::move(throughput);
    source["BillingMode"] = t.billing_mode;
    for (const char* kind : {"GlobalSecondaryIndexes", "LocalSecondaryIndexes"}) {
      if (!d.contains(kind)) continue;
      json::array out;
      for (const auto& ix : d[kind].as_array()) {
        const json::object& in = ix.as_object();
        json::object o{{"IndexName", in.at("IndexName")},
                       {"KeySchema", in.at("KeySchema")},
                       {"Projection", in.at("Projection")}};
        if (const auto* p = ix.as_object().if_contains("ProvisionedThroughput")) {
          json::object pt = p->as_object();
          pt.erase("NumberOfDecreasesToday");
          o["ProvisionedThroughput"] = std::move(pt);
        }
        out.push_back(std::move(o));
      }
      features[kind] = std::move(out);
    }
    if (d.contains("StreamSpecification")) features["StreamDescription"] = d["StreamSpecification"];
    if (!t.ttl_attribute.empty()) {
      features["TimeToLiveDescription"] =
          json::object{{"TimeToLiveStatus", t.ttl_enabled ? "ENABLED" : "DISABLED"},
                       {"AttributeName", t.ttl_attribute}};
    }
  }
  return json::object{{"BackupDetails", Details(status)},
                      {"SourceTableDetails", std::move(source)},
                      {"SourceTableFeatureDetails", std::move(features)}};
}

}  // namespace tidepool::dynamodb
