// libFuzzer target: API Gateway patch operations. The input is a JSON document: an object with
// "shape" (an output shape of the apigateway model, e.g. "RestApi", "Stage", "Method"),
// "target" (the object to patch) and "patchOperations" (as an Update* call carries them).
// ApplyPatch must never crash, and a patched object must serialize.
#include <boost/json.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "protocol/model/models.h"
#include "services/apigateway/patch.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  boost::system::error_code ec;
  boost::json::parse_options options;
  options.max_depth = 64;
  boost::json::value doc = boost::json::parse(input, ec, {}, options);
  if (ec || !doc.is_object()) return 0;
  const boost::json::object& o = doc.get_object();
  const auto& model = tidepool::protocol::model::ApiGatewayModel();
  const boost::json::value* shape = o.if_contains("shape");
  uint16_t index = shape && shape->is_string() ? model.FindShape(shape->get_string())
                                               : model.FindShape("RestApi");
  if (index == tidepool::protocol::model::kNoShape) return 0;
  boost::json::object target;
  if (const boost::json::value* t = o.if_contains("target"); t && t->is_object()) {
    target = t->get_object();
  }
  auto ops = tidepool::apigateway::PatchOperationsOf(o);
  (void)tidepool::apigateway::ApplyPatch(model, index, ops, target);
  (void)boost::json::serialize(target);
  return 0;
}
