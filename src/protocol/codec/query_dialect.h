// How one service speaks the AWS query protocol: the wire names of its members (query keys and
// XML element names), its XML namespace, and the quirks of its replies and errors.
//
// The names come from the service model (locationName / flattened, as botocore's
// QuerySerializer and QueryParser read them). SQS is the exception: its current model is AWS
// JSON 1.0 (awsQueryCompatible), from which AWS dropped the query protocol's locationNames and
// the XML namespace, while SQS still answers the query protocol for older SDKs and CLIs. For
// SQS the dialect restores them from the last query-protocol SQS model (botocore's
// sqs/2012-11-05 before the move to JSON, 2023): "AttributeName.1", "Attribute.1.Name",
// "MessageAttribute.1.Value.StringValue", "Tag.1.Key", <Message>, <Attribute>...
//
// Name rules (botocore's): a structure member travels under its locationName, else the
// locationName of its shape, else its member name. A list is "<name>.member.N" (the element
// name is the list member's locationName when it has one) or, when flattened (on the member or
// on the list shape), "<name>.N" where the list member's locationName, if any, replaces <name>.
// A map is "<name>.entry.N.<key>/<value>", or "<name>.N.<key>/<value>" when flattened, with
// the map's key/value locationNames ("key"/"value" by default). XML replies use the same names.
//
// Dialects are built once per model and live for the whole process. Thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/model/model.h"

namespace tidepool::protocol::query_codec {

class QueryDialect {
 public:
  // The dialect of `model` (built on first use, then shared).
  static const QueryDialect& For(const model::ServiceModel& model);

  const model::ServiceModel& model() const { return model_; }

  // Whether this model can be served over the query protocol at all: it lists the query
  // protocol, or it is an awsQueryCompatible model whose query names are known (SQS).
  bool speaks_query() const { return speaks_query_; }
  std::string_view xml_namespace() const { return xml_namespace_; }
  // SQS's replies: "<?xml version="1.0"?>" and no whitespace between elements; SNS's: no
  // declaration, elements on their own lines indented by two spaces, as AWS sends them.
  bool pretty_xml() const { return !legacy_sqs_; }
  // SQS's error documents carry an empty <Detail/> after <Message>.
  bool error_detail() const { return legacy_sqs_; }
  // SQS (Coral-free) reports bad parameters with its own codes (MissingParameter,
  // InvalidParameterValue) and checks enum values itself (InvalidAttributeName); Coral query
  // services (SNS) use ValidationError / MalformedInput.
  bool legacy_sqs() const { return legacy_sqs_; }
  // SQS: an unset QueueUrl may come from the request path (POST /<account>/<queue>).
  bool queue_url_from_path() const { return legacy_sqs_; }

  // The name a structure member travels under (before list/map flattening rules).
  std::string_view MemberName(const model::Member& member) const;
  // Whether the member (a list or map) is flattened, on the member or on its shape.
  bool Flattened(const model::Member& member) const;
  // The key of a flattened list member: the list member's locationName, else MemberName().
  std::string_view FlattenedListName(const model::Member& member) const;
  // List element name of a non-flattened list: the list member's locationName, else "member".
  std::string_view ListElementName(uint16_t list_shape) const;
  std::string_view MapKeyName(uint16_t map_shape) const;
  std::string_view MapValueName(uint16_t map_shape) const;

  // The element that wraps an operation's output members in a reply ("<Op>Result"): the
  // model's resultWrapper, else for SQS (whose JSON model dropped them) "<Op>Result"; empty
  // when the operation has no output or no wrapper.
  std::string ResultWrapper(const model::Operation& op) const;
  // The reply text of an error message: SQS's query API words a missing queue for its WSDL
  // ("The specified queue does not exist for this wsdl version."; its JSON API says "...does
  // not exist."); any other message is unchanged.
  std::string_view ErrorMessage(std::string_view message) const;
  // The key of a member in a JSON reply (Accept: application/json): the model's member name,
  // except that SQS, whose JSON replies name lists as its own Java fields do, starts a list
  // member's name in lower case ("messages", "queueUrls", as AWS answers).
  std::string JsonMemberName(const model::Member& member) const;

 private:
  explicit QueryDialect(const model::ServiceModel& model);

  const model::ServiceModel& model_;
  bool speaks_query_ = false;
  bool legacy_sqs_ = false;
  std::string_view xml_namespace_;
  // Indexed by member / shape index; filled from the model plus the SQS names.
  std::vector<std::string_view> member_names_;
  std::vector<std::string_view> list_member_names_;  // "" when the list member has no name
  std::vector<std::string_view> map_key_names_;
  std::vector<std::string_view> map_value_names_;
  std::vector<std::string_view> shape_names_;  // a shape's own locationName (maps, structures)
};

}  // namespace tidepool::protocol::query_codec
