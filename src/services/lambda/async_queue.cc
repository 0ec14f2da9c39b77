#include "services/lambda/async_queue.h"

#include <boost/json.hpp>

#include "services/lambda/function_record.h"

namespace tidepool::lambda {
namespace json = boost::json;

std::string AsyncInvocation::Encode() const {
  json::object o{
      {"fn", function_arn}, {"payload", payload}, {"id", request_id}, {"at", enqueued_ms}};
  if (!trace_header.empty()) o["trace"] = trace_header;
  return json::serialize(o);
}

Result<AsyncInvocation> AsyncInvocation::Decode(uint64_t seq, std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return Status::Corruption("async invocation is not a JSON object");
  const json::object& o = v.get_object();
  AsyncInvocation a;
  a.seq = seq;
  a.function_arn = StringMember(o, "fn");
  a.payload = StringMember(o, "payload");
  a.request_id = StringMember(o, "id");
  a.trace_header = StringMember(o, "trace");
  if (const json::value* at = o.if_contains("at"); at && at->is_int64()) {
    a.enqueued_ms = at->get_int64();
  }
  if (a.function_arn.empty()) return Status::Corruption("async invocation names no function");
  return a;
}

}  // namespace tidepool::lambda
