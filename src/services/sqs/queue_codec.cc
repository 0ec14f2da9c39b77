#include "services/sqs/queue_codec.h"

#include <boost/json.hpp>

namespace tidepool::sqs {
namespace json = boost::json;

std::string EncodeQueueMeta(const Queue& q) {
  const QueueConfig& c = q.config;
  json::object tags;
  for (const auto& [k, v] : q.tags) tags[k] = v;
  json::object o{
      {"uid", q.uid},
      {"account", q.account},
      {"region", q.region},
      {"name", q.name},
      {"fifo", q.fifo},
      {"created", q.created_seconds},
      {"modified", q.modified_seconds},
      {"last_purge", q.last_purge_micros},
      {"purge_floor", q.purge_floor},
      {"config",
       {{"delay", c.delay_seconds},
        {"max_size", c.maximum_message_size},
        {"retention", c.message_retention_period},
        {"wait", c.receive_wait_seconds},
        {"visibility", c.visibility_timeout},
        {"redrive", c.redrive_policy},
        {"redrive_target", c.redrive_target_arn},
        {"max_receive", c.max_receive_count},
        {"redrive_allow", c.redrive_allow_policy},
        {"policy", c.policy},
        {"kms_key", c.kms_master_key_id},
        {"kms_reuse", c.kms_data_key_reuse_period},
        {"sse", c.sqs_managed_sse},
        {"cbd", c.content_based_dedup},
        {"dedup_scope", c.dedup_scope},
        {"throughput", c.fifo_throughput_limit}}},
      {"tags", std::move(tags)},
  };
  return json::serialize(o);
}

std::shared_ptr<Queue> DecodeQueueMeta(std::string_view value) {
  try {
    boost::system::error_code ec;
    json::value v = json::parse(value, ec);
    if (ec || !v.is_object()) return nullptr;
    const auto& o = v.get_object();
    auto q = std::make_shared<Queue>(
        json::value_to<uint64_t>(o.at("uid")), json::value_to<std::string>(o.at("account")),
        json::value_to<std::string>(o.at("region")), json::value_to<std::string>(o.at("name")),
        o.at("fifo").as_bool());
    q->created_seconds = o.at("created").to_number<int64_t>();
    q->modified_seconds = o.at("modified").to_number<int64_t>();
    q->last_purge_micros = o.at("last_purge").to_number<int64_t>();
    q->purge_floor = o.at("purge_floor").to_number<uint64_t>();
    const auto& c = o.at("config").as_object();
    QueueConfig& k = q->config;
    k.delay_seconds = c.at("delay").to_number<int64_t>();
    k.maximum_message_size = c.at("max_size").to_number<int64_t>();
    k.message_retention_period = c.at("retention").to_number<int64_t>();
    k.receive_wait_seconds = c.at("wait").to_number<int64_t>();
    k.visibility_timeout = c.at("visibility").to_number<int64_t>();
    k.redrive_policy = json::value_to<std::string>(c.at("redrive"));
    k.redrive_target_arn = json::value_to<std::string>(c.at("redrive_target"));
    k.max_receive_count = c.at("max_receive").to_number<int64_t>();
    k.redrive_allow_policy = json::value_to<std::string>(c.at("redrive_allow"));
    k.policy = json::value_to<std::string>(c.at("policy"));
    k.kms_master_key_id = json::value_to<std::string>(c.at("kms_key"));
    k.kms_data_key_reuse_period = c.at("kms_reuse").to_number<int64_t>();
    k.sqs_managed_sse = c.at("sse").as_bool();
    k.content_based_dedup = c.at("cbd").as_bool();
    k.dedup_scope = json::value_to<std::string>(c.at("dedup_scope"));
    k.fifo_throughput_limit = json::value_to<std::string>(c.at("throughput"));
    for (const auto& [key, val] : o.at("tags").as_object()) {
      q->tags[std::string(key)] = json::value_to<std::string>(val);
    }
    return q;
  } catch (const std::exception&) {
    return nullptr;
  }
}

}  // namespace tidepool::sqs
