#include "s3_scenarios.h"

#include <unistd.h>

#include "workload.h"

namespace tidepool::bench {
namespace {

namespace bhttp = boost::beast::http;

HttpRequest S3Request(bhttp::verb method, std::string target, const std::string& host,
                      std::string body = {}) {
  HttpRequest request(method, std::move(target), 11);
  request.set(bhttp::field::host, host);
  request.set("x-amz-content-sha256", "UNSIGNED-PAYLOAD");
  request.body() = std::move(body);
  request.prepare_payload();
  return request;
}

class PutWorkload : public Workload {
 public:
  PutWorkload(std::string host, std::string bucket, size_t bytes)
      : host_(std::move(host)), bucket_(std::move(bucket)), body_(bytes, 'o') {}
  std::optional<HttpRequest> Next(size_t connection) override {
    return S3Request(
        bhttp::verb::put,
        "/" + bucket_ + "/c" + std::to_string(connection) + "/" + std::to_string(counter_++), host_,
        body_);
  }
  uint64_t OnReply(size_t, const std::string&) override { return 1; }

 private:
  std::string host_, bucket_, body_;
  uint64_t counter_ = 0;
};

class GetWorkload : public Workload {
 public:
  GetWorkload(std::string host, std::string bucket, size_t objects)
      : host_(std::move(host)), bucket_(std::move(bucket)), objects_(objects) {}
  std::optional<HttpRequest> Next(size_t) override {
    return S3Request(bhttp::verb::get, "/" + bucket_ + "/k" + std::to_string(counter_++ % objects_),
                     host_);
  }
  uint64_t OnReply(size_t, const std::string&) override { return 1; }

 private:
  std::string host_, bucket_;
  size_t objects_;
  uint64_t counter_ = 0;
};

}  // namespace

void S3Scenarios::Run(const std::string& scenario, const std::vector<size_t>& concurrency,
                      const Emit& emit) {
  constexpr size_t kObjects = 1000;
  const std::string host = base_.host + ":" + std::to_string(base_.port);
  for (size_t connections : concurrency) {
    const std::string bucket =
        "bench-" + std::to_string(getpid()) + "-" + std::to_string(buckets_++);
    setup_.Send("CreateBucket", S3Request(bhttp::verb::put, "/" + bucket, host));
    RunOptions run = base_;
    run.concurrency = connections;
    if (scenario == "s3-put") {
      PutWorkload workload(host, bucket, object_bytes_);
      emit(connections, RunClosedLoop(run, workload));
      continue;
    }
    const std::string body(object_bytes_, 'g');
    for (size_t i = 0; i < kObjects; ++i) {
      setup_.Send("PutObject",
                  S3Request(bhttp::verb::put, "/" + bucket + "/k" + std::to_string(i), host, body));
    }
    GetWorkload workload(host, bucket, kObjects);
    emit(connections, RunClosedLoop(run, workload));
  }
}

}  // namespace tidepool::bench
