#include "services/apigateway/documentation.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace tidepool::apigateway {
namespace {
namespace json = boost::json;

Result<json::object> Canonical(std::string_view location) {
  json::value v = json::parse(location);
  return CanonicalDocumentationLocation(&v);
}

TEST(DocumentationLocationTest, FillsDefaultsOfTheType) {
  auto method = Canonical(R"({"type":"METHOD"})");
  ASSERT_TRUE(method.ok()) << method.status().message();
  EXPECT_EQ(json::value(*method), json::parse(R"({"type":"METHOD","path":"/","method":"*"})"));
  auto response = Canonical(R"({"type":"RESPONSE","path":"/pets","method":"GET"})");
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(DescribeDocumentationLocation(*response),
            "type 'RESPONSE', path '/pets', method 'GET', statusCode '*'");
  auto api = Canonical(R"({"type":"API","path":null})");
  ASSERT_TRUE(api.ok());
  EXPECT_EQ(json::value(*api), json::parse(R"({"type":"API"})"));
  auto body = Canonical(R"({"type":"REQUEST_BODY","method":"POST"})");
  ASSERT_TRUE(body.ok());
  EXPECT_FALSE(body->contains("name"));
}

TEST(DocumentationLocationTest, RefusesWhatTheTypeDoesNotTake) {
  EXPECT_EQ(Canonical(R"({"type":"API","method":"GET"})").status().message(),
            "Invalid documentation part location: 'method' is not a valid field for type 'API'");
  EXPECT_EQ(Canonical(R"({"type":"MODEL"})").status().message(),
            "Invalid documentation part location: 'name' is required for type 'MODEL'");
  EXPECT_EQ(Canonical(R"({"type":"METHOD","statusCode":"200"})").status().message(),
            "Invalid documentation part location: 'statusCode' is not a valid field for type "
            "'METHOD'");
  EXPECT_FALSE(Canonical(R"({"type":"RESPONSE","statusCode":"600"})").ok());
  EXPECT_FALSE(Canonical(R"({"type":"RESOURCE","path":"pets"})").ok());
  EXPECT_FALSE(Canonical(R"({"type":"NOPE"})").ok());
  EXPECT_FALSE(Canonical(R"({"path":"/"})").ok());
  EXPECT_FALSE(Canonical(R"({"type":"METHOD","path":7})").ok());
  EXPECT_FALSE(CanonicalDocumentationLocation(nullptr).ok());
}

TEST(DocumentationPropertiesTest, MustBeAJsonObjectAsText) {
  json::value good = "{\"description\":\"x\"}", array = "[1]", bad = "{", number = 3;
  EXPECT_TRUE(CheckDocumentationProperties(&good).ok());
  EXPECT_FALSE(CheckDocumentationProperties(&array).ok());
  EXPECT_FALSE(CheckDocumentationProperties(&bad).ok());
  EXPECT_FALSE(CheckDocumentationProperties(&number).ok());
  EXPECT_FALSE(CheckDocumentationProperties(nullptr).ok());
}

TEST(DocumentationFilterTest, MatchesTypeNamePathAndStatus) {
  json::object part = json::parse(
                          R"({"id":"a","location":{"type":"QUERY_PARAMETER","path":"/pets",
                              "method":"GET","name":"limit"},"properties":"{}"})")
                          .as_object();
  auto match = [&](std::string_view input) {
    auto filter = DocumentationFilterOf(json::parse(input).as_object());
    EXPECT_TRUE(filter.ok());
    return DocumentationPartMatches(part, *filter);
  };
  EXPECT_TRUE(match(R"({"type":"QUERY_PARAMETER","nameQuery":"lim","path":"/pets"})"));
  EXPECT_FALSE(match(R"({"type":"METHOD"})"));
  EXPECT_FALSE(match(R"({"path":"/"})"));
  EXPECT_FALSE(match(R"({"nameQuery":"offset"})"));
  EXPECT_TRUE(match(R"({"locationStatus":"UNDOCUMENTED"})"));
  EXPECT_FALSE(match(R"({"locationStatus":"DOCUMENTED"})"));
  EXPECT_FALSE(DocumentationFilterOf(json::parse(R"({"type":"X"})").as_object()).ok());
  EXPECT_FALSE(DocumentationFilterOf(json::parse(R"({"locationStatus":"X"})").as_object()).ok());
}

