// MappingEngine::ReconcileQueue and ReconcileFunction: `tidepool reconcile --queue/--function`.
//
// A queue keeps no ledger: SQS itself holds what has not reached an outcome. A message a
// mapping's function processed is deleted; one it keeps failing moves to the queue's
// dead-letter queue after maxReceiveCount; one still visible, in flight or delayed has not
// reached an outcome yet. So a queue is accounted for when nothing is left in it.
#include <boost/json.hpp>

#include <mutex>
#include <optional>

#include "engine/mapping_engine.h"
#include "engine/queue_mapping.h"
#include "engine/service_client.h"

namespace tidepool::engine {
namespace json = boost::json;

namespace {

// The ARN's colon-separated parts.
std::vector<std::string> ArnParts(std::string_view arn) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    const size_t colon = arn.find(':', start);
    parts.emplace_back(arn.substr(start, colon == std::string_view::npos ? colon : colon - start));
    if (colon == std::string_view::npos) return parts;
    start = colon + 1;
  }
}

// A function ARN without its qualifier.
std::string Unqualified(std::string_view arn) {
  auto parts = ArnParts(arn);
  if (parts.size() == 8) arn = arn.substr(0, arn.rfind(':'));
  return std::string(arn);
}

int64_t IntAttribute(const json::object& attributes, std::string_view name) {
  const std::string text = JsonString(attributes, name);
  return text.empty() ? 0 : std::strtoll(text.c_str(), nullptr, 10);
}

}  // namespace

void MappingEngine::ReconcileQueue(const std::string& queue_arn, ReportDone done) const {
  const auto parts = ArnParts(queue_arn);
  if (parts.size() != 6 || parts[2] != "sqs") {
    return done(Status::InvalidArgument("not an SQS queue ARN: " + queue_arn));
  }
  json::array mappings;
  {
    std::shared_lock lock(mu_);
    auto [begin, end] = by_source_.equal_range(queue_arn);
    for (auto it = begin; it != end; ++it) {
      auto view = it->second->View();
      mappings.push_back(json::object{
          {"uuid", view->uuid}, {"function", view->function_arn}, {"enabled", view->enabled}});
    }
  }
  const std::string account = parts[4], region = parts[3];
  json::object input{{"QueueUrl", QueueUrlOfArn(queue_arn)},
                     {"AttributeNames", json::array{"All"}}};
  sqs::SqsService& sqs = deps_.sqs;
  boost::asio::io_context& io = deps_.io;
  CallService(
      io, sqs, "GetQueueAttributes", input, account, region,
      [&sqs, &io, queue_arn, account, region, mappings = std::move(mappings),
       done = std::move(done)](ServiceOutcome outcome) mutable {
        if (auto* err = std::get_if<protocol::AwsError>(&outcome)) {
          return done(Status::NotFound(err->message));
        }
        const json::value* a = std::get<json::value>(outcome).as_object().if_contains("Attributes");
        const json::object attributes = a && a->is_object() ? a->get_object() : json::object();
        const int64_t visible = IntAttribute(attributes, "ApproximateNumberOfMessages");
        const int64_t in_flight = IntAttribute(attributes, "ApproximateNumberOfMessagesNotVisible");
        const int64_t delayed = IntAttribute(attributes, "ApproximateNumberOfMessagesDelayed");
        json::object report{{"queue", queue_arn}, {"mappings", std::move(mappings)},
                            {"visible", visible}, {"in_flight", in_flight},
                            {"delayed", delayed}, {"complete", visible + in_flight + delayed == 0}};
        boost::system::error_code ec;
        json::value policy = json::parse(JsonString(attributes, "RedrivePolicy"), ec);
        const std::string dlq = !ec && policy.is_object()
                                    ? JsonString(policy.get_object(), "deadLetterTargetArn")
                                    : std::string();
        if (dlq.empty()) return done(std::move(report));
        json::object dlq_input{
            {"QueueUrl", QueueUrlOfArn(dlq)},
            {"AttributeNames",
             json::array{"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"}}};
        const auto dlq_parts = ArnParts(dlq);
        CallService(io, sqs, "GetQueueAttributes", dlq_input,
                    dlq_parts.size() == 6 ? dlq_parts[4] : account,
                    dlq_parts.size() == 6 ? dlq_parts[3] : region,
                    [dlq, report = std::move(report),
                     done = std::move(done)](ServiceOutcome dlq_outcome) mutable {
                      json::object row{{"queue", dlq}};
                      if (const auto* v = std::get_if<json::value>(&dlq_outcome)) {
                        const json::value* a = v->as_object().if_contains("Attributes");
                        if (a && a->is_object()) {
                          row["messages"] =
                              IntAttribute(a->get_object(), "ApproximateNumberOfMessages") +
                              IntAttribute(a->get_object(),
                                           "ApproximateNumberOfMessagesNotVisible");
                        }
                      }
                      report["dead_letter_queue"] = std::move(row);
                      done(std::move(report));
                    });
      });
}

