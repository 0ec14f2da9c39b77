#include "services/kinesis/stream_codec.h"

#include <boost/json.hpp>

#include <exception>

namespace tidepool::kinesis {
namespace json = boost::json;

std::string EncodeStreamMeta(const Stream& s) {
  json::object o;
  o["account"] = s.account;
  o["region"] = s.region;
  o["name"] = s.name;
  o["status"] = s.status;
  o["created"] = s.created_micros;
  o["retention"] = s.retention_hours;
  o["mode"] = s.mode;
  o["encryption"] = s.encryption;
  o["key_id"] = s.key_id;
  json::array metrics;
  for (const auto& m : s.metrics) metrics.emplace_back(m);
  o["metrics"] = std::move(metrics);
  json::object tags;
  for (const auto& [k, v] : s.tags) tags[k] = v;
  o["tags"] = std::move(tags);
  o["policy"] = s.policy;
  o["max_record_kib"] = s.max_record_size_kib;
  if (s.warm_throughput_mibps) o["warm"] = *s.warm_throughput_mibps;
  json::array updates;
  for (int64_t t : s.shard_count_updates) updates.emplace_back(t);
  o["shard_count_updates"] = std::move(updates);
  json::array consumers;
  for (const auto& [name, c] : s.consumers) {
    json::object co;
    co["name"] = c.name;
    co["created"] = c.created_micros;
    co["status"] = c.status;
    json::object ctags;
    for (const auto& [k, v] : c.tags) ctags[k] = v;
    co["tags"] = std::move(ctags);
    co["policy"] = c.policy;
    consumers.emplace_back(std::move(co));
  }
  o["consumers"] = std::move(consumers);
  json::array shards;
  for (const auto& sh : s.shards) {
    json::object so;
    so["index"] = sh->index;
    so["start"] = FormatHashKey(sh->start_hash);
    so["end"] = FormatHashKey(sh->end_hash);
    if (sh->parent) so["parent"] = *sh->parent;
    if (sh->adjacent_parent) so["adjacent_parent"] = *sh->adjacent_parent;
    so["created"] = sh->created_micros;
    if (sh->closed_micros) so["closed"] = *sh->closed_micros;
    so["ending_counter"] = sh->ending_counter;
    so["counter_floor"] = sh->next_counter;
    shards.emplace_back(std::move(so));
  }
  o["shards"] = std::move(shards);
  return json::serialize(o);
}

Result<std::unique_ptr<Stream>> DecodeStreamMeta(uint64_t uid, std::string_view value) {
  try {
    const json::object o = json::parse(value).as_object();
    auto str = [](const json::object& obj, std::string_view key) {
      return std::string(obj.at(key).as_string());
    };
    auto s = std::make_unique<Stream>(uid, str(o, "account"), str(o, "region"), str(o, "name"));
    s->status = str(o, "status");
    s->created_micros = o.at("created").to_number<int64_t>();
    s->retention_hours = o.at("retention").to_number<int32_t>();
    s->mode = str(o, "mode");
    s->encryption = str(o, "encryption");
    s->key_id = str(o, "key_id");
    for (const auto& m : o.at("metrics").as_array()) s->metrics.emplace(m.as_string());
    for (const auto& [k, v] : o.at("tags").as_object()) s->tags[std::string(k)] = v.as_string();
    s->policy = str(o, "policy");
    s->max_record_size_kib = o.at("max_record_kib").to_number<int32_t>();
    if (const auto* w = o.if_contains("warm")) s->warm_throughput_mibps = w->to_number<int32_t>();
    for (const auto& t : o.at("shard_count_updates").as_array()) {
      s->shard_count_updates.push_back(t.to_number<int64_t>());
    }
    for (const auto& cv : o.at("consumers").as_array()) {
      const auto& co = cv.as_object();
      Consumer c;
      c.name = str(co, "name");
      c.created_micros = co.at("created").to_number<int64_t>();
      c.status = str(co, "status");
      for (const auto& [k, v] : co.at("tags").as_object()) c.tags[std::string(k)] = v.as_string();
      c.policy = str(co, "policy");
      s->consumers.emplace(c.name, std::move(c));
    }
    for (const auto& shv : o.at("shards").as_array()) {
      const auto& so = shv.as_object();
      auto sh = std::make_unique<Shard>();
      sh->index = so.at("index").to_number<uint32_t>();
      auto start = ParseHashKey(so.at("start").as_string());
      auto end = ParseHashKey(so.at("end").as_string());
      if (!start || !end || sh->index != s->shards.size()) {
        return Status::Corruption("kinesis: bad shard in stream metadata");
      }
      sh->start_hash = *start;
      sh->end_hash = *end;
      if (const auto* p = so.if_contains("parent")) sh->parent = p->to_number<uint32_t>();
      if (const auto* p = so.if_contains("adjacent_parent")) {
        sh->adjacent_parent = p->to_number<uint32_t>();
      }
      sh->created_micros = so.at("created").to_number<int64_t>();
      if (const auto* c = so.if_contains("closed")) sh->closed_micros = c->to_number<int64_t>();
      sh->ending_counter = so.at("ending_counter").to_number<uint64_t>();
      sh->next_counter = std::max<uint64_t>(1, so.at("counter_floor").to_number<uint64_t>());
      s->shards.push_back(std::move(sh));
    }
    s->RebuildOpenShards();
    if (s->open_shards.empty()) return Status::Corruption("kinesis: stream without open shards");
    return s;
  } catch (const std::exception& e) {
    return Status::Corruption(std::string("kinesis: bad stream metadata: ") + e.what());
  }
}

}  // namespace tidepool::kinesis
