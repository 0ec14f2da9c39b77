// libFuzzer target: what event source mappings read that others wrote: a stored mapping record
// (MappingRecord::Decode, then the engine's view of it), a function's response
// (BatchItemFailures), a stored tumbling window of a lane (ParseLaneWindow, which must
// round-trip), and a source record turned into an event and a filter document.
#include <boost/json.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "engine/mapping_events.h"
#include "services/lambda/event_source_mapping.h"

using namespace tidepool;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  if (auto record = lambda::MappingRecord::Decode(input); record.ok()) {
    auto view = lambda::ViewOf(*record);
    (void)engine::CompileFilters(*view);
    (void)record->Encode();
  }
  (void)engine::BatchItemFailures(input);
  if (auto w = engine::ParseLaneWindow(input)) {
    auto again = engine::ParseLaneWindow(engine::FormatLaneWindow(*w));
    if (!again || again->lanes != w->lanes || again->start_ms != w->start_ms ||
        again->through != w->through || again->state != w->state) {
      std::abort();
    }
    (void)engine::SequenceAtMost(w->through, input);
  }
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(input, ec);
  if (!ec && v.is_object()) {
    engine::EventContext ctx{"arn:aws:kinesis:us-east-1:1:stream/s", "us-east-1", "role"};
    const auto& o = v.get_object();
    auto k = engine::KinesisEventRecord(o, "shardId-000000000000", ctx);
    (void)engine::FilterDocument(k, lambda::MappingSource::kKinesis);
    auto q = engine::SqsEventRecord(o, ctx);
    (void)engine::FilterDocument(q, lambda::MappingSource::kSqs);
    (void)engine::FilterDocument(engine::DynamoDbEventRecord(o, ctx),
                                 lambda::MappingSource::kDynamoDbStream);
  }
  return 0;
}
