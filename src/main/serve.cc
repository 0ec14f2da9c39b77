#include "main/serve.h"

#include <sched.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/serialize.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <future>
#include <memory>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "core/log.h"
#include "core/trace_log.h"
#include "engine/beast_http_sink.h"
#include "engine/dynamodb_kinesis_destination.h"
#include "engine/function_logs.h"
#include "engine/in_process_caller.h"
#include "engine/lambda_async_invoke.h"
#include "engine/lambda_function_sink.h"
#include "engine/mapping_engine.h"
#include "engine/s3_notification_delivery.h"
#include "engine/sns_delivery.h"
#include "engine/sqs_queue_sink.h"
#include "engine/state_machine_objects.h"
#include "engine/state_machine_tasks.h"
#include "functions/python_zygote.h"
#include "functions/runtimes.h"
#include "functions/sandbox_pool.h"
#include "main/execute_api_auth.h"
#include "main/health.h"
#include "main/record_kinds.h"
#include "protocol/authenticator.h"
#include "protocol/http/http_server.h"
#include "protocol/http/query_string.h"
#include "protocol/http/run_loop.h"
#include "protocol/query_dispatcher.h"
#include "protocol/router.h"
#include "services/apigateway/apigateway_service.h"
#include "services/apigateway/http_api_service.h"
#include "services/cloudformation/cloudformation_service.h"
#include "services/dynamodb/dynamodb_service.h"
#include "services/dynamodb/keyspace.h"
#include "services/iam/iam_service.h"
#include "services/iam/sts_service.h"
#include "services/kinesis/keyspace.h"
#include "services/kinesis/kinesis_service.h"
#include "services/lambda/keyspace.h"
#include "services/lambda/lambda_service.h"
#include "services/logs/keyspace.h"
#include "services/logs/logs_service.h"
#include "services/s3/s3_errors.h"
#include "services/s3/s3_service.h"
#include "services/sns/keyspace.h"
#include "services/sns/sns_service.h"
#include "services/sqs/keyspace.h"
#include "services/sqs/sqs_service.h"
#include "services/stepfunctions/asio_timer_service.h"
#include "services/stepfunctions/stepfunctions_service.h"
#include "storage/commit_queue.h"
#include "storage/store.h"

namespace tidepool::cli {
namespace {

namespace http = protocol::http;

// CPUs this process may run on (respects taskset/cgroups, unlike hardware_concurrency).
int UsableCpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0) return std::max(1, CPU_COUNT(&set));
  return std::max(1u, std::thread::hardware_concurrency());
}

// The store's key families (storage::KeyFamily): each service's keys that grow in order.
size_t KeyFamilyOf(std::string_view key) {
  if (size_t n = sqs::keyspace::FamilyLength(key)) return n;
  if (size_t n = kinesis::keyspace::FamilyLength(key)) return n;
  if (size_t n = dynamodb::keyspace::FamilyLength(key)) return n;
  if (size_t n = lambda::keyspace::FamilyLength(key)) return n;
  if (size_t n = logs::keyspace::FamilyLength(key)) return n;
  return sns::keyspace::FamilyLength(key);
}

// Queue depths for /_tidepool/metrics: Prometheus gauges, or (json) an object by queue ARN.
std::string QueueDepthMetrics(const std::vector<sqs::SqsService::QueueDepth>& depths, bool json) {
  if (json) {
    boost::json::object queues;
    for (const auto& d : depths) {
      queues[d.arn] = boost::json::object{
          {"visible", d.visible}, {"in_flight", d.in_flight}, {"delayed", d.delayed}};
    }
    return boost::json::serialize(queues);
  }
  std::string out =
      "# HELP tidepool_sqs_queue_messages Messages per queue by state (AWS's "
      "ApproximateNumberOfMessages*).\n# TYPE tidepool_sqs_queue_messages gauge\n";
  for (const auto& d : depths) {
    for (const auto& [state, n] : {std::pair<const char*, uint64_t>{"visible", d.visible},
                                   {"in_flight", d.in_flight},
                                   {"delayed", d.delayed}}) {
      fmt::format_to(std::back_inserter(out),
                     "tidepool_sqs_queue_messages{{queue=\"{}\",state=\"{}\"}} {}\n", d.arn, state,
                     n);
    }
  }
  return out;
}

