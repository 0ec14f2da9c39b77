#include "services/apigateway/patch.h"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "protocol/model/models.h"

namespace tidepool::apigateway {
namespace {
namespace json = boost::json;

Status Apply(std::string_view shape, json::object& target, std::vector<PatchOperation> ops) {
  const auto& model = protocol::model::ApiGatewayModel();
  return ApplyPatch(model, model.FindShape(shape), ops, target);
}

PatchOperation Op(std::string op, std::string path, std::string value = "", bool has = true) {
  return PatchOperation{std::move(op), std::move(path), std::move(value), has, ""};
}

TEST(PatchTest, ReplacesScalarsWithTheirTypes) {
  json::object api{{"id", "a1"}, {"name", "old"}};
  ASSERT_TRUE(Apply("RestApi", api,
                    {Op("replace", "/name", "new"), Op("replace", "/minimumCompressionSize", "10"),
                     Op("replace", "/disableExecuteApiEndpoint", "true")})
                  .ok());
  EXPECT_EQ(api.at("name"), "new");
  EXPECT_EQ(api.at("minimumCompressionSize"), 10);
  EXPECT_EQ(api.at("disableExecuteApiEndpoint"), true);
}

TEST(PatchTest, ListsOfStringsByPathOrValue) {
  json::object api{{"id", "a1"}};
  ASSERT_TRUE(Apply("RestApi", api, {Op("add", "/binaryMediaTypes/image~1png", "", false)}).ok());
  ASSERT_TRUE(
      Apply("RestApi", api, {Op("add", "/binaryMediaTypes/application~1octet-stream", "", false)})
          .ok());
  EXPECT_EQ(json::serialize(api.at("binaryMediaTypes")),
            R"(["image/png","application/octet-stream"])");
  ASSERT_TRUE(
      Apply("RestApi", api, {Op("remove", "/binaryMediaTypes/image~1png", "", false)}).ok());
  EXPECT_EQ(json::serialize(api.at("binaryMediaTypes")), R"(["application/octet-stream"])");
}

TEST(PatchTest, MapsAddReplaceRemove) {
  json::object stage{{"stageName", "dev"}};
  ASSERT_TRUE(Apply("Stage", stage, {Op("replace", "/variables/env", "prod")}).ok());
  EXPECT_EQ(stage.at("variables").at("env"), "prod");
  ASSERT_TRUE(Apply("Stage", stage, {Op("remove", "/variables/env")}).ok());
  EXPECT_TRUE(stage.at("variables").as_object().empty());
  ASSERT_TRUE(
      Apply("Stage", stage, {Op("replace", "/methodSettings/*~1*/throttlingRateLimit", "2.5")})
          .ok());
  EXPECT_EQ(stage.at("methodSettings").at("*/*").at("throttlingRateLimit"), 2.5);
}

TEST(PatchTest, RefusesBadPathsAndValues) {
  json::object api{{"id", "a1"}};
  EXPECT_FALSE(Apply("RestApi", api, {Op("replace", "/nope", "x")}).ok());
  EXPECT_FALSE(Apply("RestApi", api, {Op("replace", "/id", "x")}).ok());
  EXPECT_FALSE(Apply("RestApi", api, {Op("replace", "name", "x")}).ok());
  EXPECT_FALSE(Apply("RestApi", api, {Op("replace", "/minimumCompressionSize", "ten")}).ok());
  EXPECT_FALSE(Apply("RestApi", api, {Op("frobnicate", "/name", "x")}).ok());
  EXPECT_EQ(api.at("id"), "a1");
}

TEST(PatchTest, MoveAndCopy) {
  json::object stage{{"variables", json::object{{"a", "1"}}}};
  PatchOperation copy = Op("copy", "/variables/b");
  copy.from = "/variables/a";
  PatchOperation move = Op("move", "/variables/c");
  move.from = "/variables/a";
  ASSERT_TRUE(Apply("Stage", stage, {copy, move}).ok());
  EXPECT_EQ(json::serialize(stage.at("variables")), R"({"b":"1","c":"1"})");
}

}  // namespace
}  // namespace tidepool::apigateway