std::string CountingId(size_t) {
  static int next = 0;
  return "id" + std::to_string(next++);
}

TEST(DocumentationImportTest, ReadsPartsAndWarnsAboutBadOnes) {
  json::object definition = json::parse(R"({"x-amazon-apigateway-documentation": {
      "version": "1.0", "documentationParts": [
        {"location": {"type": "API"}, "properties": {"description": "the API"}},
        {"location": {"type": "MODEL"}, "properties": {}},
        {"location": {"type": "API"}, "properties": {"description": "again"}},
        {"location": {"type": "METHOD", "path": "/pets", "method": "GET"},
         "properties": {"summary": "list"}}]}})")
                                .as_object();
  auto imported = ReadDocumentationExtension(definition);
  ASSERT_TRUE(imported.ok());
  EXPECT_EQ(imported->version, "1.0");
  ASSERT_EQ(imported->parts.size(), 2u);
  EXPECT_EQ(imported->parts[0].at("properties"), json::value("{\"description\":\"the API\"}"));
  ASSERT_EQ(imported->warnings.size(), 2u);
  EXPECT_EQ(imported->warnings[0],
            "documentationParts[1]: Invalid documentation part location: 'name' is required for "
            "type 'MODEL'");

  json::object parts;
  auto first = MergeDocumentationParts(parts, imported->parts, false, &CountingId);
  ASSERT_EQ(first.size(), 2u);
  // Merging again keeps the ids of parts at the same locations; overwrite drops the rest.
  parts["other"] = json::parse(R"({"id":"other","location":{"type":"RESOURCE","path":"/"},
                                   "properties":"{}"})");
  EXPECT_EQ(MergeDocumentationParts(parts, imported->parts, false, &CountingId), first);
  EXPECT_EQ(parts.size(), 3u);
  MergeDocumentationParts(parts, {imported->parts[1]}, true, &CountingId);
  EXPECT_EQ(parts.size(), 1u);
}

TEST(DocumentationExportTest, WritesPartsIntoTheDocument) {
  json::object exported = json::parse(R"({"openapi":"3.0.1","info":{"title":"t"},"paths":{
      "/pets":{"get":{"parameters":[{"name":"limit","in":"query"}],
                      "responses":{"200":{"description":"200 response"}}}}}})")
                              .as_object();
  json::object parts = json::parse(R"({
      "a":{"location":{"type":"API"},"properties":"{\"info\":{\"description\":\"d\"}}"},
      "b":{"location":{"type":"METHOD","path":"/pets","method":"*"},
           "properties":"{\"summary\":\"list\"}"},
      "c":{"location":{"type":"QUERY_PARAMETER","path":"/pets","method":"GET","name":"limit"},
           "properties":"{\"description\":\"how many\"}"},
      "d":{"location":{"type":"RESPONSE","path":"/pets","method":"GET","statusCode":"200"},
           "properties":"{\"description\":\"the pets\"}"}})")
                           .as_object();
  ApplyDocumentationToExport(parts, false, exported);
  EXPECT_EQ(exported["info"], json::parse(R"({"title":"t","description":"d"})"));
  const json::object& get = exported["paths"].at("/pets").at("get").as_object();
  EXPECT_EQ(get.at("summary"), json::value("list"));
  EXPECT_EQ(get.at("parameters").at(0).at("description"), json::value("how many"));
  EXPECT_EQ(get.at("responses").at("200").at("description"), json::value("the pets"));

  json::object version{{"version", "v1"}, {"createdDate", 5}, {"parts", parts}};
  json::object ext = DocumentationExtension(version);
  EXPECT_EQ(ext.at("version"), json::value("v1"));
  const json::array& listed = ext.at("documentationParts").as_array();
  ASSERT_EQ(listed.size(), 4u);
  EXPECT_EQ(listed[0].at("location").at("type"), json::value("API"));
  EXPECT_EQ(listed[1].at("location").at("type"), json::value("METHOD"));
  EXPECT_EQ(listed[0].at("properties"), json::parse(R"({"info":{"description":"d"}})"));
}

}  // namespace
}  // namespace tidepool::apigateway
