// libFuzzer target for the event stream message decoder (protocol/codec/event_stream.h) and
// the CBOR re-encoding of Kinesis SubscribeToShard events (cbor_event_stream.h). Input: bytes
// of messages. Every message that decodes must encode back to the same bytes (it has string
// headers only), and its CBOR form must decode as a message again.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "protocol/codec/cbor_event_stream.h"
#include "protocol/codec/event_stream.h"
#include "protocol/model/models.h"

namespace event_stream = tidepool::protocol::event_stream;
namespace cbor_codec = tidepool::protocol::cbor_codec;
namespace model = tidepool::protocol::model;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  const model::ServiceModel& kinesis = model::KinesisModel();
  const model::Operation* op = kinesis.FindOperation("SubscribeToShard");
  if (op == nullptr) abort();
  for (;;) {
    size_t consumed = 0;
    std::string error;
    auto message = event_stream::DecodeMessage(rest, &consumed, &error);
    if (!message) {
      if (consumed != 0) abort();
      return 0;
    }
    if (consumed == 0 || consumed > rest.size()) abort();
    if (event_stream::EncodeMessage(message->headers, message->payload) !=
        rest.substr(0, consumed)) {
      abort();
    }
    const std::string cbor = cbor_codec::EncodeEventMessage(kinesis, *op, *message);
    size_t again = 0;
    if (!event_stream::DecodeMessage(cbor, &again, &error) || again != cbor.size()) abort();
    rest.remove_prefix(consumed);
  }
}
