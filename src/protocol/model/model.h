// Service model tables: the operations and shapes of one AWS service, generated from the
// official AWS service model (botocore's service-2.json) by scripts/gen_models.py.
// Documentation strings are never copied. The codecs interpret these tables; services never
// hand-write (de)serialization.
//
// All tables are immutable static data: safe to read from any thread.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace tidepool::protocol::model {

enum class ShapeType : uint8_t {
  kStructure,
  kList,
  kMap,
  kString,
  kInteger,
  kLong,
  kFloat,
  kDouble,
  kBoolean,
  kBlob,
  kTimestamp,
  kUnion,  // a structure of which exactly one member is set
};

enum class Protocol : uint8_t { kJson, kQuery, kRestJson, kRestXml, kEc2 };

enum class TimestampFormat : uint8_t { kDefault, kEpochSeconds, kIso8601, kRfc822 };

// Where a member travels in REST protocols (kBody for JSON/query protocols).
enum class Location : uint8_t { kBody, kHeader, kHeaders, kUri, kQueryString, kStatusCode };

constexpr uint16_t kNoShape = 0xffff;
constexpr int64_t kNoLimit = INT64_MIN;

struct Member {
  std::string_view name;  // as in the model, e.g. "StreamName"
  uint16_t shape;         // index into ServiceModel::shapes
  bool required;
  Location location;
  std::string_view location_name;  // header / query / uri / xml name; empty when none
  bool xml_attribute;
  bool xml_flattened;  // member-level "flattened"
  bool idempotency_token;
  bool host_label;
  std::string_view xml_namespace_uri;  // member-level "xmlNamespace" uri (rest-xml); else empty
};

struct Shape {
  std::string_view name;
  ShapeType type;
  int64_t min;               // kNoLimit when absent (length for strings/blobs/lists/maps)
  int64_t max;               // kNoLimit when absent
  std::string_view pattern;  // empty when none (a Java-style regex, checked with RE2)
  uint32_t members_begin;    // structures/unions: range in ServiceModel::members
  uint16_t members_count;
  uint16_t member;      // lists: element shape; maps: value shape (kNoShape otherwise)
  uint16_t key;         // maps: key shape
  uint32_t enum_begin;  // strings with an enum: range in ServiceModel::enum_values
  uint16_t enum_count;
  TimestampFormat timestamp_format;
  bool flattened;  // lists/maps with "flattened"
  // lists: the member's locationName; structures: the shape's own locationName (rest-xml
  // element name, e.g. "SSE-KMS"); empty if none. Maps use the two fields below.
  std::string_view location_name;
  std::string_view map_key_name;    // maps: key locationName ("key" when empty)
  std::string_view map_value_name;  // maps: value locationName ("value" when empty)
  // Exceptions:
  bool exception;
  bool fault;                   // server fault (HTTP 5xx family)
  std::string_view error_code;  // "error": {"code": ...} when present, else the shape name
  uint16_t http_status;         // "error": {"httpStatusCode": ...}, 0 when absent
  bool sender_fault;            // "error": {"senderFault": true}
  bool event_stream;            // "eventstream": true
  bool sensitive;
  // Structures with a "payload" member (REST protocols): that member's name, else empty.
  std::string_view payload;
  // Shape-level "xmlNamespace" (rest-xml, e.g. S3's Grantee: prefix "xsi"); empty when none.
  std::string_view xml_namespace_uri;
  std::string_view xml_namespace_prefix;
};

struct Operation {
  std::string_view name;            // "PutRecord"
  std::string_view http_method;     // "POST"
  std::string_view request_uri;     // "/" or "/2015-03-31/functions/{FunctionName}"
  uint16_t http_status;             // success status, 200 unless the model says otherwise
  uint16_t input;                   // shape index or kNoShape
  uint16_t output;                  // shape index or kNoShape
  std::string_view result_wrapper;  // query protocol: output "resultWrapper"
  uint32_t errors_begin;            // range in ServiceModel::operation_errors (shape indexes)
  uint16_t errors_count;
};

struct ServiceModel {
  // metadata
  std::string_view service_id;       // "Kinesis"
  std::string_view endpoint_prefix;  // "kinesis"
  std::string_view signing_name;     // SigV4 service name ("kinesis")
  std::string_view api_version;      // "2013-12-02"
  std::string_view target_prefix;    // JSON protocols: "Kinesis_20131202"
  std::string_view json_version;     // "1.1"
  std::string_view xml_namespace;    // query/rest-xml: "http://queue.amazonaws.com/doc/2012-11-05/"
  Protocol protocol;                 // the model's primary protocol
  std::span<const Protocol> protocols;  // every protocol the model lists

  std::span<const Shape> shapes;
  std::span<const Member> members;
  std::span<const std::string_view> enum_values;
  std::span<const Operation> operations;  // sorted by name
  std::span<const uint16_t> operation_errors;
  // The model carries the awsQueryCompatible trait (SQS): the service once spoke the query
  // protocol and still answers it; errors carry legacy query codes, and, as on AWS, enum
  // values are not validated (SQS accepts attribute names its model's enums do not list).
  bool aws_query_compatible = false;

  const Shape& shape(uint16_t i) const { return shapes[i]; }
  std::span<const Member> MembersOf(const Shape& s) const {
    return members.subspan(s.members_begin, s.members_count);
  }
  std::span<const std::string_view> EnumOf(const Shape& s) const {
    return enum_values.subspan(s.enum_begin, s.enum_count);
  }
  // Binary search by name; nullptr when the model has no such operation.
  const Operation* FindOperation(std::string_view name) const;
  // Linear search by shape name; kNoShape when absent.
  uint16_t FindShape(std::string_view name) const;
};

}  // namespace tidepool::protocol::model
