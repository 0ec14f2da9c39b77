#include "services/apigateway/api_key_csv.h"

#include <gtest/gtest.h>

namespace tidepool::apigateway {
namespace {

constexpr std::string_view kKey1 = "apikey1234abcdefghij0123456789";
constexpr std::string_view kKey2 = "apikey1234abcdefghij9876543210";

TEST(ApiKeyCsvTest, TheDocumentedExamples) {
  auto file = ParseApiKeyCsv("Key,name\napikey1234abcdefghij0123456789,MyFirstApiKey\n");
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  ASSERT_EQ(file->keys.size(), 1u);
  EXPECT_EQ(file->keys[0].value, kKey1);
  EXPECT_EQ(file->keys[0].name, "MyFirstApiKey");
  EXPECT_TRUE(file->keys[0].enabled);
  EXPECT_EQ(file->keys[0].description, "");

  file = ParseApiKeyCsv(
      "Name,key,description,Enabled,usageplanIds\r\n"
      "MyFirstApiKey,apikey1234abcdefghij0123456789,An imported key,FALSE,c7y23b\r\n");
  ASSERT_TRUE(file.ok());
  ASSERT_EQ(file->keys.size(), 1u);
  EXPECT_EQ(file->keys[0].description, "An imported key");
  EXPECT_FALSE(file->keys[0].enabled);
  EXPECT_EQ(file->keys[0].usage_plan_ids, std::vector<std::string>{"c7y23b"});

  file = ParseApiKeyCsv(
      "Enabled,Name,key,UsageplanIds\n"
      "true,MyFirstApiKey,apikey1234abcdefghij0123456789,\"c7y23b,glvrsr\"\n"
      "true,Second,apikey1234abcdefghij9876543210,'a1, b2'\n");
  ASSERT_TRUE(file.ok());
  ASSERT_EQ(file->keys.size(), 2u);
  EXPECT_EQ(file->keys[0].usage_plan_ids, (std::vector<std::string>{"c7y23b", "glvrsr"}));
  EXPECT_EQ(file->keys[1].value, kKey2);
  EXPECT_EQ(file->keys[1].usage_plan_ids, (std::vector<std::string>{"a1", "b2"}));
  EXPECT_TRUE(file->warnings.empty());
}

TEST(ApiKeyCsvTest, BadRowsAreWarningsNamingTheirLine) {
  auto file = ParseApiKeyCsv(
      "name,key,enabled\n"
      "short,tooshort,true\n"
      "\n"
      "ok,apikey1234abcdefghij0123456789,yes\n"
      "ok,apikey1234abcdefghij0123456789,true,extra\n"
      "good,\"apikey1234abcdefghij0123456789\",\n");
  ASSERT_TRUE(file.ok());
  ASSERT_EQ(file->keys.size(), 1u);
  EXPECT_EQ(file->keys[0].name, "good");
  EXPECT_EQ(file->keys[0].line, 6u);
  ASSERT_EQ(file->warnings.size(), 3u);
  EXPECT_EQ(file->warnings[0].rfind("Line 2:", 0), 0u) << file->warnings[0];
  EXPECT_EQ(file->warnings[1].rfind("Line 4:", 0), 0u) << file->warnings[1];
  EXPECT_EQ(file->warnings[2].rfind("Line 5:", 0), 0u) << file->warnings[2];
}

TEST(ApiKeyCsvTest, QuotesEscapeThemselvesAndMustClose) {
  auto file = ParseApiKeyCsv("name,key\n\"say \"\"hi\"\", ok\",apikey1234abcdefghij0123456789\n");
  ASSERT_TRUE(file.ok());
  ASSERT_EQ(file->keys.size(), 1u);
  EXPECT_EQ(file->keys[0].name, "say \"hi\", ok");
  EXPECT_FALSE(ParseApiKeyCsv("name,key\n\"open,apikey1234abcdefghij0123456789\n").ok());
}

TEST(ApiKeyCsvTest, TheHeaderMustNameNameAndKey) {
  EXPECT_FALSE(ParseApiKeyCsv("").ok());
  EXPECT_FALSE(ParseApiKeyCsv("key,description\napikey1234abcdefghij0123456789,x\n").ok());
  EXPECT_TRUE(ParseApiKeyCsv(" KEY , Name \n").ok());
}

}  // namespace
}  // namespace tidepool::apigateway
