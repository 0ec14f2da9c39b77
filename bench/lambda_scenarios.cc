#include "lambda_scenarios.h"

#include <unistd.h>

#include <boost/json.hpp>

#include <filesystem>
#include <stdexcept>

#include "workload.h"

namespace tidepool::bench {
namespace {

namespace bhttp = boost::beast::http;
namespace fs = std::filesystem;

class InvokeWorkload : public Workload {
 public:
  InvokeWorkload(std::string host, const std::string& function)
      : host_(std::move(host)), target_("/2015-03-31/functions/" + function + "/invocations") {}
  std::optional<HttpRequest> Next(size_t) override {
    return JsonBodyRequest(bhttp::verb::post, target_, host_, "{}");
  }
  uint64_t OnReply(size_t, const std::string&) override { return 1; }

 private:
  std::string host_, target_;
};

// The no-op function's binary: beside this program (both are built into the build directory).
fs::path NoopBinary() {
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  fs::path noop = self.parent_path() / "lambda_noop_function";
  if (ec || !fs::exists(noop)) {
    throw std::runtime_error("lambda-invoke needs " + noop.string() + " (build the benchmarks)");
  }
  return noop;
}

}  // namespace

std::string LambdaScenarios::CreateFunction() {
  const std::string name = "bench-" + std::to_string(getpid()) + "-" + std::to_string(functions_++);
  const fs::path dir = fs::temp_directory_path() / ("tidepool-bench-" + name);
  fs::create_directories(dir);
  fs::copy_file(NoopBinary(), dir / "bootstrap", fs::copy_options::overwrite_existing);
  fs::permissions(dir / "bootstrap", fs::perms::owner_all, fs::perm_options::add);
  boost::json::object create{
      {"FunctionName", name},
      {"Runtime", "provided.al2023"},
      {"Handler", "bootstrap"},
      {"Role", "arn:aws:iam::000000000000:role/bench"},
      {"MemorySize", 128},
      {"Timeout", 10},
      {"Code", boost::json::object{{"S3Bucket", "hot-reload"}, {"S3Key", dir.string()}}}};
  const std::string host = base_.host + ":" + std::to_string(base_.port);
  setup_.Send("CreateFunction", JsonBodyRequest(bhttp::verb::post, "/2015-03-31/functions", host,
                                                boost::json::serialize(create)));
  return name;
}

void LambdaScenarios::Run(const std::string& scenario, const std::vector<size_t>& concurrency,
                          const Emit& emit) {
  const std::string host = base_.host + ":" + std::to_string(base_.port);
  for (size_t connections : concurrency) {
    const std::string function = CreateFunction();
    RunOptions run = base_;
    run.concurrency = connections;
    if (run.warmup < std::chrono::milliseconds(1000)) run.warmup = std::chrono::milliseconds(1000);
    InvokeWorkload workload(host, function);
    emit(connections, RunClosedLoop(run, workload));
  }
}

}  // namespace tidepool::bench
