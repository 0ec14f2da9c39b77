#include "protocol/codec/query_dialect.h"

#include <algorithm>
#include <cctype>
#include <mutex>

namespace tidepool::protocol::query_codec {
namespace {

using model::Member;
using model::Protocol;
using model::ServiceModel;
using model::Shape;
using model::ShapeType;

// The locationNames of the last query-protocol SQS model (botocore sqs/2012-11-05, before the
// service moved to AWS JSON 1.0) that the current model lacks. Checked against that model by
// query_dialect_test.cc when a copy of it is installed.
enum class NameKind : uint8_t { kMember, kListMember, kMapKey, kMapValue, kShape };
struct NameOverride {
  NameKind kind;
  std::string_view shape;
  std::string_view member;  // kMember only
  std::string_view name;
};

constexpr NameOverride kSqsNames[] = {
    {NameKind::kListMember, "AWSAccountIdList", "", "AWSAccountId"},
    {NameKind::kListMember, "ActionNameList", "", "ActionName"},
    {NameKind::kListMember, "AttributeNameList", "", "AttributeName"},
    {NameKind::kListMember, "BatchResultErrorEntryList", "", "BatchResultErrorEntry"},
    {NameKind::kListMember, "BinaryList", "", "BinaryListValue"},
    {NameKind::kListMember, "ChangeMessageVisibilityBatchRequestEntryList", "",
     "ChangeMessageVisibilityBatchRequestEntry"},
    {NameKind::kListMember, "ChangeMessageVisibilityBatchResultEntryList", "",
     "ChangeMessageVisibilityBatchResultEntry"},
    {NameKind::kMember, "CreateQueueRequest", "Attributes", "Attribute"},
    {NameKind::kMember, "CreateQueueRequest", "tags", "Tag"},
    {NameKind::kListMember, "DeleteMessageBatchRequestEntryList", "",
     "DeleteMessageBatchRequestEntry"},
    {NameKind::kListMember, "DeleteMessageBatchResultEntryList", "",
     "DeleteMessageBatchResultEntry"},
    {NameKind::kMember, "GetQueueAttributesResult", "Attributes", "Attribute"},
    {NameKind::kListMember, "ListMessageMoveTasksResultEntryList", "",
     "ListMessageMoveTasksResultEntry"},
    {NameKind::kMember, "ListQueueTagsResult", "Tags", "Tag"},
    {NameKind::kMember, "Message", "Attributes", "Attribute"},
    {NameKind::kMember, "Message", "MessageAttributes", "MessageAttribute"},
    {NameKind::kListMember, "MessageAttributeNameList", "", "MessageAttributeName"},
    {NameKind::kMember, "MessageAttributeValue", "StringListValues", "StringListValue"},
    {NameKind::kMember, "MessageAttributeValue", "BinaryListValues", "BinaryListValue"},
    {NameKind::kMapKey, "MessageBodyAttributeMap", "", "Name"},
    {NameKind::kMapValue, "MessageBodyAttributeMap", "", "Value"},
    {NameKind::kMapKey, "MessageBodySystemAttributeMap", "", "Name"},
    {NameKind::kMapValue, "MessageBodySystemAttributeMap", "", "Value"},
    {NameKind::kListMember, "MessageList", "", "Message"},
    {NameKind::kMapKey, "MessageSystemAttributeMap", "", "Name"},
    {NameKind::kMapValue, "MessageSystemAttributeMap", "", "Value"},
    {NameKind::kShape, "MessageSystemAttributeMap", "", "Attribute"},
    {NameKind::kMember, "MessageSystemAttributeValue", "StringListValues", "StringListValue"},
    {NameKind::kMember, "MessageSystemAttributeValue", "BinaryListValues", "BinaryListValue"},
    {NameKind::kMapKey, "QueueAttributeMap", "", "Name"},
    {NameKind::kMapValue, "QueueAttributeMap", "", "Value"},
    {NameKind::kShape, "QueueAttributeMap", "", "Attribute"},
    {NameKind::kListMember, "QueueUrlList", "", "QueueUrl"},
    {NameKind::kMember, "SendMessageBatchRequestEntry", "MessageAttributes", "MessageAttribute"},
    {NameKind::kMember, "SendMessageBatchRequestEntry", "MessageSystemAttributes",
     "MessageSystemAttribute"},
    {NameKind::kListMember, "SendMessageBatchRequestEntryList", "", "SendMessageBatchRequestEntry"},
    {NameKind::kListMember, "SendMessageBatchResultEntryList", "", "SendMessageBatchResultEntry"},
    {NameKind::kMember, "SendMessageRequest", "MessageAttributes", "MessageAttribute"},
    {NameKind::kMember, "SendMessageRequest", "MessageSystemAttributes", "MessageSystemAttribute"},
    {NameKind::kMember, "SetQueueAttributesRequest", "Attributes", "Attribute"},
    {NameKind::kListMember, "StringList", "", "StringListValue"},
    {NameKind::kListMember, "TagKeyList", "", "TagKey"},
    {NameKind::kMapKey, "TagMap", "", "Key"},
    {NameKind::kMapValue, "TagMap", "", "Value"},
    {NameKind::kShape, "TagMap", "", "Tag"},
};

constexpr std::string_view kSqsXmlNamespace = "http://queue.amazonaws.com/doc/2012-11-05/";

bool ListsQuery(const ServiceModel& model) {
  if (model.protocol == Protocol::kQuery) return true;
  return std::find(model.protocols.begin(), model.protocols.end(), Protocol::kQuery) !=
         model.protocols.end();
}

}  // namespace

QueryDialect::QueryDialect(const ServiceModel& model) : model_(model) {
  // SQS's tables may or may not list the query protocol (generator versions differ); its
  // primary protocol being JSON is what says the query names were dropped.
  legacy_sqs_ = model.service_id == "SQS" && model.protocol != Protocol::kQuery;
  speaks_query_ = legacy_sqs_ || ListsQuery(model);
  xml_namespace_ =
      model.xml_namespace.empty() && legacy_sqs_ ? kSqsXmlNamespace : model.xml_namespace;

  const size_t n_shapes = model.shapes.size();
  member_names_.resize(model.members.size());
  list_member_names_.resize(n_shapes);
  map_key_names_.resize(n_shapes);
  map_value_names_.resize(n_shapes);
  shape_names_.resize(n_shapes);
  for (size_t i = 0; i < n_shapes; ++i) {
    const Shape& s = model.shapes[i];
    switch (s.type) {
      case ShapeType::kList:
        list_member_names_[i] = s.location_name;
        break;
      case ShapeType::kMap:
        map_key_names_[i] = s.map_key_name.empty() ? "key" : s.map_key_name;
        map_value_names_[i] = s.map_value_name.empty() ? "value" : s.map_value_name;
        break;
      case ShapeType::kStructure:
      case ShapeType::kUnion:
        shape_names_[i] = s.location_name;
        break;
      default:
        break;
    }
  }
  if (legacy_sqs_) {
    for (const NameOverride& o : kSqsNames) {
      uint16_t shape = model.FindShape(o.shape);
      if (shape == model::kNoShape) continue;  // a later model may drop a shape
      switch (o.kind) {
        case NameKind::kListMember:
          list_member_names_[shape] = o.name;
          break;
        case NameKind::kMapKey:
          map_key_names_[shape] = o.name;
          break;
        case NameKind::kMapValue:
          map_value_names_[shape] = o.name;
          break;
        case NameKind::kShape:
          shape_names_[shape] = o.name;
          break;
        case NameKind::kMember: {
          const Shape& parent = model.shape(shape);
          for (uint32_t k = 0; k < parent.members_count; ++k) {
            if (model.members[parent.members_begin + k].name == o.member) {
              member_names_[parent.members_begin + k] = o.name;
            }
          }
          break;
        }
      }
    }
  }
  for (size_t i = 0; i < member_names_.size(); ++i) {
    if (!member_names_[i].empty()) continue;
    const Member& m = model.members[i];
    if (!m.location_name.empty()) {
      member_names_[i] = m.location_name;
    } else if (!shape_names_[m.shape].empty()) {
      member_names_[i] = shape_names_[m.shape];
    } else {
      member_names_[i] = m.name;
    }
  }
}

const QueryDialect& QueryDialect::For(const ServiceModel& model) {
  // A handful of models per process: a linear scan under a mutex, entries never freed.
  static std::mutex mu;
  static std::vector<std::unique_ptr<QueryDialect>>* dialects =
      new std::vector<std::unique_ptr<QueryDialect>>();
  std::lock_guard<std::mutex> lock(mu);
  for (const auto& d : *dialects) {
    if (&d->model_ == &model) return *d;
  }
  dialects->push_back(std::unique_ptr<QueryDialect>(new QueryDialect(model)));
  return *dialects->back();
}

std::string_view QueryDialect::MemberName(const Member& member) const {
  return member_names_[static_cast<size_t>(&member - model_.members.data())];
}

bool QueryDialect::Flattened(const Member& member) const {
  return member.xml_flattened || model_.shape(member.shape).flattened;
}

std::string_view QueryDialect::FlattenedListName(const Member& member) const {
  std::string_view element = list_member_names_[member.shape];
  return element.empty() ? MemberName(member) : element;
}

std::string_view QueryDialect::ListElementName(uint16_t list_shape) const {
  std::string_view element = list_member_names_[list_shape];
  return element.empty() ? std::string_view("member") : element;
}

std::string_view QueryDialect::MapKeyName(uint16_t map_shape) const {
  return map_key_names_[map_shape];
}

std::string_view QueryDialect::MapValueName(uint16_t map_shape) const {
  return map_value_names_[map_shape];
}

std::string QueryDialect::ResultWrapper(const model::Operation& op) const {
  if (op.output == model::kNoShape) return {};
  if (!op.result_wrapper.empty()) return std::string(op.result_wrapper);
  return legacy_sqs_ ? std::string(op.name) + "Result" : std::string();
}

std::string_view QueryDialect::ErrorMessage(std::string_view message) const {
  if (legacy_sqs_ && message == "The specified queue does not exist.") {
    return "The specified queue does not exist for this wsdl version.";
  }
  return message;
}

std::string QueryDialect::JsonMemberName(const Member& member) const {
  std::string name(member.name);
  if (legacy_sqs_ && !name.empty() && model_.shape(member.shape).type == ShapeType::kList) {
    name[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(name[0])));
  }
  return name;
}

}  // namespace tidepool::protocol::query_codec
