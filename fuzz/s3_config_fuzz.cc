// libFuzzer target for the XML reader (protocol/codec/xml_reader.h) and the decoding of S3's
// configuration documents along their model shapes: notification, CORS, lifecycle, tagging,
// multipart completion, multi-object delete. Input: a shape selector byte, then the document.
// A decoded document is written back as XML and must parse again; a CORS or lifecycle one also
// goes through S3's checks and rule matching (services/s3/cors.h, lifecycle.h).
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "protocol/codec/rest_xml_codec.h"
#include "protocol/codec/xml_reader.h"
#include "protocol/model/models.h"
#include "services/s3/cors.h"
#include "services/s3/lifecycle.h"

namespace protocol = tidepool::protocol;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static constexpr std::string_view kShapes[] = {
      "NotificationConfiguration",    "CORSConfiguration",
      "BucketLifecycleConfiguration", "Tagging",
      "CompletedMultipartUpload",     "Delete",
      "CreateBucketConfiguration",    "VersioningConfiguration"};
  if (size == 0) return 0;
  const auto& model = protocol::model::S3Model();
  uint16_t shape = model.FindShape(kShapes[data[0] % std::size(kShapes)]);
  if (shape == protocol::model::kNoShape) std::abort();
  std::string_view doc(reinterpret_cast<const char*>(data) + 1, size - 1);
  auto parsed = protocol::xml::ParseXml(doc);
  if (!parsed.ok()) return 0;
  auto value = protocol::rest_xml_codec::DecodeXmlValue(model, shape, *parsed);
  if (auto* v = std::get_if<boost::json::value>(&value); v != nullptr && v->is_object()) {
    std::string out =
        protocol::rest_xml_codec::EncodeXmlDocument(model, shape, v->get_object(), "Root");
    if (!protocol::xml::ParseXml(out).ok()) std::abort();
    const boost::json::object& config = v->get_object();
    if (data[0] % std::size(kShapes) == 1) {
      (void)tidepool::s3::ValidateCorsConfiguration(config);
      protocol::CorsQuery query{"b", "https://app.example.com", "GET", {"x-amz-date"}, true};
      (void)tidepool::s3::MatchCorsRules(config, query);
    } else if (data[0] % std::size(kShapes) == 2) {
      (void)tidepool::s3::ValidateLifecycleConfiguration(config);
      tidepool::s3::ObjectRecord record;
      record.size = 10;
      for (const auto& rule : tidepool::s3::EnabledRules(config)) {
        if (tidepool::s3::RuleSelects(rule, "logs/a", record)) {
          (void)tidepool::s3::CurrentDue(rule, record, 1e9, 86400);
          (void)tidepool::s3::NoncurrentDue(rule, record, 1, 1e9, 86400);
          (void)tidepool::s3::CurrentTransition(rule, record, 1e9, 86400);
          (void)tidepool::s3::NoncurrentTransition(rule, record, 1, 1e9, 86400);
        }
      }
    }
  }
  return 0;
}
