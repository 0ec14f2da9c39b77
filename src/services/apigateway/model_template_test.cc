#include "services/apigateway/model_template.h"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "services/apigateway/mapping_template.h"

namespace tidepool::apigateway {
namespace {
namespace json = boost::json;

// The generated template rendered against `body`, parsed as JSON.
json::value RenderGenerated(std::string_view schema, std::string body,
                            const json::object& models = {}) {
  std::string text = GenerateModelTemplate(json::parse(schema), models);
  MappingInput input;
  input.body = std::move(body);
  auto out = RenderMappingTemplate(text, input);
  EXPECT_TRUE(out.ok()) << out.status().ToString() << "\n" << text;
  boost::system::error_code ec;
  json::value v = json::parse(out.ok() ? *out : "", ec);
  EXPECT_FALSE(ec) << "not JSON:\n" << (out.ok() ? *out : "") << "\nfrom:\n" << text;
  return v;
}

TEST(ModelTemplateTest, StringsAreQuotedNumbersAndBooleansAreNot) {
  std::string text = GenerateModelTemplate(
      json::parse(R"({"type":"object","properties":{"name":{"type":"string"},)"
                  R"("age":{"type":"integer"},"ok":{"type":"boolean"}}})"),
      {});
  EXPECT_EQ(text,
            "#set($inputRoot = $input.path('$'))\n"
            "{\n"
            "  \"name\" : \"$inputRoot.name\",\n"
            "  \"age\" : $inputRoot.age,\n"
            "  \"ok\" : $inputRoot.ok\n"
            "}");
}

TEST(ModelTemplateTest, NestedObjectsAndArraysRenderTheBodyBack) {
  constexpr std::string_view kSchema = R"({
    "type": "object",
    "properties": {
      "id": {"type": "number"},
      "owner": {"type": "object", "properties": {"name": {"type": "string"}}},
      "pets": {"type": "array", "items": {"$ref": "#/definitions/Pet"}},
      "tags": {"type": "array", "items": {"type": "string"}}
    },
    "definitions": {
      "Pet": {"type": "object", "properties": {"type": {"type": "string"},
                                               "price": {"type": "number"}}}
    }
  })";
  std::string body = R"({"id":7,"owner":{"name":"Ann"},"pets":[{"type":"dog","price":249.5},)"
                     R"({"type":"cat","price":124}],"tags":["a","b"]})";
  EXPECT_EQ(RenderGenerated(kSchema, body), json::parse(body));
}

TEST(ModelTemplateTest, ATopLevelArrayAndAReferenceToAnotherModel) {
  json::object models{
      {"Pet",
       json::object{{"name", "Pet"},
                    {"schema", R"({"type":"object","properties":{"id":{"type":"integer"}}})"}}}};
  constexpr std::string_view kSchema = R"({"type":"array","items":{
      "$ref":"https://apigateway.amazonaws.com/restapis/abc/models/Pet"}})";
  std::string body = R"([{"id":1},{"id":2}])";
  EXPECT_EQ(RenderGenerated(kSchema, body, models), json::parse(body));
}

TEST(ModelTemplateTest, ASelfReferenceStopsAtTheDepthLimit) {
  constexpr std::string_view kSchema =
      R"({"type":"object","properties":{"next":{"$ref":"#"},"a":{"$ref":"#/definitions/N"}},)"
      R"("definitions":{"N":{"type":"object","properties":{"n":{"$ref":"#/definitions/N"}}}}})";
  std::string text = GenerateModelTemplate(json::parse(kSchema), {});
  EXPECT_LT(text.size(), 4096u);
  EXPECT_NE(text.find("$inputRoot.a.n.n"), std::string::npos);
}

}  // namespace
}  // namespace tidepool::apigateway
