// The `tidepool` command.
#include <CLI/CLI.hpp>

#include <cstdio>

#include "main/reconcile.h"
#include "main/serve.h"
#include "main/trace.h"

int main(int argc, char** argv) {
  CLI::App app{"tidepool: event-driven serverless pipelines on one machine"};
  app.require_subcommand(1);
  app.set_version_flag("--version", TIDEPOOL_VERSION);

  tidepool::cli::ServeOptions serve;
  auto* cmd = app.add_subcommand("serve", "Run the AWS-compatible server in the foreground");
  cmd->add_option("--host", serve.host, "Address to listen on")->capture_default_str();
  cmd->add_option("--port", serve.port, "Port (0 picks a free one)")->capture_default_str();
  cmd->add_option("--data-dir", serve.data_dir, "Where the store lives")->capture_default_str();
  cmd->add_option("--durability", serve.durability,
                  "sync: acknowledged = fsynced; async: written to the OS; memory: no disk")
      ->check(CLI::IsMember({"sync", "async", "memory"}))
      ->capture_default_str();
  cmd->add_option("--account", serve.account,
                  "Account for requests whose access key is not a 12-digit account id")
      ->check([](const std::string& s) {
        bool ok = s.size() == 12 && s.find_first_not_of("0123456789") == std::string::npos;
        return ok ? std::string() : std::string("--account must be 12 digits");
      })
      ->capture_default_str();
  cmd->add_option("--region", serve.region, "Region for unsigned requests")->capture_default_str();
  cmd->add_option("--log-level", serve.log_level, "trace|debug|info|warn|error|off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}))
      ->capture_default_str();
  cmd->add_option("--auth", serve.auth,
                  "accept: any well-formed credentials; strict: verify SigV4 signatures")
      ->check(CLI::IsMember({"accept", "strict"}))
      ->capture_default_str();
  cmd->add_option("--credentials-file", serve.credentials_file,
                  "INI file of access keys for --auth strict")
      ->check(CLI::ExistingFile);
  cmd->add_option("--threads", serve.threads, "I/O threads (0: one per usable CPU)")
      ->check(CLI::Range(0, 256))
      ->capture_default_str();
  cmd->add_option("--spin-us", serve.spin_us,
                  "after a burst of work an I/O thread polls this many microseconds for more "
                  "before sleeping (0: sleep at once; default: 50 with --durability memory, "
                  "else 0)")
      ->check(CLI::Range(0, 10000));
  cmd->add_flag("--kinesis-throttle", serve.kinesis_throttle,
                "Emulate Kinesis per-shard write limits");
  cmd->add_option("--kinesis-status-delay-ms", serve.kinesis_status_delay_ms,
                  "How long streams stay CREATING/UPDATING/DELETING")
      ->check(CLI::Range(int64_t{0}, int64_t{600'000}))
      ->capture_default_str();
  cmd->add_option("--lambda-max-sandboxes", serve.lambda_max_sandboxes,
                  "Function processes running at once (0: 4 per usable CPU, at least 16)")
      ->check(CLI::Range(0, 100000))
      ->capture_default_str();
  cmd->add_option("--lambda-python-zygote", serve.lambda_python_zygote,
                  "Start python3.* functions as forks of one started interpreter (false: a new "
                  "interpreter per sandbox)")
      ->capture_default_str();
  cmd->add_option("--time-scale", serve.time_scale,
                  "An AWS delay of 1 s (Step Functions Wait, Retry, timeouts; Lambda async "
                  "retries; event source mapping retries and batching windows; SQS visibility "
                  "timeouts; DynamoDB stream retention and shard iterator lifetime; Kinesis "
                  "SubscribeToShard's 5 minutes) takes this "
                  "many seconds, for tests")
      ->check(CLI::Range(0.0, 1000.0))
      ->capture_default_str();

  int exit_code = 0;
  cmd->callback([&] { exit_code = tidepool::cli::RunServe(serve); });

  tidepool::cli::ReconcileOptions reconcile;
  auto* rec = app.add_subcommand(
      "reconcile",
      "Did every record of a stream (or message of a queue, or event of a function's mappings) "
      "reach an outcome? Exit 0 when all did, 1 when not");
  // Exactly one source.
  auto* source = rec->add_option_group("source", "What to reconcile (exactly one)");
  source->add_option("--stream", reconcile.stream, "Kinesis stream name or ARN");
  source->add_option("--queue", reconcile.queue, "SQS queue URL or ARN");
  source->add_option("--function", reconcile.function, "Lambda function name or ARN");
  source->require_option(1);
  rec->add_option("--endpoint", reconcile.endpoint, "The running tidepool")->capture_default_str();
  rec->add_option("--account", reconcile.account, "Account of a source given by name")
      ->capture_default_str();
  rec->add_option("--region", reconcile.region, "Region of a source given by name")
      ->capture_default_str();
  rec->add_flag("--json", reconcile.json, "Print the report as JSON");
  rec->callback([&] { exit_code = tidepool::cli::RunReconcile(reconcile); });

  tidepool::cli::TraceOptions trace;
  auto* tr = app.add_subcommand(
      "trace",
      "Per-hop latency of the event flow (p50/p90/p99/max) over the last --seconds, from a "
      "running tidepool's histograms; with a trace id, that event's hops one by one");
  tr->add_option("--seconds", trace.seconds, "Window to measure; 0: since the server started")
      ->check(CLI::Range(0.0, 86400.0))
      ->capture_default_str();
  tr->add_option("--endpoint", trace.endpoint, "The running tidepool")->capture_default_str();
  tr->add_option("id", trace.id,
                 "A trace id (or X-Amzn-Trace-Id header): print that trace's hops instead");
  tr->add_flag("--json", trace.json, "Print the figures as JSON");
  tr->callback([&] { exit_code = tidepool::cli::RunTrace(trace); });
  CLI11_PARSE(app, argc, argv);
  return exit_code;
}
