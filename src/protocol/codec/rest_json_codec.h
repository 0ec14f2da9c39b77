// The AWS rest-json protocol codec (Lambda, and API Gateway later), driven by the model's
// `http` bindings: each input member comes from where its `location` says (a URI label, a
// query-string parameter, a header, a prefix of headers, or the body), and each output member
// goes back the same way (a header, the status code, the body). A structure's `payload` member
// is the whole body: raw bytes for a blob or string, a JSON document for a structure; without
// one, the body is a JSON object of the body members. Thread-safe; no state.
#pragma once

#include <boost/json/object.hpp>

#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "protocol/http/responder.h"
#include "protocol/model/model.h"
#include "protocol/service.h"

namespace tidepool::protocol::rest_json_codec {

using Labels = std::vector<std::pair<std::string, std::string>>;

// Builds `op`'s input from the request's URI labels (decoded), query string (still encoded),
// headers and body, then validates it as the JSON codec does (ValidationException texts).
// Malformed JSON or a header/query value that does not convert to its member's type gives
// SerializationException.
std::variant<boost::json::object, AwsError> DecodeRequest(const model::ServiceModel& model,
                                                          const model::Operation& op,
                                                          const Labels& labels,
                                                          std::string_view query,
                                                          const http::HttpRequest& request);

// The reply for `output`: status (the op's, or a statusCode member's), header members, body.
http::HttpResponse EncodeResponse(const model::ServiceModel& model, const model::Operation& op,
                                  const boost::json::object& output);

// An error as botocore's rest-json parser reads it: header x-amzn-ErrorType: <code>, JSON body
// {"Type":"User"|"Service","message":...} (the message member spelled as the model's exception
// shape spells it, "Message" for Lambda).
http::HttpResponse EncodeError(const model::ServiceModel& model, const AwsError& error);

}  // namespace tidepool::protocol::rest_json_codec