http::HttpResponse JsonResponse(unsigned status, const boost::json::object& body) {
  http::HttpResponse response{static_cast<boost::beast::http::status>(status), 11};
  response.set(boost::beast::http::field::content_type, "application/json");
  response.body() = boost::json::serialize(body);
  return response;
}

}  // namespace

int RunServe(const ServeOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  if (Status s = InitLogging(options.log_level); !s.ok()) {
    std::fprintf(stderr, "tidepool: %s\n", s.message().c_str());
    return 1;
  }
  auto durability = storage::ParseDurability(options.durability);
  if (!durability) {
    spdlog::error("--durability must be sync, async or memory");
    return 1;
  }

  protocol::CredentialMap credentials;
  protocol::AuthMode auth_mode =
      options.auth == "strict" ? protocol::AuthMode::kStrict : protocol::AuthMode::kAcceptAny;
  if (!options.credentials_file.empty()) {
    if (Status s = protocol::LoadCredentialsFile(options.credentials_file, &credentials); !s.ok()) {
      spdlog::error("--credentials-file: {}", s.message());
      return 1;
    }
  } else if (auth_mode == protocol::AuthMode::kStrict) {
    spdlog::error("--auth strict needs --credentials-file");
    return 1;
  }

  auto store = storage::OpenStore(options.data_dir, *durability, &KeyFamilyOf);
  if (!store.ok()) {
    spdlog::error("cannot open the store: {}", store.status().message());
    return 1;
  }
  const int threads = options.threads > 0 ? options.threads : UsableCpus();
  boost::asio::io_context io(threads);
  // In memory mode the queue completes on the io threads (no writer-thread hand-off).
  storage::CommitQueue commits(**store, *durability, [&io](std::function<void()> task) {
    boost::asio::post(io, std::move(task));
  });
  const Clock& clock = SystemClock::Instance();

  kinesis::KinesisOptions kinesis_options;
  kinesis_options.throttle = options.kinesis_throttle;
  kinesis_options.transition_delay = std::chrono::milliseconds(options.kinesis_status_delay_ms);
  kinesis_options.subscription_lifetime =
      std::chrono::milliseconds(static_cast<int64_t>(300'000 * options.time_scale));
  kinesis::KinesisService kinesis(**store, commits, clock, io, kinesis_options);
  if (Status s = kinesis.Recover(); !s.ok()) {
    spdlog::error("cannot recover Kinesis state: {}", s.ToString());
    return 1;
  }

  sqs::SqsOptions sqs_options;
  sqs_options.default_host = options.host + ":" + std::to_string(options.port);
  sqs_options.time_scale = options.time_scale;
  sqs_options.default_region = options.region;
  // In memory mode the store already holds every payload in memory: a cache would be a copy.
  if (*durability == storage::Durability::kMemory) sqs_options.payload_cache_bytes = 0;
  sqs::SqsService sqs(**store, commits, clock, io, sqs_options);
  if (Status s = sqs.Recover(); !s.ok()) {
    spdlog::error("cannot recover SQS state: {}", s.ToString());
    return 1;
  }

  sns::SnsOptions sns_options;
  sns_options.public_endpoint = "http://" + sqs_options.default_host;
  // Publishes write deliveries to this process's standard queues inside their own batch (one
  // commit from Publish to the queue); every other delivery goes through the outbox. Declared
  // before `sns`, which uses it, so that it outlives it.
  engine::SqsInlineDelivery inline_queues(sqs);
  sns::SnsService sns(**store, commits, clock, sns_options);
  sns.SetInlineQueueDelivery(&inline_queues);
  if (Status s = sns.Recover(); !s.ok()) {
    spdlog::error("cannot recover SNS state: {}", s.ToString());
    return 1;
  }

  dynamodb::DynamoDbOptions dynamodb_options;
  dynamodb_options.time_scale = options.time_scale;
  dynamodb::DynamoDbService dynamodb(**store, commits, clock, dynamodb_options);
  if (Status s = dynamodb.Recover(); !s.ok()) {
    spdlog::error("cannot recover DynamoDB state: {}", s.ToString());
    return 1;
  }
  dynamodb.StartTtlSweeper(io, std::chrono::seconds(1));
  dynamodb::DynamoDbStreamsService dynamodb_streams(dynamodb);

  // CloudWatch Logs; functions' output reaches it through engine::FunctionLogs.
  logs::LogsOptions logs_options;
  logs_options.time_scale = options.time_scale;
  logs::LogsService logs(**store, commits, clock, io, logs_options);
  if (Status s = logs.Recover(); !s.ok()) {
    spdlog::error("cannot recover CloudWatch Logs state: {}", s.ToString());
    return 1;
  }
  logs.StartRetentionSweeper();
  engine::FunctionLogs function_logs(logs);

  // Lambda: functions run as child processes (src/functions/). Sandboxes get their own
  // temporary directories; zip packages are extracted under the data dir (a temporary
  // directory in memory mode, where nothing outlives the process).
  std::string lambda_tmp = (std::filesystem::temp_directory_path() / "tidepool-lambda-XXXXXX");
  if (::mkdtemp(lambda_tmp.data()) == nullptr) {
    spdlog::error("cannot create a temporary directory for Lambda sandboxes");
    return 1;
  }
  struct RemoveDir {
    std::string path;
    ~RemoveDir() {
      std::error_code ec;
      std::filesystem::remove_all(path, ec);
    }
  } lambda_tmp_cleanup{lambda_tmp};
  functions::SandboxPoolOptions pool_options;
  pool_options.sandbox.runtimes_dir = functions::DefaultRuntimesDir();
  pool_options.sandbox.work_dir = lambda_tmp;
  pool_options.sandbox.log_sink = &function_logs;
  pool_options.max_sandboxes = options.lambda_max_sandboxes > 0 ? options.lambda_max_sandboxes
                                                                : std::max(16, 4 * UsableCpus());
  // Declared before the pool: it outlives every sandbox.
  std::unique_ptr<functions::PythonZygote> python_zygote;
  if (options.lambda_python_zygote) {
    python_zygote =
        std::make_unique<functions::PythonZygote>(io, pool_options.sandbox.runtimes_dir);
    pool_options.sandbox.python_zygote = python_zygote.get();
  }
  functions::SandboxPool sandboxes(io, pool_options);
  lambda::LambdaOptions lambda_options;
  lambda_options.code_dir = *durability == storage::Durability::kMemory
                                ? lambda_tmp + "/code"
                                : options.data_dir + "/lambda/code";
  lambda_options.public_endpoint = sns_options.public_endpoint;
  // Code given as S3Bucket/S3Key is read from this process's S3 (built below; requests come
  // only once both exist).
  s3::S3Service* code_bucket_reader = nullptr;
  lambda_options.read_s3_object = [&code_bucket_reader](
                                      std::string_view bucket, std::string_view key,
                                      std::string_view version) -> Result<std::string> {
    if (code_bucket_reader == nullptr) return Status::Unavailable("S3 is not running");
    auto bytes = code_bucket_reader->ReadObjectBytes(bucket, key, 262144000, version);
    if (!bytes.ok()) return Status::NotFound(s3::ToAwsError(bytes.status()).code);
    return bytes;
  };
  // Durable executions' timers (waits, step retries, callback and execution timeouts).
  lambda_options.time_scale = options.time_scale;
  lambda_options.schedule = [&io](std::chrono::milliseconds delay, std::function<void()> task) {
    auto timer = std::make_shared<boost::asio::steady_timer>(io, delay);
    timer->async_wait([timer, task = std::move(task)](const boost::system::error_code& ec) {
      if (!ec) task();
    });
  };
  lambda::LambdaService lambda(**store, commits, clock, sandboxes, lambda_options);
  if (Status s = lambda.Recover(); !s.ok()) {
    spdlog::error("cannot recover Lambda state: {}", s.ToString());
    return 1;
  }

  // S3: bodies too large for the store live under the data dir (a temporary one in memory
  // mode), published before their records commit (services/s3/body_store.h).
  s3::S3Options s3_options;
  s3_options.body_dir =
      *durability == storage::Durability::kMemory ? lambda_tmp + "/s3" : options.data_dir + "/s3";
  s3_options.sync_bodies = *durability == storage::Durability::kSync;
  s3_options.time_scale = options.time_scale;
  s3::S3Service s3(**store, commits, clock, s3_options);
  if (Status s = s3.Recover(); !s.ok()) {
    spdlog::error("cannot recover S3 state: {}", s.ToString());
    return 1;
  }
  code_bucket_reader = &s3;

  // API Gateway: REST APIs; AWS_PROXY integrations run functions through Lambda's in-process
  // invoke path (no HTTP hop).
  apigateway::ApiGatewayService apigateway(**store, commits, clock, io);
  apigateway.SetFunctionInvoke([&lambda](std::string_view function, std::string_view account,
                                         std::string_view region, functions::Invocation invocation,
                                         functions::InvokeDone done) {
    lambda.InvokeFunction(function, account, region, std::move(invocation), std::move(done));
  });
  auto access_log = [&logs](const std::string& account, const std::string& region,
                            const std::string& group, const std::string& stream,
                            int64_t timestamp_ms, std::string line) {
    logs.Ingest(account, region, group, stream,
                {logs::IngestedLine{timestamp_ms, std::move(line)}});
  };
  apigateway.SetAccessLog(access_log);
  if (Status s = apigateway.Recover(); !s.ok()) {
    spdlog::error("cannot recover API Gateway state: {}", s.ToString());
    return 1;
  }
  apigateway::HttpApiService http_apis(**store, commits, clock, io);
  http_apis.SetFunctionInvoke([&lambda](std::string_view function, std::string_view account,
                                        std::string_view region, functions::Invocation invocation,
                                        functions::InvokeDone done) {
    lambda.InvokeFunction(function, account, region, std::move(invocation), std::move(done));
  });
  if (Status s = http_apis.Recover(); !s.ok()) {
    spdlog::error("cannot recover API Gateway HTTP APIs: {}", s.ToString());
    return 1;
  }
  http_apis.SetAccessLog(access_log);
  apigateway.SetHttpApis(&http_apis);

  // The engine: SNS deliveries to SQS queues, HTTP endpoints and Lambda functions.
  engine::SqsQueueSink queue_sink(sqs);
  engine::BeastHttpSink http_sink(io);
  engine::LambdaFunctionSink function_sink(lambda);
  // Per-hop latencies of the event flow (/_tidepool/metrics): SNS deliveries and mappings.
  engine::MappingMetrics mapping_metrics;
  engine::SnsDeliveryOptions sns_delivery_options;
  sns_delivery_options.metrics = &mapping_metrics;
  engine::SnsDelivery sns_delivery(sns, queue_sink, &http_sink, &function_sink, io,
                                   sns_delivery_options);
  if (Status s = sns_delivery.Start(); !s.ok()) {
    spdlog::error("cannot start SNS delivery: {}", s.ToString());
    return 1;
  }
  // S3 event notifications to queues, topics and functions.
  engine::S3NotificationDelivery s3_notifications(io, queue_sink, &function_sink, &sns);
  s3.SetNotificationSink(&s3_notifications);
  s3.StartLifecycleSweeper(io);
  // DynamoDB tables' change records to their Kinesis streaming destinations.
  engine::DynamoDbKinesisDestination dynamodb_kinesis(io, kinesis);
  dynamodb.SetKinesisChangeSink(&dynamodb_kinesis);
  engine::LambdaAsyncInvokeOptions async_options;
  async_options.time_scale = options.time_scale;
  engine::LambdaAsyncInvoke lambda_async(lambda, io, queue_sink, &sns, async_options);

  // Step Functions: Task states run against this process's services (engine/state_machine_tasks).
  engine::StateMachineTasks sfn_tasks;
  sfn::AsioTimerService sfn_timers(io, clock);
  sfn::StepFunctionsOptions sfn_options;
  sfn_options.time_scale = options.time_scale;
  sfn::StepFunctionsService stepfunctions(**store, commits, clock, io, sfn_timers, &sfn_tasks,
                                          sfn_options);
  sfn_tasks.AddService("sqs", &sqs);
  sfn_tasks.AddService("sns", &sns);
  sfn_tasks.AddService("kinesis", &kinesis);
  sfn_tasks.AddService("sfn", &stepfunctions);
  sfn_tasks.AddService("dynamodb", &dynamodb);
  sfn_tasks.AddService("lambda", &lambda);
  sfn_tasks.AddService("s3", &s3);
  sfn_tasks.SetLambda(&lambda);
  sfn_tasks.SetExecuteApi([&apigateway](protocol::http::HttpRequest&& request,
                                        protocol::RequestContext context,
                                        protocol::http::Responder respond) {
    apigateway.HandleExecuteApi(std::move(request), std::move(context), std::move(respond));
  });
  sfn_tasks.SetTimers(&sfn_timers, &clock);
  // Distributed Maps read items from and write results to this process's S3.
  engine::StateMachineObjects sfn_objects(io, s3);
  stepfunctions.SetObjectStore(&sfn_objects);
  if (Status s = stepfunctions.Recover(); !s.ok()) {
    spdlog::error("cannot recover Step Functions state: {}", s.ToString());
    return 1;
  }

  // IAM and STS: identities stored, never evaluated; the keys they issue sign requests.
  iam::IamService iam(**store, commits, clock);
  if (Status s = iam.Recover(); !s.ok()) {
    spdlog::error("cannot recover IAM state: {}", s.ToString());
    return 1;
  }
  iam::StsService sts(iam, clock);

  // CloudFormation: stacks deployed through the services' own operations, in-process.
  engine::InProcessCaller cfn_services(options.account, options.region);
  for (auto [name, service] : std::initializer_list<std::pair<const char*, protocol::Service*>>{
           {"sqs", &sqs},
           {"sns", &sns},
           {"kinesis", &kinesis},
           {"dynamodb", &dynamodb},
           {"s3", &s3},
           {"lambda", &lambda},
           {"states", &stepfunctions},
           {"apigateway", &apigateway},
           {"apigatewayv2", &http_apis},
           {"logs", &logs},
           {"iam", &iam}}) {
    cfn_services.AddService(name, service);
  }
  cloudformation::CloudFormationService cloudformation(**store, commits, clock);
  cloudformation.SetCallers([&cfn_services](const std::string& account, const std::string& region) {
    return std::make_unique<engine::InProcessCaller>(cfn_services.For(account, region));
  });

  protocol::RouterOptions router_options;
  router_options.default_account = options.account;
  router_options.default_region = options.region;
  router_options.auth_mode = auth_mode;
  // AWS_IAM methods and routes verify signatures themselves (execute_api_auth.h).
  apigateway::IamVerifier execute_api_verifier =
      MakeExecuteApiVerifier(auth_mode, credentials, &clock, &iam, options.account);
  apigateway.SetIamVerifier(execute_api_verifier);
  http_apis.SetIamVerifier(std::move(execute_api_verifier));
  router_options.credentials = std::move(credentials);
  router_options.credential_lookup = [&iam](std::string_view access_key_id) {
    return iam.FindCredential(access_key_id);
  };
  router_options.clock = &clock;
  protocol::Router router(std::move(router_options));
  for (protocol::Service* service : std::initializer_list<protocol::Service*>{
           &kinesis, &sqs, &sns, &stepfunctions, &dynamodb, &dynamodb_streams, &lambda, &s3,
           &apigateway, &http_apis, &logs}) {
    if (Status s = router.AddService(*service); !s.ok()) {
      spdlog::error("cannot register {}: {}", service->Name(), s.message());
      return 1;
    }
  }

  // The query protocol (Action=...): SNS, IAM and STS always, SQS for older SDKs and CLIs.
  protocol::QueryDispatcher query;
  for (protocol::Service* service :
       std::initializer_list<protocol::Service*>{&sqs, &sns, &iam, &sts, &cloudformation}) {
    if (Status s = query.AddService(*service); !s.ok()) {
      spdlog::error("cannot register {} for the query protocol: {}", service->Name(), s.message());
      return 1;
    }
  }
  router.SetQueryProtocolHandler(query.AsHandler());
  // API Gateway's AWS service integrations are requests to this router, in-process.
  apigateway.SetLocalRequest(
      [&router](http::HttpRequest&& request, std::function<void(http::HttpResponse &&)> done) {
        router.Handle(std::move(request), http::Responder::FromFunction(std::move(done)));
      });
  router.SetFunctionUrlHandler([&lambda, &http_apis](http::HttpRequest&& request,
                                                     protocol::RequestContext context,
                                                     http::Responder respond) {
    auto [path, query] = http::SplitTarget(request.target());
    auto target = protocol::Router::FunctionUrlTarget(request, path);
    auto url = target ? lambda.FindFunctionUrl(target->first) : std::nullopt;
    if (!url) {
      http::HttpResponse r(boost::beast::http::status::forbidden, 11);
      r.set(boost::beast::http::field::content_type, "application/json");
      r.body() = R"({"Message":"Forbidden"})";
      return respond(std::move(r));
    }
    http_apis.HandleFunctionUrl(url->function_arn, target->first, url->auth_type == "AWS_IAM",
                                url->invoke_mode == "RESPONSE_STREAM", std::move(url->cors),
                                std::move(target->second), std::move(request), std::move(context),
                                std::move(respond));
  });
  router.SetCustomDomainCheck(
      [&apigateway](std::string_view host) { return apigateway.IsCustomDomain(host); });
  router.SetExecuteApiHandler([&apigateway](http::HttpRequest&& request,
                                            protocol::RequestContext context,
                                            http::Responder respond) {
    apigateway.HandleExecuteApi(std::move(request), std::move(context), std::move(respond));
  });

  http::HttpServerOptions http_options;
  http_options.host = options.host;
  http_options.port = options.port;
  http_options.body_streamer = router.AsBodyStreamer();
  http::HttpServer server(io, http_options, router.AsHandler());

  HealthSources health{started,
                       options.durability,
                       {&kinesis, &sqs, &sns, &stepfunctions, &dynamodb, &dynamodb_streams, &lambda,
                        &s3, &apigateway, &http_apis, &iam, &sts, &cloudformation},
                       &server,
                       &commits,
                       &sns_delivery};
  Status health_route = router.AddInternalRoute(
      boost::beast::http::verb::get, "/_tidepool/health",
      [&health](http::HttpRequest&&, const protocol::RequestContext&, http::Responder respond) {
        respond(JsonResponse(200, HealthReport(health)));
      });
  if (!health_route.ok()) {
    spdlog::error("cannot register the health route: {}", health_route.message());
    return 1;
  }
  // A census of the store by record kind (main/record_kinds.h), for the restart test and for
  // anyone asking what a data dir holds. One scan of the whole store per request.
  Status census_route = router.AddInternalRoute(
      boost::beast::http::verb::get, "/_tidepool/store/kinds",
      [&store](http::HttpRequest&&, const protocol::RequestContext&, http::Responder respond) {
        auto report = RecordCensusReport(**store);
        if (!report.ok()) {
          return respond(JsonResponse(500, {{"message", report.status().ToString()}}));
        }
        respond(JsonResponse(200, *report));
      });
  if (!census_route.ok()) {
    spdlog::error("cannot register the store census route: {}", census_route.message());
    return 1;
  }

  // Per-hop latencies and outcome counts of the event flow, in Prometheus text format.
  Status metrics_route = router.AddInternalRoute(
      boost::beast::http::verb::get, "/_tidepool/metrics",
      [&mapping_metrics, &sqs](http::HttpRequest&& request, const protocol::RequestContext&,
                               http::Responder respond) {
        http::HttpResponse response{boost::beast::http::status::ok, 11};
        const bool json = request.target().find("format=json") != std::string_view::npos;
        response.set(boost::beast::http::field::content_type,
                     json ? "application/json" : "text/plain; version=0.0.4");
        if (json) {
          std::string body = mapping_metrics.Json();
          body.pop_back();  // the closing brace: the queue depths join the object
          response.body() =
              body + ",\"sqs_queue_messages\":" + QueueDepthMetrics(sqs.Depths(), true) + "}";
        } else {
          response.body() = mapping_metrics.Prometheus() + QueueDepthMetrics(sqs.Depths(), false);
        }
        respond(std::move(response));
      });
  if (!metrics_route.ok()) {
    spdlog::error("cannot register the metrics route: {}", metrics_route.message());
    return 1;
  }

  // The reconciliation of a stream (tidepool reconcile); the engine is created below, once
  // functions can reach this process, and published here.
  std::atomic<engine::MappingEngine*> mapping_engine{nullptr};
  Status reconcile_route = router.AddInternalRoute(
      boost::beast::http::verb::get, "/_tidepool/reconcile",
      [&mapping_engine](http::HttpRequest&& request, const protocol::RequestContext&,
                        http::Responder respond) {
        std::string stream, queue, function;
        auto [path, query] = http::SplitTarget(request.target());
        for (auto& [k, v] : http::ParseQueryString(query, true)) {
          if (k == "stream") stream = v;
          if (k == "queue") queue = v;
          if (k == "function") function = v;
        }
        engine::MappingEngine* engine = mapping_engine.load();
        if ((stream.empty() && queue.empty() && function.empty()) || engine == nullptr) {
          return respond(JsonResponse(
              400, {{"message", "stream=<ARN>, queue=<ARN> or function=<ARN> is required"}}));
        }
        if (stream.empty()) {
          auto reply = [respond](Result<boost::json::object> report) {
            if (!report.ok()) {
              return respond(JsonResponse(404, {{"message", report.status().message()}}));
            }
            respond(JsonResponse(200, *report));
          };
          if (!queue.empty()) return engine->ReconcileQueue(queue, std::move(reply));
          return engine->ReconcileFunction(function, std::move(reply));
        }
        auto report = engine->Reconcile(stream);
        if (!report.ok()) {
          return respond(JsonResponse(404, {{"message", report.status().message()}}));
        }
        respond(JsonResponse(200, *report));
      });
  if (!reconcile_route.ok()) {
    spdlog::error("cannot register the reconcile route: {}", reconcile_route.message());
    return 1;
  }

  // The timeline of one trace (tidepool trace ID): the hops stamped in the TraceLog.
  Status trace_route = router.AddInternalRoute(
      boost::beast::http::verb::get, "/_tidepool/trace",
      [](http::HttpRequest&& request, const protocol::RequestContext&, http::Responder respond) {
        std::string id;
        auto [path, query] = http::SplitTarget(request.target());
        for (auto& [k, v] : http::ParseQueryString(query, true)) {
          if (k == "id") id = v;
        }
        if (id.empty())
          return respond(JsonResponse(400, {{"message", "id=<trace id> is required"}}));
        boost::json::array hops;
        for (const TraceStamp& s : TraceLog::Global().Timeline(id)) {
          hops.push_back(
              boost::json::object{{"micros", s.micros}, {"hop", s.hop}, {"detail", s.detail}});
        }
        respond(JsonResponse(
            200, {{"traceId", std::string(TraceLog::IdOf(id))}, {"hops", std::move(hops)}}));
      });
  if (!trace_route.ok()) {
    spdlog::error("cannot register the trace route: {}", trace_route.message());
    return 1;
  }

  if (Status s = server.Start(); !s.ok()) {
    spdlog::error("cannot listen on {}:{}: {}", options.host, options.port, s.message());
    return 1;
  }
  // Functions call back into this tidepool (AWS_ENDPOINT_URL), on the port actually bound.
  sandboxes.SetEndpointUrl("http://" +
                           (options.host == "0.0.0.0" || options.host == "::"
                                ? std::string("127.0.0.1")
                                : options.host) +
                           ":" + std::to_string(server.port()));
  // Deployments create queues whose URLs name this server, as a client's requests would.
  cfn_services.SetHost((options.host == "0.0.0.0" || options.host == "::" ? std::string("localhost")
                                                                          : options.host) +
                       ":" + std::to_string(server.port()));
  if (Status s = cloudformation.Recover(); !s.ok()) {
    spdlog::error("cannot recover CloudFormation state: {}", s.ToString());
    return 1;
  }
  lambda.StartProvisionedConcurrency();
  if (Status s = lambda.ResumeDurableExecutions(); !s.ok()) {
    spdlog::error("cannot resume Lambda durable executions: {}", s.ToString());
    return 1;
  }
  // Queued async invocations (this run's and a previous run's) start once functions can
  // reach this tidepool.
  if (Status s = lambda_async.Start(); !s.ok()) {
    spdlog::error("cannot start Lambda async invocations: {}", s.ToString());
    return 1;
  }
  // Event source mappings: recovered ones resume where their positions say.
  engine::MappingEngineOptions mapping_options;
  mapping_options.time_scale = options.time_scale;
  engine::MappingEngine mappings(engine::MappingDeps{lambda, kinesis, dynamodb, dynamodb_streams,
                                                     sqs, sns, s3, io, mapping_metrics,
                                                     mapping_options});
  mappings.Start();
  mapping_engine.store(&mappings);

  // SIGINT/SIGTERM ask the main thread to stop; the stop itself must not run on an io thread
  // because Drain() blocks until the io threads have written every reply.
  std::promise<int> stop_signal;
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&stop_signal](const boost::system::error_code& ec, int signo) {
    if (!ec) stop_signal.set_value(signo);
  });

  // Spinning pays off when the io threads do all the work (memory mode). With a commit queue
  // writer thread, a spinning io thread on the same core delays the write it waits for.
  const int spin_us = options.spin_us >= 0
                          ? options.spin_us
                          : (*durability == storage::Durability::kMemory ? kMemorySpinUs : 0);
  std::vector<std::thread> pool;
  pool.reserve(threads);
  for (int i = 0; i < threads; ++i) {
    pool.emplace_back([&io, spin = std::chrono::microseconds(spin_us)] {
      protocol::http::RunWithSpin(io, spin);
    });
  }

  std::printf("tidepool listening on http://%s:%u\n", options.host.c_str(),
              static_cast<unsigned>(server.port()));
  std::fflush(stdout);
  spdlog::info("data dir {}, durability {}, {} I/O threads, ready in {:.1f} ms", options.data_dir,
               options.durability, threads,
               std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
                   .count());

  int signo = stop_signal.get_future().get();
  spdlog::info("signal {}: stopping", signo);
  server.StopAccepting();
  sqs.EndLongPolls();  // parked long polls answer now, so the drain does not wait them out
  stepfunctions.EndLongPolls();
  kinesis.EndSubscriptions();  // SubscribeToShard event streams end now, likewise
  if (!server.Drain(std::chrono::seconds(10))) {
    spdlog::warn("some connections did not finish within 10 s and were closed");
  }
  cloudformation.Stop();  // before the services its deployments call
  sns_delivery.Stop();
  mapping_engine.store(nullptr);
  mappings.Stop();
  sqs.EndLongPolls();  // the stopped mappings' own polls, parked since the first call
  lambda_async.Stop();
  sandboxes.Stop();
  commits.Stop();  // every acknowledged write is already durable; this drains the rest
  io.stop();
  for (auto& t : pool) t.join();
  spdlog::info("stopped");
  return 0;
}

}  // namespace tidepool::cli
