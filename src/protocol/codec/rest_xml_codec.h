// The AWS rest-xml protocol codec (S3), driven by the model's `http` bindings like the
// rest-json codec: each input member comes from a URI label, a query-string parameter, a
// header, a prefix of headers (x-amz-meta-*), or the body; each output member goes back as a
// header, the status code or the body. A structure's `payload` member is the whole body: raw
// bytes for a blob or string, an XML document for a structure (root element: the member's
// locationName, else the shape's). Timestamps travel as HTTP dates in headers and as ISO 8601
// in XML and query strings. Inputs are not validated against the model's constraints: S3
// checks its inputs itself, with its own error codes. Thread-safe; no state.
#pragma once

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "protocol/codec/xml_reader.h"
#include "protocol/http/responder.h"
#include "protocol/model/model.h"
#include "protocol/service.h"

namespace tidepool::protocol::rest_xml_codec {

using Labels = std::vector<std::pair<std::string, std::string>>;

// Builds `op`'s input from the URI labels (decoded), the query string (still encoded), the
// headers and `body`. A body that is not well-formed XML gives MalformedXML; a header or query
// value that does not convert to its member's type gives InvalidArgument.
std::variant<boost::json::object, AwsError> DecodeRequest(
    const model::ServiceModel& model, const model::Operation& op, const Labels& labels,
    std::string_view query, const http::HttpRequest& request, std::string_view body);

// Decodes an XML element as a value of `shape` (the service.h conventions). Unknown elements
// are ignored; a scalar whose text does not convert gives MalformedXML.
std::variant<boost::json::value, AwsError> DecodeXmlValue(const model::ServiceModel& model,
                                                          uint16_t shape,
                                                          const xml::XmlElement& element);

// The reply for `output`: status, header members, and the payload or the body members inside
// a root element named `root` (S3 names it per operation: "ListBucketResult"...), in the
// model's namespace. A blob payload is sent as it is.
http::HttpResponse EncodeResponse(const model::ServiceModel& model, const model::Operation& op,
                                  const boost::json::object& output, std::string_view root);

// Writes `value` (of structure `shape`) as the XML document <root xmlns=...>...</root>.
std::string EncodeXmlDocument(const model::ServiceModel& model, uint16_t shape,
                              const boost::json::object& value, std::string_view root);

// S3's error document: <Error><Code/><Message/>[extra elements]<RequestId/><HostId/></Error>,
// with x-amz-request-id and x-amz-id-2. `head`: the reply to a HEAD request has no body.
// The error's extra_json members, when it has any, are response headers (name -> string:
// `"x-amz-delete-marker":"true"`), sent with HEAD replies too.
http::HttpResponse EncodeError(const AwsError& error, std::string_view request_id, bool head);

// Timestamps: "Wed, 21 Oct 2015 07:28:00 GMT" and "2015-10-21T07:28:00.000Z".
std::string FormatHttpDate(double seconds);
std::optional<double> ParseHttpDate(std::string_view text);
std::optional<double> ParseIso8601(std::string_view text);

}  // namespace tidepool::protocol::rest_xml_codec
