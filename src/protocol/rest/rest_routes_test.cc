#include "protocol/rest/rest_routes.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "protocol/codec/rest_json_codec.h"
#include "protocol/model/models.h"

namespace tidepool::protocol {
namespace {

namespace bhttp = boost::beast::http;
namespace json = boost::json;
using model::Operation;
using model::ServiceModel;

class ModelService : public Service {
 public:
  explicit ModelService(const ServiceModel& model) : model_(model) {}
  std::string_view Name() const override { return model_.endpoint_prefix; }
  const ServiceModel& Model() const override { return model_; }
  void Invoke(CallPtr) override {}
  boost::json::object Health() const override { return {}; }

 private:
  const ServiceModel& model_;
};

// An S3-like model: greedy labels and query-discriminated URIs.
constexpr Operation kObjectOps[] = {
    {"GetBucketVersioning", "GET", "/{Bucket}?versioning", 200, model::kNoShape, model::kNoShape,
     "", 0, 0},
    {"GetObject", "GET", "/{Bucket}/{Key+}", 200, model::kNoShape, model::kNoShape, "", 0, 0},
    {"GetObjectAcl", "GET", "/{Bucket}/{Key+}?acl", 200, model::kNoShape, model::kNoShape, "", 0,
     0},
    {"ListObjects", "GET", "/{Bucket}", 200, model::kNoShape, model::kNoShape, "", 0, 0},
};
constexpr model::Protocol kRestXml[] = {model::Protocol::kRestXml};
constexpr ServiceModel kObjectModel{"S3",
                                    "s3",
                                    "s3",
                                    "2006-03-01",
                                    "",
                                    "",
                                    "",
                                    model::Protocol::kRestXml,
                                    std::span(kRestXml),
                                    {},
                                    {},
                                    {},
                                    std::span(kObjectOps),
                                    {}};
// A second service whose only route clashes with ListObjects.
constexpr Operation kClashOps[] = {
    {"ListThings", "GET", "/{Name}", 200, model::kNoShape, model::kNoShape, "", 0, 0},
};
constexpr ServiceModel kClashModel{"Other",
                                   "other",
                                   "other",
                                   "2020-01-01",
                                   "",
                                   "",
                                   "",
                                   model::Protocol::kRestXml,
                                   std::span(kRestXml),
                                   {},
                                   {},
                                   {},
                                   std::span(kClashOps),
                                   {}};

TEST(RestRouteTable, LambdaRoutesByMethodPathAndQuery) {
  ModelService lambda(model::LambdaModel());
  RestRouteTable table;
  ASSERT_TRUE(table.AddService(lambda).ok());
  EXPECT_FALSE(table.AddService(lambda).ok());

  RestMatch m = table.Match(bhttp::verb::post, "/2015-03-31/functions/my-fn/invocations", "", "");
  ASSERT_NE(m.operation, nullptr);
  EXPECT_EQ(m.operation->name, "Invoke");
  ASSERT_EQ(m.labels.size(), 1u);
  EXPECT_EQ(m.labels[0].second, "my-fn");

  m = table.Match(bhttp::verb::get,
                  "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A1%3Afunction%3Af", "",
                  "lambda");
  ASSERT_NE(m.operation, nullptr);
  EXPECT_EQ(m.operation->name, "GetFunction");
  EXPECT_EQ(m.labels[0].second, "arn:aws:lambda:us-east-1:1:function:f");

  EXPECT_EQ(table.Match(bhttp::verb::get, "/2015-03-31/functions/", "", "").operation->name,
            "ListFunctions");
  EXPECT_EQ(table.Match(bhttp::verb::get, "/2018-10-31/layers", "find=LayerVersion&Arn=x", "")
                .operation->name,
            "GetLayerVersionByArn");
  EXPECT_EQ(table.Match(bhttp::verb::get, "/2018-10-31/layers", "", "").operation->name,
            "ListLayers");
  EXPECT_EQ(table.Match(bhttp::verb::put, "/2015-03-31/functions/f/invocations", "", "").service,
            nullptr);
  EXPECT_EQ(table.Match(bhttp::verb::get, "/nothing/here", "", "").service, nullptr);
}

TEST(RestRouteTable, GreedyLabelsQueryKeysAndSigningService) {
  ModelService objects(kObjectModel), clash(kClashModel);
  RestRouteTable table;
  ASSERT_TRUE(table.AddService(objects).ok());
  ASSERT_TRUE(table.AddService(clash).ok());

  RestMatch m = table.Match(bhttp::verb::get, "/b/a/b%20c/d", "", "s3");
  ASSERT_NE(m.operation, nullptr);
  EXPECT_EQ(m.operation->name, "GetObject");
  ASSERT_EQ(m.labels.size(), 2u);
  EXPECT_EQ(m.labels[1].second, "a/b c/d");
  EXPECT_EQ(table.Match(bhttp::verb::get, "/b/k", "acl", "s3").operation->name, "GetObjectAcl");
  EXPECT_EQ(table.Match(bhttp::verb::get, "/b", "versioning", "s3").operation->name,
            "GetBucketVersioning");
  EXPECT_EQ(table.Match(bhttp::verb::get, "/b", "", "s3").operation->name, "ListObjects");
  EXPECT_EQ(table.Match(bhttp::verb::get, "/b", "", "other").operation->name, "ListThings");
}

TEST(RestJsonCodec, DecodesInvokeFromUriHeadersQueryAndRawPayload) {
  const ServiceModel& model = model::LambdaModel();
  const Operation* op = model.FindOperation("Invoke");
  http::HttpRequest request(bhttp::verb::post, "/", 11);
  request.set("X-Amz-Invocation-Type", "Event");
  request.set("X-Amz-Log-Type", "Tail");
  request.body() = "not json {";
  auto decoded = rest_json_codec::DecodeRequest(model, *op, {{"FunctionName", "f"}},
                                                "Qualifier=%24LATEST", request);
  ASSERT_TRUE(std::holds_alternative<json::object>(decoded));
  const json::object& in = std::get<json::object>(decoded);
  EXPECT_EQ(in.at("FunctionName"), "f");
  EXPECT_EQ(in.at("InvocationType"), "Event");
  EXPECT_EQ(in.at("LogType"), "Tail");
  EXPECT_EQ(in.at("Qualifier"), "$LATEST");
  EXPECT_EQ(in.at("Payload"), "not json {");

  request.set("X-Amz-Invocation-Type", "Sometimes");
  decoded = rest_json_codec::DecodeRequest(model, *op, {{"FunctionName", "f"}}, "", request);
  ASSERT_TRUE(std::holds_alternative<AwsError>(decoded));
  EXPECT_EQ(std::get<AwsError>(decoded).code, "ValidationException");
}

TEST(RestJsonCodec, DecodesJsonBodiesAndTypedQueryValues) {
  const ServiceModel& model = model::LambdaModel();
  http::HttpRequest request(bhttp::verb::get, "/", 11);
  auto decoded = rest_json_codec::DecodeRequest(model, *model.FindOperation("ListFunctions"), {},
                                                "MaxItems=5&Marker=m", request);
  ASSERT_TRUE(std::holds_alternative<json::object>(decoded));
  EXPECT_EQ(std::get<json::object>(decoded).at("MaxItems"), 5);
  decoded = rest_json_codec::DecodeRequest(model, *model.FindOperation("ListFunctions"), {},
                                           "MaxItems=five", request);
  ASSERT_TRUE(std::holds_alternative<AwsError>(decoded));

  http::HttpRequest create(bhttp::verb::post, "/", 11);
  create.body() = R"({"FunctionName":"f","Role":"arn:aws:iam::123456789012:role/r",
                     "Code":{"ZipFile":"aGk="},"Timeout":3})";
  decoded =
      rest_json_codec::DecodeRequest(model, *model.FindOperation("CreateFunction"), {}, "", create);
  ASSERT_TRUE(std::holds_alternative<json::object>(decoded));
  EXPECT_EQ(std::get<json::object>(decoded).at("Code").at("ZipFile"), "hi");
  create.body() = "[1]";
  decoded =
      rest_json_codec::DecodeRequest(model, *model.FindOperation("CreateFunction"), {}, "", create);
  ASSERT_TRUE(std::holds_alternative<AwsError>(decoded));
}

