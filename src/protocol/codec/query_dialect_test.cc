#include "protocol/codec/query_dialect.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "protocol/model/models.h"

namespace tidepool::protocol::query_codec {
namespace {

namespace json = boost::json;

const model::Member* FindMember(const model::ServiceModel& m, std::string_view shape,
                                std::string_view member) {
  uint16_t s = m.FindShape(shape);
  if (s == model::kNoShape) return nullptr;
  for (const model::Member& mm : m.MembersOf(m.shape(s))) {
    if (mm.name == member) return &mm;
  }
  return nullptr;
}

TEST(QueryDialectTest, SnsUsesItsModel) {
  const QueryDialect& d = QueryDialect::For(model::SnsModel());
  EXPECT_EQ(&d, &QueryDialect::For(model::SnsModel()));
  EXPECT_TRUE(d.speaks_query());
  EXPECT_FALSE(d.legacy_sqs());
  EXPECT_TRUE(d.pretty_xml());
  EXPECT_EQ(d.xml_namespace(), "http://sns.amazonaws.com/doc/2010-03-31/");
  const model::Member* attrs = FindMember(model::SnsModel(), "PublishInput", "MessageAttributes");
  ASSERT_NE(attrs, nullptr);
  EXPECT_EQ(d.MemberName(*attrs), "MessageAttributes");
  EXPECT_FALSE(d.Flattened(*attrs));
  EXPECT_EQ(d.MapKeyName(attrs->shape), "Name");
  EXPECT_EQ(d.MapValueName(attrs->shape), "Value");
  const model::Member* tags = FindMember(model::SnsModel(), "CreateTopicInput", "Tags");
  ASSERT_NE(tags, nullptr);
  EXPECT_EQ(d.ListElementName(tags->shape), "member");
  const model::Member* topic_attrs =
      FindMember(model::SnsModel(), "CreateTopicInput", "Attributes");
  ASSERT_NE(topic_attrs, nullptr);
  EXPECT_EQ(d.MapKeyName(topic_attrs->shape), "key");
  EXPECT_EQ(d.MapValueName(topic_attrs->shape), "value");
}

TEST(QueryDialectTest, SqsRestoresQueryNames) {
  const QueryDialect& d = QueryDialect::For(model::SqsModel());
  EXPECT_TRUE(d.speaks_query());
  EXPECT_TRUE(d.legacy_sqs());
  EXPECT_FALSE(d.pretty_xml());
  EXPECT_TRUE(d.error_detail());
  EXPECT_EQ(d.xml_namespace(), "http://queue.amazonaws.com/doc/2012-11-05/");
  const model::Member* names =
      FindMember(model::SqsModel(), "ReceiveMessageRequest", "AttributeNames");
  ASSERT_NE(names, nullptr);
  EXPECT_TRUE(d.Flattened(*names));
  EXPECT_EQ(d.FlattenedListName(*names), "AttributeName");
  const model::Member* tags = FindMember(model::SqsModel(), "TagQueueRequest", "Tags");
  ASSERT_NE(tags, nullptr);
  EXPECT_EQ(d.MemberName(*tags), "Tag");  // from the map shape's own locationName
  EXPECT_EQ(d.MapKeyName(tags->shape), "Key");
  const model::Member* system = FindMember(model::SqsModel(), "Message", "Attributes");
  ASSERT_NE(system, nullptr);
  EXPECT_EQ(d.MemberName(*system), "Attribute");
  EXPECT_EQ(d.MapKeyName(system->shape), "Name");
}

TEST(QueryDialectTest, KinesisDoesNotSpeakQuery) {
  EXPECT_FALSE(QueryDialect::For(model::KinesisModel()).speaks_query());
}

// Every name the query-era SQS model gives matches the dialect's (see query_botocore_test.cc
// for where the model comes from).
TEST(QueryDialectTest, SqsNamesMatchTheQueryEraModel) {
  std::string path;
  if (const char* p = std::getenv("TIDEPOOL_SQS_QUERY_MODEL")) path = p;
  if (path.empty()) {
    path = "/usr/lib/google-cloud-sdk/lib/third_party/botocore/data/sqs/2012-11-05/service-2.json";
  }
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "no query-protocol SQS model";
  std::stringstream text;
  text << std::ifstream(path).rdbuf();
  json::object old = json::parse(text.str()).as_object();
  const json::object& shapes = old.at("shapes").as_object();
  const model::ServiceModel& sqs = model::SqsModel();
  const QueryDialect& d = QueryDialect::For(sqs);
  auto str = [](const json::object& o, std::string_view k) -> std::string {
    const json::value* v = o.if_contains(k);
    return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
  };
  auto flag = [](const json::object& o, std::string_view k) {
    const json::value* v = o.if_contains(k);
    return v != nullptr && v->is_bool() && v->as_bool();
  };
  int checked = 0;
  for (const auto& [name, value] : shapes) {
    const json::object& shape = value.as_object();
    uint16_t index = sqs.FindShape(name);
    if (index == model::kNoShape) continue;
    std::string type = str(shape, "type");
    if (type == "list") {
      std::string element = str(shape.at("member").as_object(), "locationName");
      EXPECT_EQ(d.ListElementName(index), element.empty() ? "member" : element) << name;
      ++checked;
    } else if (type == "map") {
      std::string k = str(shape.at("key").as_object(), "locationName");
      std::string v = str(shape.at("value").as_object(), "locationName");
      EXPECT_EQ(d.MapKeyName(index), k.empty() ? "key" : k) << name;
      EXPECT_EQ(d.MapValueName(index), v.empty() ? "value" : v) << name;
      ++checked;
    } else if (type == "structure") {
      for (const auto& [member_name, mv] : shape.at("members").as_object()) {
        const model::Member* m = FindMember(sqs, name, member_name);
        if (m == nullptr) continue;
        const json::object& ref = mv.as_object();
        const json::object& target = shapes.at(str(ref, "shape")).as_object();
        std::string want = str(ref, "locationName");
        if (want.empty()) want = str(target, "locationName");
        if (want.empty()) want = std::string(member_name);
        EXPECT_EQ(d.MemberName(*m), want) << name << "." << member_name;
        EXPECT_EQ(d.Flattened(*m), flag(ref, "flattened") || flag(target, "flattened"))
            << name << "." << member_name;
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 100);
}

}  // namespace
}  // namespace tidepool::protocol::query_codec
