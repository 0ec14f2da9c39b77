// tidepool-filter-bench: SNS subscription filter policy evaluation rate (Google Benchmark).
//
// A 5-key policy (exact strings, anything-but, String.Array membership, a numeric range,
// prefix) is parsed once; messages with 6 attributes are evaluated against it, alternating a
// matching and a non-matching one (the non-matching one differs only in the policy's last key, so
// it costs as much as a match). Figures are evaluations per second ("evals_per_s"); the target
// (>= 1M/s) is printed as the label, never asserted. A second benchmark adds building the
// FilterInput from the attributes, which SNS does once per published message.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "patterns/filter_policy.h"

namespace {

using tidepool::patterns::FilterInput;
using tidepool::patterns::FilterPolicy;
using tidepool::patterns::FilterScope;

constexpr std::string_view kPolicy = R"({
  "store": ["example_corp"],
  "event": [{"anything-but": ["order_cancelled", "order_refunded"]}],
  "customer_interests": ["rugby", "football", "baseball"],
  "price_usd": [{"numeric": [">=", 100, "<", 1000]}],
  "source": [{"prefix": "web-"}]
})";

std::vector<FilterInput::Attribute> Attributes(bool matching) {
  return {{"store", "String", "example_corp"},
          {"event", "String", "order_placed"},
          {"customer_interests", "String.Array", R"(["soccer","rugby","hockey"])"},
          {"price_usd", "Number", "210.75"},
          {"source", "String", matching ? "web-checkout" : "app-checkout"},
          {"trace_id", "String", "0f8e2a6c-5d1b-4c3e-9a7f-112233445566"}};
}

void SetUpCounters(benchmark::State& state, const char* label) {
  state.counters["evals_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(label);
}

void BM_FilterPolicyMatches(benchmark::State& state) {
  auto policy = FilterPolicy::Parse(kPolicy, FilterScope::kMessageAttributes);
  if (!policy.ok()) return state.SkipWithError("policy does not parse");
  const FilterInput inputs[2] = {FilterInput::FromAttributes(Attributes(true)),
                                 FilterInput::FromAttributes(Attributes(false))};
  if (!(*policy)->Matches(inputs[0]) || (*policy)->Matches(inputs[1])) {
    return state.SkipWithError("the inputs do not match / miss as intended");
  }
  size_t i = 0;
  size_t matched = 0;
  for (auto _ : state) {
    bool match = (*policy)->Matches(inputs[i++ & 1]);
    matched += match;
    benchmark::DoNotOptimize(match);
  }
  benchmark::DoNotOptimize(matched);
  SetUpCounters(state, "target >=1M evals/s (reference)");
}
BENCHMARK(BM_FilterPolicyMatches);

void BM_FilterInputBuildAndMatch(benchmark::State& state) {
  auto policy = FilterPolicy::Parse(kPolicy, FilterScope::kMessageAttributes);
  if (!policy.ok()) return state.SkipWithError("policy does not parse");
  const std::vector<FilterInput::Attribute> attributes[2] = {Attributes(true), Attributes(false)};
  size_t i = 0;
  for (auto _ : state) {
    bool match = (*policy)->Matches(FilterInput::FromAttributes(attributes[i++ & 1]));
    benchmark::DoNotOptimize(match);
  }
  SetUpCounters(state, "no target: input built per evaluation");
}
BENCHMARK(BM_FilterInputBuildAndMatch);

}  // namespace

BENCHMARK_MAIN();
