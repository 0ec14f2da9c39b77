// libFuzzer target for the AWS JSON codec (protocol/codec/json_codec.h) and the model-driven
// validation behind it. Input: first byte picks a Kinesis operation (modulo their count), the
// rest is the request body. A body that decodes is sent back out through EncodeOutput along
// the operation's input shape and must decode again to the same object; every error must
// encode as a JSON error body.
#include <boost/json/parse.hpp>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <string_view>

#include "protocol/codec/json_codec.h"
#include "protocol/model/models.h"

using tidepool::protocol::AwsError;
namespace json_codec = tidepool::protocol::json_codec;
namespace model = tidepool::protocol::model;

namespace {

// Equal, except that doubles may differ in their last bit: Boost.JSON 1.81 does not round
// literals with more than 17 significant digits exactly, so "4444…830.5" and the shortest form
// we write for the double it read may read back one ulp apart. An infinity or NaN never
// compares equal to a finite number here.
bool SameValue(const boost::json::value& a, const boost::json::value& b) {
  if (a.is_double() && b.is_double()) {
    const double x = a.get_double(), y = b.get_double();
    if (x == y) return true;
    if (!std::isfinite(x) || !std::isfinite(y)) return false;
    return std::fabs(x - y) <= std::fabs(x) * 4 * std::numeric_limits<double>::epsilon();
  }
  if (a.is_object() && b.is_object()) {
    const auto &oa = a.get_object(), &ob = b.get_object();
    if (oa.size() != ob.size()) return false;
    for (const auto& kv : oa) {
      const boost::json::value* other = ob.if_contains(kv.key());
      if (other == nullptr || !SameValue(kv.value(), *other)) return false;
    }
    return true;
  }
  if (a.is_array() && b.is_array()) {
    const auto &xa = a.get_array(), &xb = b.get_array();
    if (xa.size() != xb.size()) return false;
    for (size_t i = 0; i < xa.size(); ++i) {
      if (!SameValue(xa[i], xb[i])) return false;
    }
    return true;
  }
  return a == b;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const model::ServiceModel& kinesis = model::KinesisModel();
  const model::Operation& op = kinesis.operations[data[0] % kinesis.operations.size()];
  std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);

  auto decoded = json_codec::DecodeRequest(kinesis, op, body);
  if (auto* error = std::get_if<AwsError>(&decoded)) {
    if (error->code != "SerializationException" && error->code != "ValidationException") abort();
    std::string encoded = json_codec::EncodeError(*error);
    boost::system::error_code ec;
    boost::json::value parsed = boost::json::parse(encoded, ec);
    if (ec || !parsed.is_object() || !parsed.as_object().contains("__type")) abort();
    return 0;
  }
  if (op.input == model::kNoShape) return 0;

  // Round trip: the decoded input, encoded along the same shape, decodes to itself.
  const boost::json::object& input = std::get<boost::json::object>(decoded);
  model::Operation echo = op;
  echo.output = op.input;
  std::string encoded = json_codec::EncodeOutput(kinesis, echo, input);
  auto again = json_codec::DecodeRequest(kinesis, op, encoded);
  auto* object = std::get_if<boost::json::object>(&again);
  if (object == nullptr || !SameValue(*object, input)) abort();
  return 0;
}
