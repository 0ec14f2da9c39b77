#include "engine/mapping_events.h"

#include <fmt/format.h>
#include <boost/json.hpp>

#include <algorithm>
#include <charconv>
#include <ctime>

#include "core/base64.h"

namespace tidepool::engine {
namespace json = boost::json;

namespace {

std::string Str(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

json::value ParsedOrString(std::string_view text) {
  boost::system::error_code ec;
  json::parse_options opts;
  opts.max_depth = 64;
  json::value v = json::parse(text, ec, {}, opts);
  if (ec) return json::string(text);
  return v;
}

std::string IsoMillis(double seconds) {
  const auto ms = static_cast<int64_t>(seconds * 1000.0);
  std::time_t t = ms / 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms % 1000);
}

std::string IsoSeconds(int64_t ms) {
  std::time_t t = ms / 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

}  // namespace

json::object KinesisEventRecord(const json::object& record, std::string_view shard_id,
                                const EventContext& ctx) {
  const std::string seq = Str(record, "SequenceNumber");
  json::object kinesis{{"kinesisSchemaVersion", "1.0"},
                       {"partitionKey", Str(record, "PartitionKey")},
                       {"sequenceNumber", seq},
                       {"data", Str(record, "Data")},
                       {"approximateArrivalTimestamp", 0.0}};
  if (const json::value* t = record.if_contains("ApproximateArrivalTimestamp");
      t && t->is_number()) {
    kinesis["approximateArrivalTimestamp"] = t->to_number<double>();
  }
  return json::object{{"kinesis", std::move(kinesis)},
                      {"eventSource", "aws:kinesis"},
                      {"eventVersion", "1.0"},
                      {"eventID", fmt::format("{}:{}", shard_id, seq)},
                      {"eventName", "aws:kinesis:record"},
                      {"invokeIdentityArn", ctx.role_arn},
                      {"awsRegion", ctx.region},
                      {"eventSourceARN", ctx.source_arn}};
}

json::object DynamoDbEventRecord(const json::object& record, const EventContext& ctx) {
  json::object out = record;
  out["eventSourceARN"] = ctx.source_arn;
  return out;
}

json::object SqsEventRecord(const json::object& message, const EventContext& ctx) {
  json::object attributes;
  if (const json::value* a = message.if_contains("Attributes"); a && a->is_object()) {
    attributes = a->get_object();
  }
  json::object message_attributes;
  if (const json::value* m = message.if_contains("MessageAttributes"); m && m->is_object()) {
    for (const auto& [name, value] : m->get_object()) {
      if (!value.is_object()) continue;
      const json::object& in = value.get_object();
      json::object attr;
      if (in.contains("StringValue")) attr["stringValue"] = in.at("StringValue");
      if (in.contains("BinaryValue")) attr["binaryValue"] = in.at("BinaryValue");
      attr["stringListValues"] = json::array();
      attr["binaryListValues"] = json::array();
      attr["dataType"] = Str(in, "DataType");
      message_attributes[name] = std::move(attr);
    }
  }
  json::object out{{"messageId", Str(message, "MessageId")},
                   {"receiptHandle", Str(message, "ReceiptHandle")},
                   {"body", Str(message, "Body")},
                   {"attributes", std::move(attributes)},
                   {"messageAttributes", std::move(message_attributes)},
                   {"md5OfBody", Str(message, "MD5OfBody")}};
  if (message.contains("MD5OfMessageAttributes")) {
    out["md5OfMessageAttributes"] = Str(message, "MD5OfMessageAttributes");
  }
  out["eventSource"] = "aws:sqs";
  out["eventSourceARN"] = ctx.source_arn;
  out["awsRegion"] = ctx.region;
  return out;
}

json::value FilterDocument(const json::object& event_record, lambda::MappingSource source) {
  switch (source) {
    case lambda::MappingSource::kKinesis: {
      const json::value* k = event_record.if_contains("kinesis");
      if (k == nullptr || !k->is_object()) return json::object();
      json::object doc = k->get_object();
      std::string data;
      if (AppendBase64Decoded(Str(doc, "data"), data)) {
        boost::system::error_code ec;
        json::value parsed = json::parse(data, ec);
        if (!ec && parsed.is_object()) {
          doc["data"] = std::move(parsed);
        } else {
          doc.erase("data");  // not JSON: only the metadata can match
        }
      }
      return doc;
    }
    case lambda::MappingSource::kSqs: {
      json::object doc = event_record;
      doc["body"] = ParsedOrString(Str(doc, "body"));
      return doc;
    }
    case lambda::MappingSource::kDynamoDbStream:
      return event_record;
  }
  return event_record;
}

Filters CompileFilters(const lambda::MappingView& view) {
  Filters filters;
  for (const auto& pattern : view.filter_patterns) {
    auto f = patterns::FilterPolicy::Parse(pattern, patterns::FilterScope::kEventPattern);
    if (f.ok()) filters.push_back(*f);
  }
  return filters;
}

bool PassesFilters(const Filters& filters, const json::object& event_record,
                   lambda::MappingSource source) {
  if (filters.empty()) return true;
  auto input = patterns::FilterInput::FromJson(FilterDocument(event_record, source));
  for (const auto& f : filters) {
    if (f->Matches(input)) return true;
  }
  return false;
}

std::optional<std::vector<std::string>> BatchItemFailures(std::string_view response) {
  std::vector<std::string> failed;
  boost::system::error_code ec;
  json::value v = json::parse(response, ec);
  if (ec || !v.is_object()) return failed;
  const json::value* list = v.get_object().if_contains("batchItemFailures");
  if (list == nullptr || list->is_null()) return failed;
  if (!list->is_array()) return std::nullopt;
  for (const auto& item : list->get_array()) {
    const json::value* id =
        item.is_object() ? item.get_object().if_contains("itemIdentifier") : nullptr;
    if (id == nullptr || !id->is_string() || id->get_string().empty()) return std::nullopt;
    failed.emplace_back(id->get_string());
  }
  return failed;
}

std::string WindowPayload(json::array records, const WindowInvoke& w) {
  boost::system::error_code ec;
  json::value state = json::parse(w.state, ec);
  if (ec || !state.is_object()) state = json::object();
  json::object out{{"Records", std::move(records)}};
  out["window"] = json::object{{"start", IsoSeconds(w.start_ms)}, {"end", IsoSeconds(w.end_ms)}};
  out["state"] = std::move(state);
  out["shardId"] = w.shard_id;
  out["eventSourceARN"] = w.source_arn;
  out["isFinalInvokeForWindow"] = w.final;
  out["isWindowTerminatedEarly"] = w.terminated_early;
  return json::serialize(out);
}

std::optional<std::string> WindowState(std::string_view response) {
  boost::system::error_code ec;
  json::value v = json::parse(response, ec);
  if (ec || !v.is_object()) return std::nullopt;
  const json::value* state = v.get_object().if_contains("state");
  if (state == nullptr || !state->is_object()) return std::nullopt;
  return json::serialize(*state);
}

int64_t WindowStart(double arrival_seconds, int64_t length_ms) {
  if (length_ms <= 0) return 0;
  const auto ms = static_cast<int64_t>(arrival_seconds * 1000.0);
  return ms - ((ms % length_ms) + length_ms) % length_ms;
}

std::string FormatLaneWindow(const StoredLaneWindow& w) {
  return fmt::format("{} {} {} {}", w.lanes, w.start_ms, w.through.empty() ? "-" : w.through,
                     w.state);
}

std::optional<StoredLaneWindow> ParseLaneWindow(std::string_view text) {
  StoredLaneWindow w;
  std::string_view fields[3];
  for (auto& f : fields) {
    const size_t space = text.find(' ');
    if (space == std::string_view::npos) return std::nullopt;
    f = text.substr(0, space);
    text.remove_prefix(space + 1);
  }
  const auto number = [](std::string_view f, auto& out) {
    auto [end, ec] = std::from_chars(f.data(), f.data() + f.size(), out);
    return ec == std::errc() && end == f.data() + f.size();
  };
  if (!number(fields[0], w.lanes) || w.lanes < 1 || w.lanes > 10) return std::nullopt;
  if (!number(fields[1], w.start_ms) || w.start_ms < -1) return std::nullopt;
  if (fields[2].empty()) return std::nullopt;
  if (fields[2] != "-") w.through = std::string(fields[2]);
  w.state = std::string(text);
  return w;
}

bool SequenceAtMost(std::string_view a, std::string_view b) {
  const size_t za = std::min(a.find_first_not_of('0'), a.size());
  const size_t zb = std::min(b.find_first_not_of('0'), b.size());
  a.remove_prefix(za);
  b.remove_prefix(zb);
  if (a.size() != b.size()) return a.size() < b.size();
  return a <= b;
}

std::string FailureRecord(const FailedBatch& b, lambda::MappingSource source, int64_t now_ms) {
  json::object request{{"requestId", b.request_id},
                       {"functionArn", b.function_arn},
                       {"condition", b.condition},
                       {"approximateInvokeCount", b.approximate_invoke_count}};
  json::object response{{"statusCode", 200}, {"executedVersion", "$LATEST"}};
  if (!b.function_error.empty()) response["functionError"] = b.function_error;
  json::object info{{"shardId", b.shard_id},
                    {"startSequenceNumber", b.start_sequence_number},
                    {"endSequenceNumber", b.end_sequence_number},
                    {"approximateArrivalOfFirstRecord", IsoMillis(b.first_arrival)},
                    {"approximateArrivalOfLastRecord", IsoMillis(b.last_arrival)},
                    {"batchSize", b.batch_size},
                    {"streamArn", b.stream_arn}};
  json::object out{{"requestContext", std::move(request)}};
  if (b.approximate_invoke_count > 0) out["responseContext"] = std::move(response);
  out["version"] = "1.0";
  out["timestamp"] = IsoMillis(static_cast<double>(now_ms) / 1000.0);
  out[source == lambda::MappingSource::kDynamoDbStream ? "DDBStreamBatchInfo"
                                                       : "KinesisBatchInfo"] = std::move(info);
  if (!b.payload.empty()) out["payload"] = b.payload;
  return json::serialize(out);
}

}  // namespace tidepool::engine
