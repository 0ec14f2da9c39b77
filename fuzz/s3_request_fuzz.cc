// libFuzzer target for S3 addressing (protocol/rest/s3_routes.h) and the rest-xml codec
// (protocol/codec/rest_xml_codec.h) on the S3 model. Input: lines
//   METHOD TARGET\n (header: value\n)* \n body
// The request is resolved to bucket, key and operation; a match is decoded (its XML body
// parsed along the operation's payload shape); a decoded input is encoded back as the
// operation's output would be; every error must encode.
#include <boost/beast/http/verb.hpp>

#include <cstdint>
#include <string>
#include <string_view>

#include "protocol/codec/rest_xml_codec.h"
#include "protocol/http/query_string.h"
#include "protocol/model/models.h"
#include "protocol/rest/s3_routes.h"

namespace protocol = tidepool::protocol;
namespace bhttp = boost::beast::http;

namespace {

std::string_view NextLine(std::string_view& in) {
  size_t nl = in.find('\n');
  std::string_view line = in.substr(0, nl);
  in = nl == std::string_view::npos ? std::string_view() : in.substr(nl + 1);
  return line;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const protocol::S3Routes routes(protocol::model::S3Model());
  const auto& model = protocol::model::S3Model();
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::string_view first = NextLine(in);
  size_t sp = first.find(' ');
  if (sp == std::string_view::npos) return 0;
  bhttp::verb method = bhttp::string_to_verb(first.substr(0, sp));
  if (method == bhttp::verb::unknown) return 0;
  protocol::http::HttpRequest request(method, std::string(first.substr(sp + 1)), 11);
  for (std::string_view line = NextLine(in); !line.empty(); line = NextLine(in)) {
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) continue;
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    request.set(line.substr(0, colon), value);
  }
  auto [path, query] = protocol::http::SplitTarget(request.target());
  protocol::S3Target target = routes.Resolve(request, path, query);
  if (target.operation == nullptr) return 0;
  protocol::rest_xml_codec::Labels labels;
  if (!target.bucket.empty()) labels.emplace_back("Bucket", target.bucket);
  if (!target.key.empty()) labels.emplace_back("Key", target.key);
  auto decoded =
      protocol::rest_xml_codec::DecodeRequest(model, *target.operation, labels, query, request, in);
  if (auto* error = std::get_if<protocol::AwsError>(&decoded)) {
    (void)protocol::rest_xml_codec::EncodeError(*error, "id", false);
    return 0;
  }
  (void)protocol::rest_xml_codec::EncodeResponse(
      model, *target.operation, std::get<boost::json::object>(decoded),
      protocol::S3Routes::ResultRoot(target.operation->name));
  return 0;
}
