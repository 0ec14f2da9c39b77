// The AWS query protocol codec (SNS; SQS for older SDKs and CLIs), driven by the service model
// tables and the service's QueryDialect (query_dialect.h: wire names, namespace, quirks).
// Requests are form parameters (form_decoder.h); replies are XML documents (or JSON, below):
//
//   <{Op}Response xmlns="{ns}">
//     <{resultWrapper}> members in shape order </{resultWrapper}>   (only with an output shape)
//     <ResponseMetadata><RequestId>{id}</RequestId></ResponseMetadata>
//   </{Op}Response>
//
//   <ErrorResponse xmlns="{ns}">
//     <Error><Type>Sender|Receiver</Type><Code>{query_code or code}</Code>
//            <Message>{message}</Message>[<Detail/> SQS]</Error>
//     <RequestId>{id}</RequestId>
//   </ErrorResponse>
//
// Values follow the conventions of protocol/service.h on both sides; on the wire booleans are
// "true"/"false", timestamps ISO 8601 (epoch seconds accepted on input), blobs base64.
// Stateless and thread-safe.
#pragma once

#include <boost/json/object.hpp>

#include <string>
#include <string_view>
#include <variant>

#include "protocol/codec/form_decoder.h"
#include "protocol/model/model.h"
#include "protocol/service.h"

namespace tidepool::protocol::query_codec {

// Decodes `params` into the input object of `op` and validates it against the model the way
// the service does over the query protocol. Action, Version, the SigV4 presigning parameters
// and unknown keys are ignored. Errors:
//  - SNS (Coral): a value that does not convert (e.g. "abc" for an integer, a bad boolean or
//    base64) -> MalformedInput; constraint failures -> ValidationError with the
//    "1 validation error detected: ..." text of validate.h.
//  - SQS: a missing required parameter -> MissingParameter "The request must contain the
//    parameter X."; a value that does not convert or fails a constraint ->
//    InvalidParameterValue. Enum values are not checked (SQS reports InvalidAttributeName
//    itself).
std::variant<boost::json::object, AwsError> DecodeRequest(const model::ServiceModel& model,
                                                          const model::Operation& op,
                                                          const form::FormParams& params);

// The XML reply for a successful call of `op`. Members not in the output shape are dropped;
// values of the wrong JSON type are written as best they can be (a service bug, never a
// crash).
std::string EncodeResponse(const model::ServiceModel& model, const model::Operation& op,
                           const boost::json::object& output, std::string_view request_id);

// The XML error document. `model` may be null when no service is known yet (then no
// namespace, compact layout).
std::string EncodeError(const model::ServiceModel* model, const AwsError& error,
                        std::string_view request_id);

// The same replies in JSON, as AWS sends them to a request that asks for JSON
// (Accept: application/json):
//
//   {"{Op}Response": {"{resultWrapper}": {every output member, null when unset},
//                     "ResponseMetadata": {"RequestId": "{id}"}}}
//   {"Error": {"Code": ..., "Message": ..., "Type": "Sender|Receiver"}, "RequestId": "{id}"}
//
// Members keep the model's names (SQS lists start in lower case: QueryDialect::JsonMemberName);
// lists are arrays, maps objects, blobs base64, timestamps epoch seconds.
std::string EncodeJsonResponse(const model::ServiceModel& model, const model::Operation& op,
                               const boost::json::object& output, std::string_view request_id);
std::string EncodeJsonError(const model::ServiceModel* model, const AwsError& error,
                            std::string_view request_id);

// ISO 8601 "2015-01-25T08:00:00Z" (fractional seconds and +hh:mm offsets accepted) or epoch
// seconds, to epoch seconds; false when `text` is neither.
bool ParseTimestamp(std::string_view text, double& seconds);
// Epoch seconds as ISO 8601 UTC, "2015-01-25T08:00:00Z" or "2015-01-25T08:00:00.123Z".
std::string FormatTimestamp(double seconds);

}  // namespace tidepool::protocol::query_codec
