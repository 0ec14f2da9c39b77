// Mapping templates against what API Gateway documents for $input, $util, #foreach, #if.
#include "services/apigateway/mapping_template.h"

#include <gtest/gtest.h>
#include <boost/json.hpp>

namespace tidepool::apigateway {
namespace {
namespace json = boost::json;

std::string Render(std::string_view text, const MappingInput& input) {
  auto out = RenderMappingTemplate(text, input);
  EXPECT_TRUE(out.ok()) << out.status().ToString();
  return out.ok() ? *out : std::string();
}

MappingInput PetsInput() {
  MappingInput in;
  in.body =
      R"({"pets":[{"id":1,"type":"dog","price":249.99},{"id":2,"type":"cat","price":124.99}],"name":"O'Hara \"x\""})";
  in.path_parameters = {{"petId", "7"}};
  in.query = {{"q", "search"}};
  in.headers = {{"X-Header", "h"}};
  in.context = json::object{
      {"requestId", "rid"}, {"stage", "dev"}, {"identity", json::object{{"sourceIp", "1.2.3.4"}}}};
  in.stage_variables = json::object{{"env", "test"}};
  return in;
}

TEST(MappingTemplateTest, InputJsonPathAndParams) {
  MappingInput in = PetsInput();
  EXPECT_EQ(Render("$input.json('$.pets[0]')", in), R"({"id":1,"type":"dog","price":249.99})");
  EXPECT_EQ(Render("$input.json('$.pets[1].type')", in), R"("cat")");
  EXPECT_EQ(Render("$input.path('$.pets[1].type')", in), "cat");
  EXPECT_EQ(Render("$input.path('$.pets').size()", in), "2");
  EXPECT_EQ(Render("$input.params('petId')/$input.params('q')/$input.params('x-header')", in),
            "7/search/h");
  EXPECT_EQ(Render("[$input.params('nope')]", in), "[]");
  EXPECT_EQ(Render("$input.params().path.petId", in), "7");
  EXPECT_EQ(Render("$context.requestId $context.identity.sourceIp $stageVariables.env", in),
            "rid 1.2.3.4 test");
  EXPECT_EQ(Render("$input.body", in), in.body);
}

TEST(MappingTemplateTest, ForeachWithHasNext) {
  MappingInput in = PetsInput();
  const char* text =
      "[\n"
      "#foreach($pet in $input.path('$.pets'))\n"
      "  {\"id\": $pet.id, \"kind\": \"$pet.type\"}#if($foreach.hasNext),#end\n"
      "\n"
      "#end\n"
      "]";
  std::string out = Render(text, in);
  json::value v = json::parse(out);
  EXPECT_EQ(json::serialize(v), R"([{"id":1,"kind":"dog"},{"id":2,"kind":"cat"}])") << out;
}

TEST(MappingTemplateTest, SetIfElseAndOperators) {
  MappingInput in = PetsInput();
  EXPECT_EQ(Render("#set($n = $input.path('$.pets').size())#if($n > 1)many#elseif($n == 1)one"
                   "#{else}none#end",
                   in),
            "many");
  EXPECT_EQ(Render("#set($x = 2 * 3 + 1)$x #set($s = \"v=$x\")$s", in), "7 v=7");
  EXPECT_EQ(Render("#if($missing)yes#{else}no#end $!missing $missing", in), "no  $missing");
  EXPECT_EQ(Render("#if(!$missing && 'a' == 'a' || false)ok#end", in), "ok");
  EXPECT_EQ(Render("#foreach($i in [1..3])$i#end", in), "123");
  EXPECT_EQ(Render("#set($m = {'a': 1, 'b': [true, null]})$m.a $m.keySet()", in), "1 [a, b]");
  EXPECT_EQ(Render("## comment\n#* block *#x", in), "x");
}

TEST(MappingTemplateTest, Util) {
  MappingInput in = PetsInput();
  EXPECT_EQ(Render("$util.escapeJavaScript($input.path('$.name'))", in), R"(O\'Hara \"x\")");
  EXPECT_EQ(Render("$util.urlEncode('a b&c')|$util.urlDecode('a+b%26c')", in), "a+b%26c|a b&c");
  EXPECT_EQ(Render("$util.base64Encode('hi')|$util.base64Decode('aGk=')", in), "aGk=|hi");
  EXPECT_EQ(Render("#set($o = $util.parseJson('{\"k\":[1,2]}'))$o.k[1]", in), "2");
  EXPECT_EQ(Render("$input.path('$.name').replaceAll(\"'\", '-').toUpperCase()", in),
            "O-HARA \"X\"");
}

TEST(MappingTemplateTest, DirectiveLinesRenderNothing) {
  MappingInput in = PetsInput();
  EXPECT_EQ(Render("{\n  #set($a = 1)\n  \"a\": $a\n}", in), "{\n  \"a\": 1\n}");
}

TEST(MappingTemplateTest, RefusesBrokenTemplates) {
  EXPECT_FALSE(CheckMappingTemplate("#if($a)x").ok());
  EXPECT_FALSE(CheckMappingTemplate("#end").ok());
  EXPECT_FALSE(CheckMappingTemplate("#set($a = )").ok());
  EXPECT_FALSE(CheckMappingTemplate("${a").ok());
  EXPECT_TRUE(CheckMappingTemplate("price: $5 # not a directive").ok());
  MappingInput in;
  EXPECT_FALSE(RenderMappingTemplate("#foreach($i in [1..100000000])#end", in).ok());
}

}  // namespace
}  // namespace tidepool::apigateway

namespace tidepool::apigateway {
namespace {

TEST(MappingTemplateTest, ResponseOfAFunction) {
  MappingInput in;
  in.body = R"({"got":{"a":1},"items":[{"id":1,"n":"a"},{"id":2,"n":"b"}]})";
  EXPECT_EQ(Render("#set($r = $input.path('$'))\n{\"echo\": $input.json('$.got'), \"ids\": "
                   "[#foreach($i in $r.items)$i.id#if($foreach.hasNext),#end#end]}",
                   in),
            R"({"echo": {"a":1}, "ids": [1,2]})");
}

}  // namespace
}  // namespace tidepool::apigateway
