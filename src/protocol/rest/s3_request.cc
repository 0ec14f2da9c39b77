#include "protocol/rest/s3_request.h"

#include <boost/beast/core/string.hpp>

#include <cctype>
#include <charconv>
#include <string>

namespace tidepool::protocol {
namespace bhttp = boost::beast::http;
using http::HttpRequest;

BodyFraming FramingOf(const HttpRequest& request) {
  BodyFraming framing;
  framing.content_encoding = std::string(request[bhttp::field::content_encoding]);
  framing.content_sha256 = std::string(request["x-amz-content-sha256"]);
  framing.trailer = std::string(request["x-amz-trailer"]);
  std::string_view decoded = request["x-amz-decoded-content-length"];
  uint64_t n = 0;
  if (!decoded.empty() && std::from_chars(decoded.data(), decoded.data() + decoded.size(), n).ptr ==
                              decoded.data() + decoded.size()) {
    framing.decoded_length = n;
  }
  auto lower = [](std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
  };
  constexpr std::string_view kChecksumPrefix = "x-amz-checksum-";
  if (std::string_view sdk = request["x-amz-sdk-checksum-algorithm"]; !sdk.empty()) {
    framing.checksum_algorithm = lower(sdk);
  } else if (std::string_view alg = request["x-amz-checksum-algorithm"]; !alg.empty()) {
    framing.checksum_algorithm = lower(alg);
  } else if (boost::beast::iequals(
                 std::string_view(framing.trailer).substr(0, kChecksumPrefix.size()),
                 kChecksumPrefix)) {
    framing.checksum_algorithm = lower(framing.trailer.substr(kChecksumPrefix.size()));
  } else {
    for (const auto& field : request) {
      std::string name = lower(field.name_string());
      if (name.starts_with(kChecksumPrefix) && name != "x-amz-checksum-type" &&
          name != "x-amz-checksum-algorithm") {
        framing.checksum_algorithm = name.substr(kChecksumPrefix.size());
      }
    }
  }
  return framing;
}

// Whether `request` is a POST Object (a browser form upload): a POST to a bucket that names no
// operation (s3_post_form.h).
bool IsPostObject(const HttpRequest& request, const S3Target& target) {
  return target.operation == nullptr && request.method() == bhttp::verb::post &&
         !target.bucket.empty() && target.key.empty();
}

// Whether `op`'s payload is a blob (an object's bytes): the operations a consumer may take.
bool HasBlobPayload(const model::ServiceModel& model, const model::Operation& op) {
  if (op.input == model::kNoShape) return false;
  const model::Shape& shape = model.shape(op.input);
  if (shape.payload.empty()) return false;
  for (const model::Member& m : model.MembersOf(shape)) {
    if (m.name == shape.payload) return model.shape(m.shape).type == model::ShapeType::kBlob;
  }
  return false;
}

}  // namespace tidepool::protocol
