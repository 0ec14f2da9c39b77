// The AWS JSON 1.0 / 1.1 protocol codec (Kinesis, DynamoDB, SQS-json, Step Functions, Logs...),
// driven by the service model tables. Thread-safe; no state.
#pragma once

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "protocol/model/model.h"
#include "protocol/service.h"

namespace tidepool::protocol::json_codec {

// Parses `body` as the input of `op` and validates it against the model (required members,
// types, enums, lengths, ranges, patterns), the way AWS does:
//  - malformed JSON or a value of the wrong JSON type -> SerializationException;
//  - constraint failures -> ValidationException "1 validation error detected: Value 'x' at
//    'streamName' failed to satisfy constraint: Member must ..." (several joined by "; ");
//  - blobs are base64-decoded (bad base64 -> SerializationException), timestamps accept
//    epoch seconds (number) and are returned as doubles.
// An empty body counts as "{}" (a SerializationException for Kinesis, as AWS answers it).
// Unknown members are ignored, as AWS does.
std::variant<boost::json::object, AwsError> DecodeRequest(const model::ServiceModel& model,
                                                          const model::Operation& op,
                                                          std::string_view body);

// A raw-input call's body (Call::RawInput), to be decoded by DecodeRequest if at all.
Call::RawInput RawInput(const model::ServiceModel& model, std::string body);

// The Call the JSON protocol makes for `body` addressed to `op` of `service`: undecoded when
// the service takes that operation's input raw (Service::TakesRawInput), else decoded and
// validated by DecodeRequest. Returns nullptr when that decode fails; `done` has then been
// completed with the codec's error.
CallPtr MakeCall(const Service& service, const model::Operation& op, std::string body,
                 RequestContext context, Call::Completion done);

// Serializes `output` along the output shape of `op` (blobs base64, timestamps epoch seconds).
// Members not in the shape are dropped. An operation without output shape gets "{}" (an
// empty body for Kinesis, as AWS sends).
std::string EncodeOutput(const model::ServiceModel& model, const model::Operation& op,
                         const boost::json::object& output);

// The inverse of EncodeOutput, for tests: parses an output document and decodes it along the
// output shape of `op` (blobs base64-decoded, timestamps as doubles); no validation.
std::variant<boost::json::object, AwsError> DecodeOutput(const model::ServiceModel& model,
                                                         const model::Operation& op,
                                                         std::string_view body);

// For the REST protocols: converts the members of structure `shape` found in `o` in place as
// DecodeRequest does (no validation), dropping unknown members and members bound to the URI,
// query string or headers. The error is a SerializationException.
std::optional<AwsError> DecodeBodyMembers(const model::ServiceModel& model, uint16_t shape,
                                          boost::json::object& o);
// Serializes the body members of structure `shape` (members with another location are left out).
std::string EncodeBodyMembers(const model::ServiceModel& model, uint16_t shape,
                              const boost::json::object& o);

// {"__type":"<code>","message":"<message>"[,<extra_json>]}
std::string EncodeError(const AwsError& error);

}  // namespace tidepool::protocol::json_codec
