#include "dynamodb_scenarios.h"

#include <unistd.h>

#include <cstdio>

#include "reply_scan.h"
#include "workload.h"

namespace tidepool::bench {
namespace {

std::string ItemJson(const std::string& pk, const std::string* sk, const std::string& payload) {
  std::string item = "{\"pk\":{\"S\":\"" + pk + "\"}";
  if (sk) item += ",\"sk\":{\"N\":\"" + *sk + "\"}";
  item += ",\"v\":{\"S\":\"" + payload + "\"}}";
  return item;
}

// Each request's body comes from `make(connection, counter)`; a reply counts for `per_reply`
// records, or for its "Count" when per_reply is 0. Stops after `max_requests` (0: never).
class BodyWorkload : public Workload {
 public:
  using Make = std::function<std::string(size_t connection, uint64_t n)>;
  BodyWorkload(SignedRequestBuilder& builder, std::string operation, Make make, uint64_t per_reply,
               uint64_t max_requests = 0)
      : builder_(builder),
        operation_(std::move(operation)),
        make_(std::move(make)),
        per_reply_(per_reply),
        max_requests_(max_requests) {}
  std::optional<HttpRequest> Next(size_t connection) override {
    if (max_requests_ && counter_ >= max_requests_) return std::nullopt;
    return builder_.Build(kDynamoDbWire, operation_, make_(connection, counter_++));
  }
  uint64_t OnReply(size_t, const std::string& body) override {
    return per_reply_ ? per_reply_ : ScanUnsigned(body, "Count");
  }

 private:
  SignedRequestBuilder& builder_;
  std::string operation_;
  Make make_;
  uint64_t per_reply_, max_requests_;
  uint64_t counter_ = 0;
};

// One Scan of the whole table, page after page, on connection 0.
class ScanWorkload : public Workload {
 public:
  ScanWorkload(SignedRequestBuilder& builder, std::string table)
      : builder_(builder), table_(std::move(table)) {}
  std::optional<HttpRequest> Next(size_t connection) override {
    if (connection != 0 || done_) return std::nullopt;
    std::string body = "{\"TableName\":\"" + table_ + "\"";
    if (!start_key_.empty()) body += ",\"ExclusiveStartKey\":" + start_key_;
    body += "}";
    return builder_.Build(kDynamoDbWire, "Scan", std::move(body));
  }
  uint64_t OnReply(size_t, const std::string& body) override {
    // The key is small and holds no braces in its strings: match braces from its start.
    const size_t at = body.rfind("\"LastEvaluatedKey\":");
    start_key_.clear();
    if (at == std::string::npos) {
      done_ = true;
    } else {
      size_t i = body.find('{', at), depth = 0, end = i;
      for (; end < body.size(); ++end) {
        if (body[end] == '{') ++depth;
        if (body[end] == '}' && --depth == 0) break;
      }
      start_key_ = body.substr(i, end - i + 1);
    }
    return ScanUnsigned(body, "Count");
  }

