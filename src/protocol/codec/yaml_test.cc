#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>

#include "protocol/codec/yaml_reader.h"
#include "protocol/codec/yaml_writer.h"

namespace tidepool::protocol::yaml {
namespace {
namespace json = boost::json;

json::value Parse(std::string_view text, const YamlOptions& options = {}) {
  auto parsed = ParseYaml(text, options);
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
  return parsed.ok() ? *parsed : json::value();
}

std::string Error(std::string_view text, const YamlOptions& options = {}) {
  auto parsed = ParseYaml(text, options);
  EXPECT_FALSE(parsed.ok()) << text;
  return parsed.ok() ? "" : parsed.status().message();
}

TEST(YamlReader, CoreSchemaScalars) {
  json::value v = Parse(
      "a: 1\nb: -7\nc: 0x1f\nd: 0o17\ne: 1.5\nf: .5e1\ng: true\nh: False\ni: ~\nj:\n"
      "k: '1'\nl: \"true\"\nm: yes\nn: .inf\no: 3.0.1\np: 18446744073709551615\n");
  EXPECT_EQ(v, json::parse(R"({"a":1,"b":-7,"c":31,"d":15,"e":1.5,"f":5.0,"g":true,"h":false,
      "i":null,"j":null,"k":"1","l":"true","m":"yes","n":".inf","o":"3.0.1",
      "p":18446744073709551615})"));
}

TEST(YamlReader, KeysAreTextAndBlockAndFlowStylesMix) {
  json::value v = Parse(
      "paths:\n  /pets/{id}:\n    get:\n      responses:\n        200:\n          description: ok\n"
      "list: [a, 'b c', {x: 1}]\ntext: |\n  line1\n  line2\nfolded: >\n  a\n  b\n");
  EXPECT_EQ(v.at("paths").at("/pets/{id}").at("get").at("responses").at("200").at("description"),
            "ok");
  EXPECT_EQ(v.at("list"), json::parse(R"(["a","b c",{"x":1}])"));
  EXPECT_EQ(v.at("text"), "line1\nline2\n");
  EXPECT_EQ(v.at("folded"), "a b\n");
}

TEST(YamlReader, StandardTags) {
  EXPECT_EQ(Parse("a: !!str 12\nb: !!int '12'\nc: !!float 1\n"),
            json::parse(R"({"a":"12","b":12,"c":1.0})"));
  EXPECT_NE(Error("a: !!int x").find("not a valid !!int"), std::string::npos);
}

TEST(YamlReader, AnchorsAliasesAndMergeKeys) {
  json::value v = Parse(
      "base: &b {x: 1, y: 2}\nuse: *b\nmerged:\n  <<: *b\n  y: 3\nlate:\n  y: 4\n  <<: [*b]\n");
  EXPECT_EQ(v.at("use"), json::parse(R"({"x":1,"y":2})"));
  EXPECT_EQ(v.at("merged"), json::parse(R"({"x":1,"y":3})"));
  EXPECT_EQ(v.at("late"), json::parse(R"({"y":4,"x":1})"));
  EXPECT_NE(Error("a: *nope").find("unknown anchor"), std::string::npos);
}

TEST(YamlReader, RefusesWithPosition) {
  EXPECT_EQ(Error("a: 1\na: 2\n"), "YAML: duplicate mapping key 'a' at line 2, column 1");
  EXPECT_NE(Error("a: [1, 2\nb: 3").find("line "), std::string::npos);
  EXPECT_NE(Error("a: 1\n---\nb: 2\n").find("single document"), std::string::npos);
  EXPECT_NE(Error("? [a]\n: 1\n").find("complex mapping keys"), std::string::npos);
  EXPECT_EQ(Error("a: !Ref b\n"), "YAML: tag !Ref is not supported at line 1, column 4");
}

TEST(YamlReader, BillionLaughsAndDepthAreBounded) {
  std::string doc = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
  for (int i = 1; i < 10; ++i) {
    std::string prev = "*a" + std::to_string(i - 1);
    doc += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [" + prev;
    for (int j = 0; j < 9; ++j) doc += ", " + prev;
    doc += "]\n";
  }
  EXPECT_NE(Error(doc).find("too large once expanded"), std::string::npos);
  EXPECT_NE(Error(std::string(100, '[') + std::string(100, ']')).find("nesting too deep"),
            std::string::npos);
  EXPECT_TRUE(Parse("").is_null());
}

TEST(YamlReader, CloudFormationShortForms) {
  YamlOptions options;
  options.on_tag = CloudFormationShortForm;
  json::value v = Parse(
      "a: !Ref Bucket\nb: !GetAtt Fn.Arn\nc: !Sub 'arn:${AWS::Region}'\n"
      "d: !Join ['', [!Ref A, x]]\ne: !If\n  - Cond\n  - !GetAtt [R, Out.Value]\n  - 1\n"
      "f: !Condition IsProd\ng: !GetAZs ''\n",
      options);
  EXPECT_EQ(v, json::parse(R"({"a":{"Ref":"Bucket"},"b":{"Fn::GetAtt":["Fn","Arn"]},
      "c":{"Fn::Sub":"arn:${AWS::Region}"},"d":{"Fn::Join":["",[{"Ref":"A"},"x"]]},
      "e":{"Fn::If":["Cond",{"Fn::GetAtt":["R","Out.Value"]},1]},"f":{"Condition":"IsProd"},
      "g":{"Fn::GetAZs":""}})"));
  EXPECT_NE(Error("a: !Bogus x\n", options).find("unknown tag !Bogus"), std::string::npos);
  EXPECT_NE(Error("a: !GetAtt NoDot\n", options).find("Resource.Attribute"), std::string::npos);
}

TEST(YamlReader, CustomHandlerSeesMappingsAndSequences) {
  YamlOptions options;
  std::string seen;
  options.on_tag = [&](std::string_view tag, json::value node) -> Result<json::value> {
    seen += std::string(tag) + (node.is_object() ? "{}" : node.is_array() ? "[]" : "s") + " ";
    return json::value(json::object{{std::string(tag), std::move(node)}});
  };
  json::value v = Parse("a: !M {x: 1}\nb: !S [1]\nc: !T t\n", options);
  EXPECT_EQ(seen, "!M{} !S[] !Ts ");
  EXPECT_EQ(v.at("a"), json::parse(R"({"!M":{"x":1}})"));
}

TEST(YamlWriter, RoundTrips) {
  const char* cases[] = {
      R"({"openapi":"3.0.1","info":{"title":"t: x","version":"1.0"},"paths":{"/a/{b}":{
          "get":{"responses":{"200":{"description":"ok"}},"x-list":[1,-2.5,true,null,"",
          "yes","- dash","#hash","multi\nline"," lead","null","0x1",[],{},[[1,2],{"k":[3]}],
          [{"a":1,"b":{"c":[]}}]]}}}})",
      R"([1,"two",{"three":3}])",
      R"("plain")",
      R"({})",
      R"({"unicode":"héllo \u0001","quote":"it's \"q\"","colon:":"a:b"})",
  };
  for (const char* c : cases) {
    json::value value = json::parse(c);
    std::string text = WriteYaml(value);
    EXPECT_EQ(Parse(text), value) << text;
  }
  EXPECT_EQ(WriteYaml(json::parse(R"({"a":{"b":[1,{"c":"d","e":"f"}]},"g":"1"})")),
            "a:\n  b:\n    - 1\n    - c: d\n      e: f\ng: \"1\"\n");
}

}  // namespace
}  // namespace tidepool::protocol::yaml
