#include "apigateway_scenarios.h"

#include <unistd.h>

#include <boost/json.hpp>
#include <filesystem>
#include <stdexcept>

#include "workload.h"

namespace tidepool::bench {
namespace {

namespace bhttp = boost::beast::http;
namespace fs = std::filesystem;
namespace json = boost::json;

class InvokeUrlWorkload : public Workload {
 public:
  InvokeUrlWorkload(std::string host, std::string target, bhttp::verb method)
      : host_(std::move(host)), target_(std::move(target)), method_(method) {}
  std::optional<HttpRequest> Next(size_t) override {
    HttpRequest request(method_, target_, 11);
    request.set(bhttp::field::host, host_);
    request.set(bhttp::field::content_type, "application/json");
    if (method_ == bhttp::verb::post) request.body() = "{}";
    request.prepare_payload();
    return request;
  }
  uint64_t OnReply(size_t, const std::string&) override { return 1; }

 private:
  std::string host_, target_;
  bhttp::verb method_;
};

}  // namespace

std::string ApiGatewayScenarios::CreateFunction() {
  std::error_code ec;
  const fs::path noop =
      fs::read_symlink("/proc/self/exe", ec).parent_path() / "apigw_noop_function";
  if (ec || !fs::exists(noop)) {
    throw std::runtime_error("apigw-proxy needs " + noop.string() + " (build the benchmarks)");
  }
  const std::string name =
      "bench-apigw-" + std::to_string(getpid()) + "-" + std::to_string(created_++);
  const fs::path dir = fs::temp_directory_path() / ("tidepool-bench-" + name);
  fs::create_directories(dir);
  fs::copy_file(noop, dir / "bootstrap", fs::copy_options::overwrite_existing);
  fs::permissions(dir / "bootstrap", fs::perms::owner_all, fs::perm_options::add);
  const std::string host = base_.host + ":" + std::to_string(base_.port);
  setup_.Send("CreateFunction",
              JsonBodyRequest(
                  bhttp::verb::post, "/2015-03-31/functions", host,
                  json::serialize(json::object{{"FunctionName", name},
                                               {"Runtime", "provided.al2023"},
                                               {"Handler", "bootstrap"},
                                               {"Role", "arn:aws:iam::000000000000:role/bench"},
                                               {"MemorySize", 128},
                                               {"Timeout", 10},
                                               {"Code", json::object{{"S3Bucket", "hot-reload"},
                                                                     {"S3Key", dir.string()}}}})));
  return "arn:aws:lambda:us-east-1:000000000000:function:" + name;
}

std::string ApiGatewayScenarios::CreateApi(const std::string& function) {
  const std::string host = base_.host + ":" + std::to_string(base_.port);
  auto call = [&](std::string_view what, bhttp::verb verb, const std::string& target,
                  const json::object& body) {
    return json::parse(
               setup_.Send(what, JsonBodyRequest(verb, target, host, json::serialize(body))))
        .as_object();
  };
  json::object api = call("CreateRestApi", bhttp::verb::post, "/restapis",
                          json::object{{"name", "bench-" + std::to_string(getpid()) + "-" +
                                                    std::to_string(created_++)}});
  const std::string base = "/restapis/" + std::string(api["id"].as_string());
  const std::string root(api["rootResourceId"].as_string());
  auto resource = [&](const char* part) {
    return std::string(call("CreateResource", bhttp::verb::post, base + "/resources/" + root,
                            json::object{{"pathPart", part}})["id"]
                           .as_string());
  };
  const std::string mock = base + "/resources/" + resource("mock") + "/methods/GET";
  call("PutMethod", bhttp::verb::put, mock, json::object{{"authorizationType", "NONE"}});
  call("PutIntegration", bhttp::verb::put, mock + "/integration",
       json::object{
           {"type", "MOCK"},
           {"requestTemplates", json::object{{"application/json", R"({"statusCode": 200})"}}}});
  call("PutMethodResponse", bhttp::verb::put, mock + "/responses/200", json::object{});
  call("PutIntegrationResponse", bhttp::verb::put, mock + "/integration/responses/200",
       json::object{{"responseTemplates", json::object{{"application/json", "{}"}}}});
  if (!function.empty()) {
    const std::string fn = base + "/resources/" + resource("fn") + "/methods/POST";
    call("PutMethod", bhttp::verb::put, fn, json::object{{"authorizationType", "NONE"}});
    call("PutIntegration", bhttp::verb::put, fn + "/integration",
         json::object{{"type", "AWS_PROXY"},
                      {"httpMethod", "POST"},
                      {"uri", "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/" +
                                  function + "/invocations"}});
  }
  call("CreateDeployment", bhttp::verb::post, base + "/deployments",
       json::object{{"stageName", "bench"}});
  return std::string(api["id"].as_string());
}

void ApiGatewayScenarios::Run(const std::string& scenario, const std::vector<size_t>& concurrency,
                              const Emit& emit) {
  const std::string host = base_.host + ":" + std::to_string(base_.port);
  const bool proxy = scenario == "apigw-proxy";
  for (size_t connections : concurrency) {
    const std::string api = CreateApi(proxy ? CreateFunction() : "");
    RunOptions run = base_;
    run.concurrency = connections;
    if (proxy && run.warmup < std::chrono::milliseconds(1000)) {
      run.warmup = std::chrono::milliseconds(1000);  // sandboxes start during the warm-up
    }
    InvokeUrlWorkload workload(
        host, "/restapis/" + api + "/bench/_user_request_" + (proxy ? "/fn" : "/mock"),
        proxy ? bhttp::verb::post : bhttp::verb::get);
    emit(connections, RunClosedLoop(run, workload));
  }
}

}  // namespace tidepool::bench
