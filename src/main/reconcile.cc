#include "main/reconcile.h"

#include <boost/json.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include <cstdio>

#include "main/local_http.h"

namespace tidepool::cli {
namespace json = boost::json;

int RunReconcile(const ReconcileOptions& options) {
  const std::string arn = options.stream.rfind("arn:", 0) == 0
                              ? options.stream
                              : "arn:aws:kinesis:" + options.region + ":" + options.account +
                                    ":stream/" + options.stream;
  auto answer =
      LocalGet(options.endpoint, "/_tidepool/reconcile?stream=" +
                                     boost::urls::encode(arn, boost::urls::unreserved_chars));
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
  std::printf("stream %s: %lld records\n", json::value_to<std::string>(report.at("stream")).c_str(),
              static_cast<long long>(report.at("records").to_number<int64_t>()));
  const json::array& mappings = report.at("mappings").as_array();
  if (mappings.empty()) std::printf("  no event source mapping reads this stream\n");
  for (const auto& m : mappings) {
    std::printf("  mapping %s -> %s%s\n", json::value_to<std::string>(m.at("uuid")).c_str(),
                json::value_to<std::string>(m.at("function")).c_str(),
                m.at("enabled").as_bool() ? "" : " (disabled)");
    for (const auto& s : m.at("shards").as_array()) {
      const json::array& pending = s.at("pending").as_array();
      std::printf(
          "    %s: %lld records: %lld delivered, %lld filtered, %lld expired, %lld on-failure, "
          "%lld dropped, %zu not yet\n",
          json::value_to<std::string>(s.at("shard")).c_str(),
          static_cast<long long>(s.at("records").to_number<int64_t>()),
          static_cast<long long>(s.at("delivered").to_number<int64_t>()),
          static_cast<long long>(s.at("filtered").to_number<int64_t>()),
          static_cast<long long>(s.at("expired").to_number<int64_t>()),
          static_cast<long long>(s.at("on_failure").to_number<int64_t>()),
          static_cast<long long>(s.at("dropped").to_number<int64_t>()), pending.size());
      for (const auto& seq : pending) {
        std::printf("      not yet: %s\n", json::value_to<std::string>(seq).c_str());
      }
    }
  }
  std::printf(complete ? "every record is accounted for\n"
                       : "some records have not reached an outcome\n");
  return complete ? 0 : 1;
}

}  // namespace tidepool::cli