 private:
  SignedRequestBuilder& builder_;
  std::string table_, start_key_;
  bool done_ = false;
};

}  // namespace

std::string DynamoDbScenarios::CreateTable(bool with_range) {
  const std::string name = "bench-" + std::to_string(getpid()) + "-" + std::to_string(tables_++);
  boost::json::array keys{boost::json::object{{"AttributeName", "pk"}, {"KeyType", "HASH"}}};
  boost::json::array attrs{boost::json::object{{"AttributeName", "pk"}, {"AttributeType", "S"}}};
  if (with_range) {
    keys.push_back(boost::json::object{{"AttributeName", "sk"}, {"KeyType", "RANGE"}});
    attrs.push_back(boost::json::object{{"AttributeName", "sk"}, {"AttributeType", "N"}});
  }
  setup_.Call("CreateTable",
              {{"TableName", name},
               {"KeySchema", keys},
               {"AttributeDefinitions", attrs},
               {"BillingMode", "PAY_PER_REQUEST"}},
              kDynamoDbWire);
  return name;
}

RunResult DynamoDbScenarios::Fill(const std::string& table, uint64_t count,
                                  const std::string& partition) {
  constexpr uint64_t kBatch = 25;
  const std::string payload(item_bytes_, 'f');
  BodyWorkload fill(
      builder_, "BatchWriteItem",
      [&](size_t, uint64_t n) {
        std::string body = "{\"RequestItems\":{\"" + table + "\":[";
        for (uint64_t i = n * kBatch; i < std::min(count, (n + 1) * kBatch); ++i) {
          if (i != n * kBatch) body += ',';
          const std::string sk = std::to_string(i);
          body += "{\"PutRequest\":{\"Item\":" +
                  ItemJson(partition.empty() ? "k" + sk : partition,
                           partition.empty() ? nullptr : &sk, payload) +
                  "}}";
        }
        return body + "]}}";
      },
      kBatch, (count + kBatch - 1) / kBatch);
  RunOptions run = base_;
  run.concurrency = 16;
  run.warmup = std::chrono::milliseconds(0);
  run.duration = std::chrono::milliseconds(600000);
  return RunClosedLoop(run, fill);
}

void DynamoDbScenarios::Run(const std::string& scenario, const std::vector<size_t>& concurrency,
                            const Emit& emit) {
  const std::string payload(item_bytes_, 'v');
  if (scenario == "ddb-scan") {
    const std::string table = CreateTable(false);
    RunResult filled = Fill(table, scan_items_, "");
    std::printf("(ddb-scan: pre-filled %llu items in %.2f s, %.0f items/s, %llu errors)\n",
                static_cast<unsigned long long>(filled.records), filled.seconds,
                filled.records / (filled.seconds > 0 ? filled.seconds : 1e-9),
                static_cast<unsigned long long>(filled.errors));
    ScanWorkload workload(builder_, table);
    RunOptions run = base_;
    run.concurrency = 1;
    run.warmup = std::chrono::milliseconds(0);
    run.duration = std::chrono::milliseconds(600000);
    emit(1, RunClosedLoop(run, workload));
    return;
  }
  for (size_t connections : concurrency) {
    RunOptions run = base_;
    run.concurrency = connections;
    const bool with_range = scenario == "ddb-query";
    const std::string table = CreateTable(with_range);
    const std::string prefix = "{\"TableName\":\"" + table + "\",";
    if (scenario == "ddb-put") {
      BodyWorkload w(
          builder_, "PutItem",
          [&](size_t c, uint64_t n) {
            return prefix + "\"Item\":" +
                   ItemJson("c" + std::to_string(c) + "-" + std::to_string(n), nullptr, payload) +
                   "}";
          },
          1);
      emit(connections, RunClosedLoop(run, w));
    } else if (scenario == "ddb-get") {
      Fill(table, 1000, "");
      BodyWorkload w(
          builder_, "GetItem",
          [&](size_t, uint64_t n) {
            return prefix + "\"Key\":{\"pk\":{\"S\":\"k" + std::to_string(n % 1000) + "\"}}}";
          },
          1);
      emit(connections, RunClosedLoop(run, w));
    } else if (scenario == "ddb-query") {
      Fill(table, 100, "q");
      BodyWorkload w(
          builder_, "Query",
          [&](size_t, uint64_t) {
            return prefix +
                   "\"KeyConditionExpression\":\"pk = :p\",\"ExpressionAttributeValues\":{\":p\":"
                   "{\"S\":\"q\"}}}";
          },
          0);
      emit(connections, RunClosedLoop(run, w));
    } else if (scenario == "ddb-batch-write") {
      BodyWorkload w(
          builder_, "BatchWriteItem",
          [&](size_t c, uint64_t n) {
            std::string body = "{\"RequestItems\":{\"" + table + "\":[";
            for (int i = 0; i < 25; ++i) {
              if (i) body += ',';
              body += "{\"PutRequest\":{\"Item\":" +
                      ItemJson("c" + std::to_string(c) + "-" + std::to_string(n) + "-" +
                                   std::to_string(i),
                               nullptr, payload) +
                      "}}";
            }
            return body + "]}}";
          },
          25);
      emit(connections, RunClosedLoop(run, w));
    } else if (scenario == "ddb-transact") {
      BodyWorkload w(
          builder_, "TransactWriteItems",
          [&](size_t c, uint64_t n) {
            const std::string key = "c" + std::to_string(c) + "-" + std::to_string(n);
            return "{\"TransactItems\":[{\"Put\":{\"TableName\":\"" + table +
                   "\",\"Item\":" + ItemJson(key + "a", nullptr, payload) +
                   "}},{\"Put\":{\"TableName\":\"" + table +
                   "\",\"Item\":" + ItemJson(key + "b", nullptr, payload) + "}}]}";
          },
          2);
      emit(connections, RunClosedLoop(run, w));
    } else {
      std::fprintf(stderr, "unknown scenario %s\n", scenario.c_str());
      return;
    }
  }
}

}  // namespace tidepool::bench
