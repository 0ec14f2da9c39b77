#include "services/sqs/move_task.h"

#include <boost/json.hpp>

namespace tidepool::sqs {
namespace json = boost::json;

std::string EncodeMoveTask(const MoveTask& t) {
  return json::serialize(json::object{
      {"id", t.id},
      {"handle", t.handle},
      {"source", t.source_arn},
      {"destination", t.destination_arn},
      {"rate", t.rate},
      {"moved", t.moved},
      {"to_move", t.to_move},
      {"status", t.status},
      {"failure", t.failure},
      {"started", t.started_millis},
      {"max_seq", t.max_seq},
  });
}

std::unique_ptr<MoveTask> DecodeMoveTask(std::string_view value) {
  try {
    boost::system::error_code ec;
    json::value v = json::parse(value, ec);
    if (ec || !v.is_object()) return nullptr;
    const auto& o = v.get_object();
    auto t = std::make_unique<MoveTask>();
    t->id = json::value_to<std::string>(o.at("id"));
    t->handle = json::value_to<std::string>(o.at("handle"));
    t->source_arn = json::value_to<std::string>(o.at("source"));
    t->destination_arn = json::value_to<std::string>(o.at("destination"));
    t->rate = o.at("rate").to_number<int32_t>();
    t->moved = o.at("moved").to_number<int64_t>();
    t->to_move = o.at("to_move").to_number<int64_t>();
    t->status = json::value_to<std::string>(o.at("status"));
    t->failure = json::value_to<std::string>(o.at("failure"));
    t->started_millis = o.at("started").to_number<int64_t>();
    t->max_seq = o.at("max_seq").to_number<uint64_t>();
    return t;
  } catch (const std::exception&) {
    return nullptr;
  }
}

}  // namespace tidepool::sqs
