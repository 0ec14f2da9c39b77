#include "engine/state_machine_objects.h"

#include <fmt/format.h>
#include <boost/asio/post.hpp>
#include <boost/json.hpp>

#include "core/encoding.h"
#include "engine/service_client.h"
#include "services/s3/s3_errors.h"

namespace tidepool::engine {
namespace json = boost::json;

namespace {

Status S3Failure(const protocol::AwsError& e) {
  return Status::Unavailable(fmt::format("{}: {}", e.code, e.message));
}

}  // namespace

void StateMachineObjects::Get(const std::string& /*account*/, const std::string& /*region*/,
                              const std::string& bucket, const std::string& key,
                              std::function<void(Result<std::string>)> done) {
  boost::asio::post(io_, [this, bucket, key, done = std::move(done)] {
    // The largest object a Map Run reads (AWS: 10 GB for CSV; items must fit in memory here).
    constexpr uint64_t kMaxBytes = 256ull << 20;
    auto bytes = s3_.ReadObjectBytes(bucket, key, kMaxBytes);
    if (!bytes.ok()) return done(S3Failure(s3::ToAwsError(bytes.status())));
    done(std::move(bytes));
  });
}

void StateMachineObjects::List(const std::string& account, const std::string& region,
                               const std::string& bucket, const std::string& prefix,
                               std::function<void(Result<json::array>)> done) {
  ListPage(account, region, bucket, prefix, "", std::make_shared<json::array>(), std::move(done));
}

void StateMachineObjects::ListPage(std::string account, std::string region, std::string bucket,
                                   std::string prefix, std::string token,
                                   std::shared_ptr<json::array> items,
                                   std::function<void(Result<json::array>)> done) {
  json::object input{{"Bucket", bucket}};
  if (!prefix.empty()) input["Prefix"] = prefix;
  if (!token.empty()) input["ContinuationToken"] = token;
  // A Call of the decoded input (CallService's codec would drop the URI-bound Bucket).
  Invoke("ListObjectsV2", std::move(input), account, region,
         [this, account, region, bucket, prefix, items,
          done = std::move(done)](protocol::Outcome outcome) mutable {
           if (auto* err = std::get_if<protocol::AwsError>(&outcome)) {
             return done(S3Failure(*err));
           }
           const json::object* out = std::get_if<json::object>(&outcome);
           if (out == nullptr) return done(Status::Internal("ListObjectsV2: no output"));
           if (const auto* contents = out->if_contains("Contents");
               contents && contents->is_array()) {
             for (const auto& c : contents->get_array()) {
               const json::object* o = c.if_object();
               if (o == nullptr) continue;
               json::object item;
               for (auto [from, to] : {std::pair{"ETag", "Etag"},
                                       {"Key", "Key"},
                                       {"LastModified", "LastModified"},
                                       {"Size", "Size"},
                                       {"StorageClass", "StorageClass"}}) {
                 if (const auto* v = o->if_contains(from)) item[to] = *v;
               }
               if (auto* lm = item.if_contains("LastModified"); lm && lm->is_double()) {
                 *lm = static_cast<int64_t>(lm->get_double());
               }
               items->push_back(std::move(item));
             }
           }
           const auto* truncated = out->if_contains("IsTruncated");
           std::string next = JsonString(*out, "NextContinuationToken");
           if (truncated && truncated->is_bool() && truncated->get_bool() && !next.empty()) {
             return ListPage(account, region, bucket, prefix, next, items, std::move(done));
           }
           done(std::move(*items));
         });
}

void StateMachineObjects::Invoke(std::string_view operation, json::object input,
                                 const std::string& account, const std::string& region,
                                 std::function<void(protocol::Outcome)> done,
                                 std::optional<std::string> body) {
  const protocol::model::Operation* op = s3_.Model().FindOperation(operation);
  if (op == nullptr) {
    boost::asio::post(io_, [done, operation = std::string(operation)] {
      done(protocol::AwsError{"InvalidAction", "S3 has no " + operation, 400});
    });
    return;
  }
  // A body goes through the consumer S3 opens for uploads, as a client's request would.
  InvokeDecoded(s3_, *op, std::move(input), account, region, std::move(body),
                [this, done = std::move(done)](protocol::Outcome outcome) {
                  boost::asio::post(io_, [done, outcome = std::move(outcome)]() mutable {
                    done(std::move(outcome));
                  });
                });
}

void StateMachineObjects::Put(const std::string& account, const std::string& region,
                              const std::string& bucket, const std::string& key, std::string body,
                              std::function<void(Status)> done) {
  Invoke(
      "PutObject",
      json::object{{"Bucket", bucket}, {"Key", key}, {"ContentType", "application/json"}}, account,
      region,
      [done = std::move(done)](protocol::Outcome outcome) {
        if (auto* err = std::get_if<protocol::AwsError>(&outcome)) return done(S3Failure(*err));
        done(Status::Ok());
      },
      std::move(body));
}

}  // namespace tidepool::engine
