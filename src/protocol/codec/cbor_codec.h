// The CBOR front end of the AWS JSON protocol codec (json_codec.h), for clients that send
// `application/x-amz-cbor-1.1` (the AWS SDK for Java and the KCL, to Kinesis): the same
// operations, input objects, validation and errors, in CBOR. Blobs are CBOR byte strings and
// timestamps CBOR tag 1 with epoch *milliseconds* (what the AWS SDKs for Java write and read
// for CBOR, unlike RFC 8949's seconds); replies to a CBOR request are CBOR too. Pure;
// thread-safe.
#pragma once

#include <boost/json/object.hpp>

#include <string>
#include <string_view>
#include <variant>

#include "protocol/model/model.h"
#include "protocol/service.h"

namespace tidepool::protocol::cbor_codec {

constexpr std::string_view kContentType = "application/x-amz-cbor-1.1";

// json_codec::DecodeRequest for a CBOR body: a body that is not one well-formed CBOR map (an
// empty one included) is a SerializationException; the rest is the JSON codec's decoding and
// validation of the same value.
std::variant<boost::json::object, AwsError> DecodeRequest(const model::ServiceModel& model,
                                                          const model::Operation& op,
                                                          std::string_view body);

// json_codec::MakeCall for a CBOR body: always decoded (services' raw readers read JSON).
CallPtr MakeCall(const Service& service, const model::Operation& op, std::string_view body,
                 RequestContext context, Call::Completion done);

// `output` along the output shape of `op`, as a CBOR map (an operation without output shape:
// an empty body). Members not in the shape are dropped.
std::string EncodeOutput(const model::ServiceModel& model, const model::Operation& op,
                         const boost::json::object& output);

// An output a service encoded as JSON itself (EncodedJson), re-encoded as CBOR.
std::variant<std::string, AwsError> EncodeJsonOutput(const model::ServiceModel& model,
                                                     const model::Operation& op,
                                                     std::string_view json_body);

// The body members of structure `shape` in `o` (as services build outputs: blobs raw,
// timestamps epoch seconds), as a CBOR map.
std::string EncodeStructure(const model::ServiceModel& model, uint16_t shape,
                            const boost::json::object& o);

// {"__type": code, "message": message} as a CBOR map.
std::string EncodeError(const AwsError& error);

}  // namespace tidepool::protocol::cbor_codec
