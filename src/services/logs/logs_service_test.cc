// LogsService through the real model's codec: a MemoryStore, a CommitQueue, a FakeClock and an
// io_context run by one thread. Restart() recovers a new service from the same store.
#include "services/logs/logs_service.h"

#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/json.hpp>

#include <future>
#include <thread>

#include "protocol/codec/json_codec.h"
#include "protocol/model/models.h"
#include "services/logs/keyspace.h"
#include "storage/commit_queue.h"
#include "storage/key_codec.h"
#include "storage/memory_store.h"
#include "storage/store_image.h"

namespace tidepool::logs {
namespace {

namespace json = boost::json;
constexpr int64_t kDayMs = 86'400'000;

class Harness {
 public:
  Harness() : work_(io_.get_executor()) {
    thread_ = std::thread([this] { io_.run(); });
    Start();
  }
  ~Harness() {
    Stop();
    work_.reset();
    io_.stop();
    thread_.join();
  }
  void Restart() {
    Stop();
    Start();
  }
  // Waits for posted work (an ingest flush) and for the commits it submitted.
  void Settle() {
    for (int i = 0; i < 2; ++i) {
      std::promise<void> drained;
      boost::asio::post(io_, [&] { drained.set_value(); });
      drained.get_future().wait();
      commits_->Flush();
    }
  }

  protocol::Outcome Invoke(std::string_view operation, const json::object& body) {
    const auto* op = protocol::model::LogsModel().FindOperation(operation);
    EXPECT_NE(op, nullptr) << operation;
    auto promise = std::make_shared<std::promise<protocol::Outcome>>();
    auto future = promise->get_future();
    protocol::RequestContext ctx{"123456789012", "us-east-1", "", "req-1", "localhost"};
    auto call = protocol::json_codec::MakeCall(
        *service_, *op, json::serialize(body), std::move(ctx),
        [promise](protocol::Outcome o) { promise->set_value(std::move(o)); });
    if (call) service_->Invoke(std::move(call));
    if (future.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
      ADD_FAILURE() << operation << " did not complete";
      return protocol::AwsError{"Timeout", "", 500, false, {}};
    }
    return future.get();
  }
  json::object Ok(std::string_view operation, const json::object& body) {
    auto o = Invoke(operation, body);
    if (auto* e = std::get_if<protocol::AwsError>(&o)) {
      ADD_FAILURE() << operation << " -> " << e->code << ": " << e->message;
      return {};
    }
    return std::get<json::object>(std::move(o));
  }
  std::string Err(std::string_view operation, const json::object& body) {
    auto o = Invoke(operation, body);
    if (auto* e = std::get_if<protocol::AwsError>(&o)) return e->code;
    ADD_FAILURE() << operation << " succeeded";
    return "";
  }
  std::vector<std::string> Messages(const json::object& filter) {
    std::vector<std::string> out;
    json::object in = filter;
    while (true) {
      auto page = Ok("FilterLogEvents", in);
      for (const auto& e : page["events"].as_array()) {
        out.emplace_back(e.at("message").as_string());
      }
      if (!page.contains("nextToken")) return out;
      in["nextToken"] = page["nextToken"];
    }
  }
  size_t Count(char kind) {
    size_t n = 0;
    std::string prefix = keyspace::Prefix(kind);
    Status s = store_.Scan(prefix, storage::PrefixEnd(prefix), [&](auto, auto) {
      ++n;
      return true;
    });
    EXPECT_TRUE(s.ok());
    return n;
  }

  LogsService& service() { return *service_; }
  storage::MemoryStore& store() { return store_; }
  FakeClock& clock() { return clock_; }
  int64_t now() { return clock_.NowMillis(); }

