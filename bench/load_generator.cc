// tidepool-bench: load generator and start-up probe for tidepool's Kinesis, SQS and SNS.
//
//   tidepool-bench load --endpoint 127.0.0.1:4566 [--durability-label memory]
//       [--scenarios put-record,put-records,drain,sqs-send,sqs-cycle,sqs-longpoll-latency,
//                    sns-publish-latency] [--concurrency 1,16,64]
//       [--duration-ms 3000] [--warmup-ms 300] [--drain-records 200000] [--record-bytes 100]
//       [--latency-samples 2000] [--park-us 1000]
//   tidepool-bench startup --binary build/release/tidepool [--durability memory] [--runs 5]
//       [--server-cpu 0]
//
// Prints a table, then the same figures as JSON lines (one object per run). Targets are
// printed for reference; nothing here asserts a timing.
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <boost/json.hpp>

#include "apigateway_scenarios.h"
#include "closed_loop_driver.h"
#include "disk_probe.h"
#include "dynamodb_scenarios.h"
#include "host_steal.h"
#include "kinesis_workloads.h"
#include "lambda_scenarios.h"
#include "messaging_scenarios.h"
#include "s3_scenarios.h"
#include "setup_client.h"
#include "signed_request_builder.h"
#include "startup_probe.h"

namespace tidepool::bench {
namespace {

constexpr int kStreamShards = 4;
constexpr size_t kBatch = 500;

struct LoadOptions {
  std::string endpoint = "127.0.0.1:4566";
  std::string durability_label = "memory";
  std::vector<std::string> scenarios = {"put-record",         "put-records", "drain",
                                        "sqs-send",           "sqs-cycle",   "sqs-longpoll-latency",
                                        "sns-publish-latency"};
  std::vector<size_t> concurrency = {1, 16, 64};
  int duration_ms = 3000;
  int warmup_ms = 300;
  uint64_t drain_records = 200000;
  size_t record_bytes = 100;  // also the SQS/SNS message size
  size_t latency_samples = 2000;
  int park_us = 1000;
  uint64_t scan_items = 1000000;
};

std::string Target(const std::string& scenario, const std::string& durability, size_t concurrency) {
  bool memory = durability == "memory";
  std::string target;
  if (scenario == "put-record") target = memory ? ">=45k req/s" : ">=25k req/s";
  if (scenario == "put-records") target = memory ? ">=1M rec/s" : ">=500k rec/s";
  if (scenario == "drain") target = ">=2M rec/s";
  if (scenario == "sqs-send") target = memory ? ">=45k req/s" : ">=25k req/s";
  if (scenario == "sqs-cycle") target = ">=15k cycles/s (records/s)";
  if (scenario == "s3-put" || scenario == "s3-get") target = memory ? ">=20k req/s" : "";
  if (scenario == "ddb-put") target = memory ? ">=45k req/s" : ">=25k req/s";
  if (scenario == "ddb-get") target = memory ? ">=45k req/s" : "";
  if (scenario == "ddb-scan") target = ">=1M items/s (records/s)";
  if (scenario == "ddb-query") target = "100 items per reply (records/s = items/s)";
  if (scenario == "ddb-batch-write") target = "records/s = items/s";
  if (scenario == "lambda-invoke") {
    target = concurrency == 1 ? "p50<200us (C++ fn)" : concurrency == 16 ? ">=15k req/s" : "";
  }
  if (scenario == "sqs-longpoll-latency" || scenario == "sns-publish-latency") {
    target = "p99<1ms (send->receive)";
  }
  if (concurrency == 1 && scenario == "put-record") target += ", p50<60us";
  return target;
}

struct Row {
  std::string scenario;
  size_t concurrency;
  RunResult result;
  double steal_pct = -1;  // host steal during the run (host_steal.h); -1 when unknown
};

std::string StealText(double pct) {
  if (pct < 0) return "?";
  char text[16];
  std::snprintf(text, sizeof text, "%.0f", pct);
  return text;
}

void PrintHeader() {
  std::printf("%-20s %-6s %5s %9s %11s %12s %8s %8s %9s %6s %6s  %s\n", "scenario", "durab.",
              "conc", "requests", "req/s", "records/s", "p50_us", "p99_us", "max_us", "errors",
              "steal%", "target (reference)");
}

void PrintRow(Row& row, const std::string& durability) {
  RunResult& r = row.result;
  double secs = r.seconds > 0 ? r.seconds : 1e-9;
  std::printf("%-20s %-6s %5zu %9llu %11.0f %12.0f %8llu %8llu %9llu %6llu %6s  %s\n",
              row.scenario.c_str(), durability.c_str(), row.concurrency,
              static_cast<unsigned long long>(r.requests), r.requests / secs, r.records / secs,
              static_cast<unsigned long long>(r.latency_us.Quantile(0.50)),
              static_cast<unsigned long long>(r.latency_us.Quantile(0.99)),
              static_cast<unsigned long long>(r.latency_us.Max()),
              static_cast<unsigned long long>(r.errors), StealText(row.steal_pct).c_str(),
              Target(row.scenario, durability, row.concurrency).c_str());
  if (!r.first_error.empty()) std::printf("    first error: %s\n", r.first_error.c_str());
  std::fflush(stdout);
}

// `park_us` is recorded on the latency scenarios' lines (their figures depend on it).
std::string JsonLine(Row& row, const std::string& durability, int park_us) {
  RunResult& r = row.result;
  double secs = r.seconds > 0 ? r.seconds : 1e-9;
  std::string bench = row.scenario.substr(0, 4) == "sqs-"      ? "sqs"
                      : row.scenario.substr(0, 4) == "sns-"    ? "sns"
                      : row.scenario.substr(0, 4) == "ddb-"    ? "dynamodb"
                      : row.scenario.substr(0, 3) == "s3-"     ? "s3"
                      : row.scenario.substr(0, 7) == "lambda-" ? "lambda"
                      : row.scenario.substr(0, 6) == "apigw-"  ? "apigateway"
                                                               : "kinesis";
  boost::json::object o{{"bench", bench},
                        {"scenario", row.scenario},
                        {"durability", durability},
                        {"concurrency", row.concurrency},
                        {"requests", r.requests},
                        {"records", r.records},
                        {"seconds", r.seconds},
                        {"req_per_s", r.requests / secs},
                        {"records_per_s", r.records / secs},
                        {"p50_us", r.latency_us.Quantile(0.50)},
                        {"p99_us", r.latency_us.Quantile(0.99)},
                        {"max_us", r.latency_us.Max()},
                        {"errors", r.errors},
                        {"target", Target(row.scenario, durability, row.concurrency)}};
  if (row.steal_pct >= 0) o["host_steal_pct"] = row.steal_pct;
  if (row.scenario.ends_with("-latency")) o["park_us"] = park_us;
  return boost::json::serialize(o);
}

int RunLoad(const LoadOptions& options) {
  size_t colon = options.endpoint.rfind(':');
  std::string host = options.endpoint.substr(0, colon);
  uint16_t port = static_cast<uint16_t>(std::stoi(options.endpoint.substr(colon + 1)));
  SignedRequestBuilder builder(options.endpoint, "AKIAIOSFODNN7EXAMPLE",
                               "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "us-east-1");
  SetupClient setup(host, port, builder);
  MessagingOptions messaging_options{host,
                                     port,
                                     std::chrono::milliseconds(options.warmup_ms),
                                     std::chrono::milliseconds(options.duration_ms),
                                     options.record_bytes,
                                     options.latency_samples,
                                     options.latency_samples / 10,
                                     std::chrono::microseconds(options.park_us)};
  MessagingScenarios messaging(messaging_options, builder, setup);
  S3Scenarios s3(RunOptions{host, port, 1, std::chrono::milliseconds(options.warmup_ms),
                            std::chrono::milliseconds(options.duration_ms)},
                 options.record_bytes, setup);

  DynamoDbScenarios dynamodb(RunOptions{host, port, 1, std::chrono::milliseconds(options.warmup_ms),
                                        std::chrono::milliseconds(options.duration_ms)},
                             options.record_bytes, options.scan_items, builder, setup);

  LambdaScenarios lambda(RunOptions{host, port, 1, std::chrono::milliseconds(options.warmup_ms),
                                    std::chrono::milliseconds(options.duration_ms)},
                         setup);

  ApiGatewayScenarios apigateway(
      RunOptions{host, port, 1, std::chrono::milliseconds(options.warmup_ms),
                 std::chrono::milliseconds(options.duration_ms)},
      setup);

  std::vector<Row> rows;
  PrintHeader();
  for (const std::string& scenario : options.scenarios) {
    // Rows of one scenario; the steal figure spans from the start of one concurrency level (or
    // the setup before the first) to its result.
    std::optional<CpuTicks> since = ReadCpuTicks();
    auto emit = [&](size_t concurrency, RunResult result) {
      std::optional<CpuTicks> now = ReadCpuTicks();
      Row row{scenario, concurrency, std::move(result), StealPercent(since, now)};
      since = now;
      PrintRow(row, options.durability_label);
      rows.push_back(std::move(row));
    };
    if (DynamoDbScenarios::Knows(scenario)) {
      dynamodb.Run(scenario, options.concurrency, emit);
      continue;
    }
    if (LambdaScenarios::Knows(scenario)) {
      lambda.Run(scenario, options.concurrency, emit);
      continue;
    }
    if (ApiGatewayScenarios::Knows(scenario)) {
      apigateway.Run(scenario, options.concurrency, emit);
      continue;
    }
    if (S3Scenarios::Knows(scenario)) {
      s3.Run(scenario, options.concurrency, [&](size_t concurrency, RunResult result) {
        Row row{scenario, concurrency, std::move(result), -1};
        PrintRow(row, options.durability_label);
        rows.push_back(std::move(row));
      });
      continue;
    }
    if (MessagingScenarios::Knows(scenario)) {
      messaging.Run(scenario, options.concurrency, emit);
      continue;
    }
    std::string stream = "bench-" + scenario;
    setup.EnsureStream(stream, kStreamShards);
    std::vector<std::string> shard_ids;
    if (scenario == "drain") {
      PutRecordsWorkload fill(builder, stream, options.record_bytes, kBatch,
                              (options.drain_records + kBatch - 1) / kBatch);
      RunOptions fill_run{host, port, 16, std::chrono::milliseconds(0),
                          std::chrono::milliseconds(120000)};
      RunResult filled = RunClosedLoop(fill_run, fill);
      std::printf("(drain: pre-filled %llu records into %d shards in %.2f s, %llu errors)\n",
                  static_cast<unsigned long long>(filled.records), kStreamShards, filled.seconds,
                  static_cast<unsigned long long>(filled.errors));
      shard_ids = setup.ShardIds(stream);
    }
    for (size_t concurrency : options.concurrency) {
      RunOptions run{host, port, concurrency, std::chrono::milliseconds(options.warmup_ms),
                     std::chrono::milliseconds(options.duration_ms)};
      Row row{scenario, concurrency, {}};
      const std::optional<CpuTicks> before = ReadCpuTicks();
      if (scenario == "put-record") {
        PutRecordWorkload workload(builder, stream, options.record_bytes);
        row.result = RunClosedLoop(run, workload);
      } else if (scenario == "put-records") {
        PutRecordsWorkload workload(builder, stream, options.record_bytes, kBatch, 0);
        row.result = RunClosedLoop(run, workload);
      } else if (scenario == "drain") {
        GetRecordsDrainWorkload workload(builder, stream, shard_ids, concurrency);
        run.warmup = std::chrono::milliseconds(0);
        run.duration = std::chrono::milliseconds(30000);  // bound; a drain ends by itself
        row.result = RunClosedLoop(run, workload);
      } else {
        std::fprintf(stderr, "unknown scenario %s\n", scenario.c_str());
        return 2;
      }
      row.steal_pct = StealPercent(before, ReadCpuTicks());
      PrintRow(row, options.durability_label);
      rows.push_back(std::move(row));
    }
  }
  for (Row& row : rows)
    std::printf("%s\n", JsonLine(row, options.durability_label, options.park_us).c_str());
  return 0;
}

int RunStartup(const StartupOptions& options) {
  std::vector<StartupRun> runs = MeasureStartup(options);
  std::vector<double> ready, rss;
  bool clean = true;
  for (const StartupRun& run : runs) {
    ready.push_back(run.ready_ms);
    rss.push_back(run.idle_rss_mib);
    clean = clean && run.exit_status == 0;
  }
  auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0.0 : v[v.size() / 2];
  };
  std::ostringstream each;
  for (double r : ready) each << (each.tellp() > 0 ? " " : "") << r;
  std::printf("start-to-ready (%s): median %.1f ms over %zu runs [%s]  target <20 ms\n",
              options.durability.c_str(), median(ready), runs.size(), each.str().c_str());
  std::printf("idle RSS (%s): median %.1f MiB  target <15 MiB\n", options.durability.c_str(),
              median(rss));
  if (!clean) std::printf("WARNING: a server did not exit 0 after SIGTERM\n");
  boost::json::object o{{"bench", "startup"},
                        {"durability", options.durability},
                        {"runs", runs.size()},
                        {"ready_ms_median", median(ready)},
                        {"idle_rss_mib_median", median(rss)},
                        {"clean_exit", clean},
                        {"target", "ready<20ms, rss<15MiB"}};
  std::printf("%s\n", boost::json::serialize(o).c_str());
  return clean ? 0 : 1;
}

// Back-to-back samples, then (unless paced_gap is 0) paced ones: see disk_probe.h.
int RunDisk(const DiskProbeOptions& options, std::chrono::microseconds paced_gap,
            size_t paced_samples) {
  boost::json::object o{{"bench", "disk"}};
  auto report = [&](const DiskProbeOptions& run, std::string_view how, std::string_view key) {
    DiskProbeResult result = MeasureFdatasync(run);
    LatencyRecorder& latency = result.latency;  // Quantile() sorts the samples
    std::printf(
        "disk: write %zu B + fdatasync in %s, %.*s: p50 %llu us, p99 %llu us, max %llu us, "
        "CPU %.1f us per write + fdatasync, over %zu samples\n",
        run.record_bytes, run.dir.c_str(), static_cast<int>(how.size()), how.data(),
        static_cast<unsigned long long>(latency.Quantile(0.5)),
        static_cast<unsigned long long>(latency.Quantile(0.99)),
        static_cast<unsigned long long>(latency.Max()), result.cpu_us_per_sync, latency.count());
    const std::string prefix(key);
    o[prefix + "samples"] = latency.count();
    o[prefix + "fdatasync_p50_us"] = latency.Quantile(0.5);
    o[prefix + "fdatasync_p99_us"] = latency.Quantile(0.99);
    o[prefix + "fdatasync_max_us"] = latency.Max();
    o[prefix + "cpu_us_per_sync"] = result.cpu_us_per_sync;
  };
  report(options, "back to back", "");
  if (paced_gap.count() > 0 && paced_samples > 0) {
    DiskProbeOptions paced = options;
    paced.gap = paced_gap;
    paced.samples = paced_samples;
    const std::string how = "after " + std::to_string(paced_gap.count()) + " us idle";
    report(paced, how, "paced_");
    o["paced_gap_us"] = paced_gap.count();
  }
  std::printf("%s\n", boost::json::serialize(o).c_str());
  return 0;
}

}  // namespace
}  // namespace tidepool::bench

