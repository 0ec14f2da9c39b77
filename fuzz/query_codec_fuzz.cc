// libFuzzer target for the query protocol codec (protocol/codec/query_codec.h, form_decoder.h,
// xml_writer.h). Input: the first byte picks the service (even: SNS, odd: SQS), the second an
// operation (modulo their count), the rest is the form body. A body that decodes is written
// back out as XML along the operation's input shape (as if it were the output); every error
// must encode as an ErrorResponse. All XML produced must be well formed: balanced tags, only
// the five entities and &#xD;, valid UTF-8 without characters XML cannot carry. The JSON
// forms of the same reply and error (EncodeJsonResponse, EncodeJsonError) must parse back.
#include <boost/json/parse.hpp>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/codec/form_decoder.h"
#include "protocol/codec/query_codec.h"
#include "protocol/model/models.h"

using tidepool::protocol::AwsError;
namespace form = tidepool::protocol::form;
namespace model = tidepool::protocol::model;
namespace query_codec = tidepool::protocol::query_codec;

namespace {

bool ValidText(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<uint8_t>(s[i]);
    if (c == '<') return false;
    if (c == '&') {
      size_t semi = s.find(';', i);
      if (semi == std::string_view::npos) return false;
      std::string_view e = s.substr(i, semi - i + 1);
      if (e != "&amp;" && e != "&lt;" && e != "&gt;" && e != "&quot;" && e != "&apos;" &&
          e != "&#xD;") {
        return false;
      }
      i = semi + 1;
      continue;
    }
    if (c < 0x80) {
      if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') return false;
      ++i;
      continue;
    }
    size_t len = (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (len == 0 || i + len > s.size()) return false;
    for (size_t k = 1; k < len; ++k) {
      if ((static_cast<uint8_t>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += len;
  }
  return true;
}

// A small well-formedness check: one root, balanced tags, valid text in between.
bool WellFormed(std::string_view xml) {
  constexpr std::string_view kDecl = "<?xml version=\"1.0\"?>";
  if (xml.substr(0, kDecl.size()) == kDecl) xml.remove_prefix(kDecl.size());
  std::vector<std::string_view> stack;
  bool root_seen = false;
  size_t i = 0;
  while (i < xml.size()) {
    size_t lt = xml.find('<', i);
    if (lt == std::string_view::npos) lt = xml.size();
    if (!ValidText(xml.substr(i, lt - i))) return false;
    if (stack.empty() && xml.substr(i, lt - i).find_first_not_of(" \n") != std::string_view::npos) {
      return false;  // text outside the root
    }
    if (lt == xml.size()) break;
    size_t gt = xml.find('>', lt);
    if (gt == std::string_view::npos) return false;
    std::string_view tag = xml.substr(lt + 1, gt - lt - 1);
    i = gt + 1;
    if (!tag.empty() && tag.front() == '/') {
      if (stack.empty() || stack.back() != tag.substr(1)) return false;
      stack.pop_back();
      continue;
    }
    bool empty = !tag.empty() && tag.back() == '/';
    if (empty) tag.remove_suffix(1);
    std::string_view name = tag.substr(0, tag.find(' '));
    if (name.empty()) return false;
    if (stack.empty()) {
      if (root_seen) return false;
      root_seen = true;
    }
    if (!empty) stack.push_back(name);
  }
  return root_seen && stack.empty();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const model::ServiceModel& service = data[0] % 2 == 0 ? model::SnsModel() : model::SqsModel();
  const model::Operation& op = service.operations[data[1] % service.operations.size()];
  std::string_view body(reinterpret_cast<const char*>(data + 2), size - 2);

  auto params = form::Parse(body);
  if (!params.ok()) return 0;
  auto decoded = query_codec::DecodeRequest(service, op, *params);
  if (auto* error = std::get_if<AwsError>(&decoded)) {
    if (error->http_status != 400 || !error->sender_fault) abort();
    std::string xml = query_codec::EncodeError(&service, *error, "req");
    if (!WellFormed(xml) || xml.find("<ErrorResponse") == std::string::npos) abort();
    // The JSON form of the same error parses back, with its code.
    auto json_error = boost::json::parse(query_codec::EncodeJsonError(&service, *error, "req"));
    if (!json_error.at("Error").at("Code").is_string()) abort();
    return 0;
  }
  if (op.input == model::kNoShape) return 0;
  model::Operation echo = op;
  echo.output = op.input;
  echo.result_wrapper = "EchoResult";
  std::string xml =
      query_codec::EncodeResponse(service, echo, std::get<boost::json::object>(decoded), "req");
  if (!WellFormed(xml)) abort();
  // The JSON reply of the same output parses back under "<Op>Response".
  auto json_reply = boost::json::parse(query_codec::EncodeJsonResponse(
      service, echo, std::get<boost::json::object>(decoded), "req"));
  if (!json_reply.as_object().contains(std::string(echo.name) + "Response")) abort();
  return 0;
}