 private:
  void Start() {
    commits_ = std::make_unique<storage::CommitQueue>(store_, storage::Durability::kMemory);
    service_ = std::make_unique<LogsService>(store_, *commits_, clock_, io_, LogsOptions{});
    Status st = service_->Recover();
    EXPECT_TRUE(st.ok()) << st.ToString();
  }
  void Stop() {
    Settle();
    service_.reset();
    commits_->Stop();
    commits_.reset();
  }

  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::thread thread_;
  storage::MemoryStore store_;
  FakeClock clock_;
  std::unique_ptr<storage::CommitQueue> commits_;
  std::unique_ptr<LogsService> service_;
};

json::array Events(int64_t start, std::initializer_list<const char*> messages) {
  json::array out;
  for (const char* m : messages)
    out.push_back(json::object{{"timestamp", start++}, {"message", m}});
  return out;
}

TEST(LogsService, GroupsStreamsAndEventsSurviveARestart) {
  Harness h;
  h.Ok("CreateLogGroup", {{"logGroupName", "g"}, {"tags", json::object{{"a", "1"}}}});
  h.Ok("PutRetentionPolicy", {{"logGroupName", "g"}, {"retentionInDays", 7}});
  h.Ok("CreateLogStream", {{"logGroupName", "g"}, {"logStreamName", "s"}});
  const int64_t t = h.now() - 1000;
  h.Ok("PutLogEvents",
       {{"logGroupName", "g"}, {"logStreamName", "s"}, {"logEvents", Events(t, {"a", "b"})}});
  h.Restart();
  auto groups = h.Ok("DescribeLogGroups", {});
  ASSERT_EQ(groups["logGroups"].as_array().size(), 1u);
  EXPECT_EQ(groups["logGroups"].as_array()[0].at("retentionInDays").as_int64(), 7);
  EXPECT_EQ(h.Ok("ListTagsLogGroup", {{"logGroupName", "g"}})["tags"], (json::object{{"a", "1"}}));
  auto streams = h.Ok("DescribeLogStreams", {{"logGroupName", "g"}})["logStreams"].as_array();
  ASSERT_EQ(streams.size(), 1u);
  EXPECT_EQ(streams[0].at("firstEventTimestamp").as_int64(), t);
  EXPECT_EQ(streams[0].at("lastEventTimestamp").as_int64(), t + 1);
  // New events sort after the recovered ones (seq continues above them).
  h.Ok("PutLogEvents",
       {{"logGroupName", "g"}, {"logStreamName", "s"}, {"logEvents", Events(t + 1, {"c"})}});
  EXPECT_EQ(h.Messages({{"logGroupName", "g"}}), (std::vector<std::string>{"a", "b", "c"}));
}

TEST(LogsService, IngestCreatesGroupAndStreamAndKeepsOrder) {
  Harness h;
  const int64_t t = h.now();
  h.service().Ingest("123456789012", "us-east-1", "/aws/lambda/f", "2024/01/01/[$LATEST]ab",
                     {{t, "START\n"}, {t, "one\n"}});
  h.service().Ingest("123456789012", "us-east-1", "/aws/lambda/f", "2024/01/01/[$LATEST]ab",
                     {{t, "two\n"}, {t, "END\n"}});
  h.Settle();
  EXPECT_EQ(h.Messages({{"logGroupName", "/aws/lambda/f"}}),
            (std::vector<std::string>{"START\n", "one\n", "two\n", "END\n"}));
  auto page = h.Ok("GetLogEvents", {{"logGroupName", "/aws/lambda/f"},
                                    {"logStreamName", "2024/01/01/[$LATEST]ab"},
                                    {"limit", 2}});
  ASSERT_EQ(page["events"].as_array().size(), 2u);
  EXPECT_EQ(page["events"].as_array()[1].at("message").as_string(), "END\n");
  // Another account's group of the same name is another group.
  h.service().Ingest("210987654321", "us-east-1", "/aws/lambda/f", "x", {{t, "other\n"}});
  h.Settle();
  EXPECT_EQ(h.Messages({{"logGroupName", "/aws/lambda/f"}}).size(), 4u);
  h.Restart();
  EXPECT_EQ(h.Messages({{"logGroupName", "/aws/lambda/f"}}).size(), 4u);
}

TEST(LogsService, RetentionHidesThenSweepDeletes) {
  Harness h;
  h.Ok("CreateLogGroup", {{"logGroupName", "g"}});
  h.Ok("CreateLogStream", {{"logGroupName", "g"}, {"logStreamName", "old"}});
  h.Ok("CreateLogStream", {{"logGroupName", "g"}, {"logStreamName", "new"}});
  h.Ok("PutLogEvents", {{"logGroupName", "g"},
                        {"logStreamName", "old"},
                        {"logEvents", Events(h.now() - 3 * kDayMs, {"x", "y"})}});
  h.Ok("PutLogEvents",
       {{"logGroupName", "g"}, {"logStreamName", "new"}, {"logEvents", Events(h.now(), {"z"})}});
  h.Ok("PutRetentionPolicy", {{"logGroupName", "g"}, {"retentionInDays", 1}});
  EXPECT_EQ(h.Messages({{"logGroupName", "g"}}), (std::vector<std::string>{"z"}));
  EXPECT_EQ(h.Count('e'), 3u);
  h.service().SweepExpired();
  h.Settle();
  EXPECT_EQ(h.Count('e'), 1u);
  EXPECT_EQ(h.Count('s'), 1u);
  // Two days later "z" expires too, and its stream with it.
  h.clock().AdvanceSeconds(2 * 86400);
  h.service().SweepExpired();
  h.Settle();
  EXPECT_EQ(h.Count('e'), 0u);
  EXPECT_EQ(h.Count('s'), 0u);
  EXPECT_EQ(h.Count('g'), 1u);
}

TEST(LogsService, DeleteRemovesEverything) {
  Harness h;
  h.Ok("CreateLogGroup", {{"logGroupName", "g"}});
  h.Ok("CreateLogStream", {{"logGroupName", "g"}, {"logStreamName", "a"}});
  h.Ok("CreateLogStream", {{"logGroupName", "g"}, {"logStreamName", "b"}});
  h.Ok("PutLogEvents",
       {{"logGroupName", "g"}, {"logStreamName", "a"}, {"logEvents", Events(h.now(), {"1", "2"})}});
  h.Ok("PutLogEvents",
       {{"logGroupName", "g"}, {"logStreamName", "b"}, {"logEvents", Events(h.now(), {"3"})}});
  h.Ok("DeleteLogStream", {{"logGroupName", "g"}, {"logStreamName", "a"}});
  EXPECT_EQ(h.Count('e'), 1u);
  EXPECT_EQ(h.Err("GetLogEvents", {{"logGroupName", "g"}, {"logStreamName", "a"}}),
            "ResourceNotFoundException");
  h.Ok("DeleteLogGroup", {{"logGroupName", "g"}});
  EXPECT_EQ(h.Count('e') + h.Count('s') + h.Count('g'), 0u);
  EXPECT_EQ(h.Err("DescribeLogStreams", {{"logGroupName", "g"}}), "ResourceNotFoundException");
}

TEST(LogsService, ErrorsAsAwsGivesThem) {
  Harness h;
  h.Ok("CreateLogGroup", {{"logGroupName", "g"}});
  EXPECT_EQ(h.Err("CreateLogGroup", {{"logGroupName", "g"}}), "ResourceAlreadyExistsException");
  EXPECT_EQ(h.Err("GetLogEvents", {{"logStreamName", "s"}}), "InvalidParameterException");
  EXPECT_EQ(h.Err("GetLogEvents",
                  {{"logGroupName", "g"}, {"logGroupIdentifier", "g"}, {"logStreamName", "s"}}),
            "InvalidParameterException");
  EXPECT_EQ(h.Err("PutRetentionPolicy", {{"logGroupName", "g"}, {"retentionInDays", 2}}),
            "InvalidParameterException");
  EXPECT_EQ(h.Err("FilterLogEvents", {{"logGroupName", "g"}, {"filterPattern", "{ $.a = }"}}),
            "InvalidParameterException");
  EXPECT_EQ(h.Err("FilterLogEvents", {{"logGroupName", "g"}, {"nextToken", "nope"}}),
            "InvalidParameterException");
  EXPECT_EQ(h.Err("DescribeMetricFilters", {}), "UnsupportedOperationException");
  // logGroupIdentifier takes an ARN (the model's pattern refuses the ":*" form).
  h.Ok("CreateLogStream", {{"logGroupName", "g"}, {"logStreamName", "s"}});
  auto streams = h.Ok("DescribeLogStreams",
                      {{"logGroupIdentifier", "arn:aws:logs:us-east-1:123456789012:log-group:g"}});
  EXPECT_EQ(streams["logStreams"].as_array().size(), 1u);
  EXPECT_EQ(h.Err("DescribeLogStreams",
                  {{"logGroupIdentifier", "arn:aws:logs:us-east-1:123456789012:log-group:none"}}),
            "ResourceNotFoundException");
}

// Every record kind, recovered from a store image, which also seeds the logs_recovery fuzz
// target (written when TIDEPOOL_WRITE_RECOVERY_SEEDS names a directory).
TEST(LogsService, AnImageOfEveryKindRecoversAndSeedsTheFuzzer) {
  constexpr std::string_view kRoot{"logs\0", 5};
  Harness h;
  h.Ok("CreateLogGroup", {{"logGroupName", "g"}, {"tags", json::object{{"a", "1"}}}});
  h.Ok("PutRetentionPolicy", {{"logGroupName", "g"}, {"retentionInDays", 1}});
  h.Ok("CreateLogStream", {{"logGroupName", "g"}, {"logStreamName", "s"}});
  h.Ok("PutLogEvents", {{"logGroupName", "g"},
                        {"logStreamName", "s"},
                        {"logEvents", Events(h.now() - 1000, {"a", "{\"level\":\"ERROR\"}"})}});
  h.service().Ingest("123456789012", "us-east-1", "/aws/lambda/f", "x", {{h.now(), "line\n"}});
  h.Settle();
  for (const auto& kind : keyspace::RecordKinds()) {
    EXPECT_GT(storage::CountRecords(h.store(), kind.prefix), 0u) << kind.name;
  }
  const std::string image = storage::StoreImageOf(h.store(), kRoot);
  storage::MemoryStore copy;
  ASSERT_TRUE(copy.Write(storage::StoreImageBatch(image, kRoot), false).ok());
  {
    boost::asio::io_context idle;
    FakeClock clock;
    storage::CommitQueue commits(copy, storage::Durability::kMemory);
    LogsService recovered(copy, commits, clock, idle, LogsOptions{});
    ASSERT_TRUE(recovered.Recover().ok());
    EXPECT_EQ(recovered.Health().at("log_groups"), 2);
    EXPECT_EQ(recovered.Health().at("log_streams"), 2);
    commits.Flush();
  }
  storage::MaybeWriteSeedImage("logs_recovery", image);
}

TEST(LogsService, UnreadableRecordsAreSkipped) {
  Harness h;
  h.Ok("CreateLogGroup", {{"logGroupName", "kept"}});
  h.Ok("CreateLogStream", {{"logGroupName", "kept"}, {"logStreamName", "s"}});
  storage::WriteBatch damage;
  damage.Put(keyspace::GroupKey(999), "{not json");
  damage.Put(keyspace::StreamKey(998, 1), R"({"name":"orphan"})");
  damage.Put(keyspace::EventKey(1, 5, 5), "short");
  ASSERT_TRUE(h.store().Write(damage, false).ok());
  h.Restart();
  EXPECT_EQ(h.Ok("DescribeLogGroups", {})["logGroups"].as_array().size(), 1u);
  EXPECT_TRUE(h.Messages({{"logGroupName", "kept"}}).empty());
}

}  // namespace
}  // namespace tidepool::logs