TEST(RestJsonCodec, EncodesHeadersStatusPayloadAndErrors) {
  const ServiceModel& model = model::LambdaModel();
  json::object out{{"StatusCode", 200},
                   {"FunctionError", "Unhandled"},
                   {"ExecutedVersion", "$LATEST"},
                   {"Payload", "{\"errorMessage\":\"x\"}"}};
  http::HttpResponse r =
      rest_json_codec::EncodeResponse(model, *model.FindOperation("Invoke"), out);
  EXPECT_EQ(r.result_int(), 200u);
  EXPECT_EQ(r["X-Amz-Function-Error"], "Unhandled");
  EXPECT_EQ(r["X-Amz-Executed-Version"], "$LATEST");
  EXPECT_EQ(r.body(), "{\"errorMessage\":\"x\"}");

  r = rest_json_codec::EncodeResponse(model, *model.FindOperation("Invoke"),
                                      json::object{{"StatusCode", 202}});
  EXPECT_EQ(r.result_int(), 202u);
  EXPECT_EQ(r.body(), "");

  r = rest_json_codec::EncodeResponse(model, *model.FindOperation("GetFunctionConfiguration"),
                                      json::object{{"FunctionName", "f"}, {"Timeout", 3}});
  EXPECT_EQ(json::parse(r.body()), json::parse(R"({"FunctionName":"f","Timeout":3})"));

  r = rest_json_codec::EncodeResponse(model, *model.FindOperation("DeleteFunction"), {});
  EXPECT_EQ(r.result_int(), 200u);

  r = rest_json_codec::EncodeError(
      model, AwsError{"ResourceNotFoundException", "Function not found: x", 404, true, {}});
  EXPECT_EQ(r.result_int(), 404u);
  EXPECT_EQ(r["x-amzn-ErrorType"], "ResourceNotFoundException");
  EXPECT_EQ(json::parse(r.body()),
            json::parse(R"({"Type":"User","Message":"Function not found: x"})"));
}

}  // namespace
}  // namespace tidepool::protocol
