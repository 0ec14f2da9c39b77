// libFuzzer target for the CBOR reader and the CBOR front end of the JSON codec
// (protocol/codec/cbor.h, cbor_codec.h). Input: first byte picks a Kinesis operation (modulo
// their count), the rest is a CBOR request body. A body that decodes is encoded back as CBOR
// along the operation's input shape and must decode again (not compared: timestamps round to
// whole milliseconds on the way out); every error must be a SerializationException or
// ValidationException and encode as a CBOR error map.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "protocol/codec/cbor.h"
#include "protocol/codec/cbor_codec.h"
#include "protocol/model/models.h"

using tidepool::protocol::AwsError;
namespace cbor = tidepool::protocol::cbor;
namespace cbor_codec = tidepool::protocol::cbor_codec;
namespace model = tidepool::protocol::model;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const model::ServiceModel& kinesis = model::KinesisModel();
  const model::Operation& op = kinesis.operations[data[0] % kinesis.operations.size()];
  std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);

  std::string error;
  (void)cbor::Read(body, &error);  // the reader alone, on anything

  auto decoded = cbor_codec::DecodeRequest(kinesis, op, body);
  if (auto* failure = std::get_if<AwsError>(&decoded)) {
    if (failure->code != "SerializationException" && failure->code != "ValidationException") {
      abort();
    }
    auto encoded = cbor::Read(cbor_codec::EncodeError(*failure), &error);
    if (!encoded || !encoded->is_object() || !encoded->as_object().contains("__type")) abort();
    return 0;
  }
  if (op.input == model::kNoShape) return 0;
  const boost::json::object& input = std::get<boost::json::object>(decoded);
  model::Operation echo = op;
  echo.output = op.input;
  auto again =
      cbor_codec::DecodeRequest(kinesis, op, cbor_codec::EncodeOutput(kinesis, echo, input));
  if (!std::holds_alternative<boost::json::object>(again)) abort();
  return 0;
}