int main(int argc, char** argv) {
  using namespace tidepool::bench;
  CLI::App app{"tidepool-bench: load generator and start-up probe for tidepool"};
  app.require_subcommand(1);

  LoadOptions load;
  CLI::App* load_cmd =
      app.add_subcommand("load", "closed-loop Kinesis/SQS/SNS load against a server");
  load_cmd->add_option("--endpoint", load.endpoint, "host:port of a running tidepool");
  load_cmd->add_option("--durability-label", load.durability_label,
                       "the server's --durability (labels the figures and picks targets)");
  load_cmd
      ->add_option("--scenarios", load.scenarios,
                   "put-record, put-records, drain, sqs-send, sqs-cycle, "
                   "sqs-longpoll-latency, sns-publish-latency, s3-put, s3-get, ddb-put, ddb-get, "
                   "ddb-query, ddb-scan, ddb-batch-write, ddb-transact, lambda-invoke, apigw-mock, "
                   "apigw-proxy")
      ->delimiter(',');
  load_cmd->add_option("--concurrency", load.concurrency, "connections per run")->delimiter(',');
  load_cmd->add_option("--duration-ms", load.duration_ms, "measured window per timed run");
  load_cmd->add_option("--warmup-ms", load.warmup_ms, "unmeasured warm-up per timed run");
  load_cmd->add_option("--drain-records", load.drain_records, "records pre-filled for drain");
  load_cmd->add_option("--record-bytes", load.record_bytes,
                       "payload bytes per record (and per SQS/SNS message)");
  load_cmd->add_option("--latency-samples", load.latency_samples,
                       "measured samples per latency scenario (a tenth more run as warm-up)");
  load_cmd->add_option("--scan-items", load.scan_items, "items pre-filled for ddb-scan");
  load_cmd->add_option("--park-us", load.park_us,
                       "latency scenarios: wait between writing the long poll and the send");

  StartupOptions startup;
  CLI::App* startup_cmd = app.add_subcommand("startup", "start-to-ready time and idle RSS");
  startup_cmd->add_option("--binary", startup.binary, "the tidepool binary")->required();
  startup_cmd->add_option("--durability", startup.durability, "memory|sync|async");
  startup_cmd->add_option("--runs", startup.runs, "runs (median reported)");
  startup_cmd->add_option("--server-cpu", startup.server_cpu, "pin the server to this CPU");

  DiskProbeOptions disk;
  CLI::App* disk_cmd =
      app.add_subcommand("disk", "write + fdatasync latency (the floor of a sync-mode commit)");
  disk_cmd->add_option("--dir", disk.dir, "directory for the probe file (use the data dir's)");
  disk_cmd->add_option("--samples", disk.samples, "fdatasyncs measured back to back");
  int64_t paced_gap_us = 1000;
  size_t paced_samples = 1000;
  disk_cmd
      ->add_option("--paced-gap-us", paced_gap_us,
                   "idle time before each paced sample, about a c=1 request's round trip "
                   "(0: no paced samples)")
      ->capture_default_str();
  disk_cmd->add_option("--paced-samples", paced_samples, "fdatasyncs measured paced")
      ->capture_default_str();

  CLI11_PARSE(app, argc, argv);
  try {
    if (load_cmd->parsed()) return RunLoad(load);
    if (disk_cmd->parsed()) {
      return RunDisk(disk, std::chrono::microseconds(paced_gap_us), paced_samples);
    }
    return RunStartup(startup);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tidepool-bench: %s\n", e.what());
    return 1;
  }
}
