#include "main/reconcile.h"

#include <boost/json.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include <cstdio>
#include <string>
#include <vector>

#include "main/local_http.h"

namespace tidepool::cli {
namespace json = boost::json;

namespace {

// A queue URL (http://host/<account>/<name> or http://host/queue/<region>/<account>/<name>)
// or ARN -> its ARN.
std::string QueueArn(const ReconcileOptions& o) {
  if (o.queue.rfind("arn:", 0) == 0) return o.queue;
  std::vector<std::string> parts;
  size_t start = o.queue.find("://");
  start = start == std::string::npos ? 0 : o.queue.find('/', start + 3);
  while (start != std::string::npos && start < o.queue.size()) {
    const size_t next = o.queue.find('/', start + 1);
    std::string part =
        o.queue.substr(start + 1, next == std::string::npos ? next : next - start - 1);
    if (!part.empty()) parts.push_back(std::move(part));
    start = next;
  }
  if (parts.size() == 4 && parts[0] == "queue") {
    return "arn:aws:sqs:" + parts[1] + ":" + parts[2] + ":" + parts[3];
  }
  if (parts.size() >= 2) {
    return "arn:aws:sqs:" + o.region + ":" + parts[parts.size() - 2] + ":" + parts.back();
  }
  return "arn:aws:sqs:" + o.region + ":" + o.account + ":" + o.queue;  // a bare name
}

std::string Str(const json::value& v, std::string_view key) {
  const json::value* m = v.as_object().if_contains(key);
  return m && m->is_string() ? std::string(m->get_string()) : std::string();
}

int64_t Num(const json::value& v, std::string_view key) {
  const json::value* m = v.as_object().if_contains(key);
  return m && m->is_number() ? m->to_number<int64_t>() : 0;
}

void PrintMapping(const json::value& m) {
  std::printf("  mapping %s -> %s%s\n", Str(m, "uuid").c_str(), Str(m, "function").c_str(),
              m.at("enabled").as_bool() ? "" : " (disabled)");
}

void PrintStream(const json::value& report) {
  std::printf("stream %s: %lld records\n", Str(report, "stream").c_str(),
              static_cast<long long>(Num(report, "records")));
  const json::array& mappings = report.at("mappings").as_array();
  if (mappings.empty()) std::printf("  no event source mapping reads this stream\n");
  for (const auto& m : mappings) {
    PrintMapping(m);
    for (const auto& s : m.at("shards").as_array()) {
      const json::array& pending = s.at("pending").as_array();
      std::printf(
          "    %s: %lld records: %lld delivered, %lld filtered, %lld expired, %lld on-failure, "
          "%lld dropped, %zu not yet\n",
          Str(s, "shard").c_str(), static_cast<long long>(Num(s, "records")),
          static_cast<long long>(Num(s, "delivered")), static_cast<long long>(Num(s, "filtered")),
          static_cast<long long>(Num(s, "expired")), static_cast<long long>(Num(s, "on_failure")),
          static_cast<long long>(Num(s, "dropped")), pending.size());
      for (const auto& seq : pending) {
        std::printf("      not yet: %s\n", json::value_to<std::string>(seq).c_str());
      }
    }
  }
}

void PrintQueue(const json::value& report) {
  std::printf("queue %s: %lld visible, %lld in flight, %lld delayed\n",
              Str(report, "queue").c_str(), static_cast<long long>(Num(report, "visible")),
              static_cast<long long>(Num(report, "in_flight")),
              static_cast<long long>(Num(report, "delayed")));
  const json::array& mappings = report.at("mappings").as_array();
  if (mappings.empty()) std::printf("  no event source mapping reads this queue\n");
  for (const auto& m : mappings) PrintMapping(m);
  if (const json::value* dlq = report.as_object().if_contains("dead_letter_queue")) {
    std::printf("  dead-letter queue %s: %lld messages\n", Str(*dlq, "queue").c_str(),
                static_cast<long long>(Num(*dlq, "messages")));
  }
}

}  // namespace

int RunReconcile(const ReconcileOptions& options) {
  std::string query;
  auto encode = [](const std::string& s) {
    return boost::urls::encode(s, boost::urls::unreserved_chars);
  };
  if (!options.queue.empty()) {
    query = "queue=" + encode(QueueArn(options));
  } else if (!options.function.empty()) {
    query = "function=" + encode(options.function.rfind("arn:", 0) == 0
                                     ? options.function
                                     : "arn:aws:lambda:" + options.region + ":" + options.account +
                                           ":function:" + options.function);
  } else {
    query = "stream=" + encode(options.stream.rfind("arn:", 0) == 0
                                   ? options.stream
                                   : "arn:aws:kinesis:" + options.region + ":" + options.account +
                                         ":stream/" + options.stream);
  }
  auto answer = LocalGet(options.endpoint, "/_tidepool/reconcile?" + query);
  if (!answer.ok()) {
    std::fprintf(stderr, "tidepool reconcile: %s\n", answer.status().message().c_str());
    return 2;
  }
  const unsigned status = answer->status;
  const std::string& body = answer->body;
  boost::system::error_code ec;
  json::value report = json::parse(body, ec);
  if (status != 200 || ec || !report.is_object()) {
    std::fprintf(stderr, "tidepool reconcile: %u %s\n", status, body.c_str());
    return 2;
  }
  const bool complete = report.at("complete").as_bool();
  if (options.json) {
    std::printf("%s\n", body.c_str());
    return complete ? 0 : 1;
  }
  if (report.as_object().contains("function")) {
    std::printf("function %s\n", Str(report, "function").c_str());
    const json::array& sources = report.at("sources").as_array();
    if (sources.empty()) std::printf("  no event source mapping invokes this function\n");
    for (const auto& source : sources) {
      if (source.as_object().contains("error")) {
        std::printf("source %s%s: %s\n", Str(source, "stream").c_str(),
                    Str(source, "queue").c_str(), Str(source, "error").c_str());
      } else if (source.as_object().contains("reconciled")) {
        std::printf("stream %s: DynamoDB stream mappings are not reconciled\n",
                    Str(source, "stream").c_str());
      } else if (source.as_object().contains("queue")) {
        PrintQueue(source);
      } else {
        PrintStream(source);
      }
    }
  } else if (report.as_object().contains("queue")) {
    PrintQueue(report);
  } else {
    PrintStream(report);
  }
  std::printf(complete ? "every record is accounted for\n"
                       : "some records have not reached an outcome\n");
  return complete ? 0 : 1;
}

}  // namespace tidepool::cli