void MappingEngine::ReconcileFunction(const std::string& function_arn, ReportDone done) const {
  const std::string wanted = Unqualified(function_arn);
  std::vector<lambda::MappingViewPtr> views;
  {
    std::shared_lock lock(mu_);
    for (const auto& [uuid, r] : runners_) {
      auto view = r->View();
      if (Unqualified(view->function_arn) == wanted) views.push_back(std::move(view));
    }
  }
  struct Gather {
    std::mutex mu;
    json::array sources;
    bool complete = true;
    size_t pending = 0;
    ReportDone done;
    std::string function;
  };
  auto gather = std::make_shared<Gather>();
  gather->done = std::move(done);
  gather->function = wanted;
  gather->pending = views.size() + 1;  // + this call, so no report finishes it early
  // Adds one source's report (none: just counts down); the last one replies.
  auto add = [gather](std::optional<json::object> report) {
    std::unique_lock lock(gather->mu);
    if (report) {
      if (const auto* c = report->if_contains("complete"); c && c->is_bool() && !c->get_bool()) {
        gather->complete = false;
      }
      gather->sources.push_back(std::move(*report));
    }
    if (--gather->pending > 0) return;
    json::object out{{"function", gather->function},
                     {"sources", std::move(gather->sources)},
                     {"complete", gather->complete}};
    lock.unlock();
    gather->done(std::move(out));
  };
  for (const auto& view : views) {
    if (view->source == lambda::MappingSource::kSqs) {
      ReconcileQueue(view->source_arn, [add, arn = view->source_arn](Result<json::object> r) {
        add(r.ok() ? std::move(*r)
                   : json::object{
                         {"queue", arn}, {"error", r.status().message()}, {"complete", false}});
      });
      continue;
    }
    if (view->source == lambda::MappingSource::kDynamoDbStream) {
      add(json::object{{"stream", view->source_arn}, {"reconciled", false}});
      continue;
    }
    auto report = Reconcile(view->source_arn);
    if (!report.ok()) {
      add(json::object{
          {"stream", view->source_arn}, {"error", report.status().message()}, {"complete", false}});
      continue;
    }
    // Only this function's mapping of the stream.
    json::array mine;
    bool complete = true;
    for (auto& m : report->at("mappings").as_array()) {
      if (JsonString(m.as_object(), "uuid") != view->uuid) continue;
      for (const auto& s : m.as_object().at("shards").as_array()) {
        if (!s.as_object().at("pending").as_array().empty()) complete = false;
      }
      mine.push_back(std::move(m));
    }
    (*report)["mappings"] = std::move(mine);
    (*report)["complete"] = complete;
    add(std::move(*report));
  }
  add(std::nullopt);  // the extra count taken above
}

}  // namespace tidepool::engine
