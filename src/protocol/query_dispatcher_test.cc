#include "protocol/query_dispatcher.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <optional>
#include <stdexcept>

#include "protocol/model/models.h"

namespace tidepool::protocol {
namespace {

namespace bhttp = boost::beast::http;
namespace json = boost::json;
using http::HttpRequest;
using http::HttpResponse;
using http::Responder;

// Records each call and answers with a canned outcome (or throws).
class FakeService : public Service {
 public:
  FakeService(std::string_view name, const model::ServiceModel& model)
      : name_(name), model_(model) {}
  std::string_view Name() const override { return name_; }
  const model::ServiceModel& Model() const override { return model_; }
  void Invoke(CallPtr call) override {
    last_op = std::string(call->operation().name);
    last_input = call->input();
    last_context = call->context();
    if (throw_) throw std::runtime_error("boom");
    if (error) return call->Fail(*error);
    call->Reply(output);
  }
  json::object Health() const override { return {}; }

  json::object output;
  std::optional<AwsError> error;
  bool throw_ = false;
  std::string last_op;
  json::object last_input;
  RequestContext last_context;

 private:
  std::string name_;
  const model::ServiceModel& model_;
};

class QueryDispatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(dispatcher_.AddService(sns_).ok());
    ASSERT_TRUE(dispatcher_.AddService(sqs_).ok());
  }

  HttpResponse Send(std::string target, std::string body, std::string authorization = {}) {
    HttpRequest request(bhttp::verb::post, target, 11);
    request.set(bhttp::field::host, "localhost:4566");
    request.set(bhttp::field::content_type, "application/x-www-form-urlencoded; charset=utf-8");
    if (!authorization.empty()) request.set(bhttp::field::authorization, authorization);
    request.body() = std::move(body);
    RequestContext context;
    context.account_id = "000000000000";
    context.region = "us-east-1";
    context.request_id = "req-123";
    context.host = "localhost:4566";
    std::optional<HttpResponse> got;
    dispatcher_.Handle(std::move(request), std::move(context),
                       Responder::FromFunction([&got](HttpResponse&& r) { got = std::move(r); }));
    EXPECT_TRUE(got.has_value());
    return got ? std::move(*got) : HttpResponse{};
  }

  static std::string Auth(std::string_view service) {
    return "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240101/us-east-1/" + std::string(service) +
           "/aws4_request, SignedHeaders=host;x-amz-date, Signature=" + std::string(64, 'a');
  }

  FakeService sns_{"sns", model::SnsModel()};
  FakeService sqs_{"sqs", model::SqsModel()};
  QueryDispatcher dispatcher_;
};

TEST_F(QueryDispatcherTest, PublishEndToEnd) {
  sns_.output = json::object{{"MessageId", "m-1"}};
  HttpResponse r = Send("/",
                        "Action=Publish&Version=2010-03-31&TopicArn=arn%3Aaws%3Asns%3Aus-east-1%3A"
                        "000000000000%3At&Message=hi"
                        "&MessageAttributes.entry.1.Name=a"
                        "&MessageAttributes.entry.1.Value.DataType=String"
                        "&MessageAttributes.entry.1.Value.StringValue=v",
                        Auth("sns"));
  EXPECT_EQ(r.result_int(), 200);
  EXPECT_EQ(r["x-amzn-RequestId"], "req-123");
  EXPECT_EQ(r[bhttp::field::content_type], "text/xml");
  EXPECT_EQ(sns_.last_op, "Publish");
  EXPECT_EQ(json::value(sns_.last_input),
            json::parse(R"({"TopicArn":"arn:aws:sns:us-east-1:000000000000:t","Message":"hi",
              "MessageAttributes":{"a":{"DataType":"String","StringValue":"v"}}})"));
  EXPECT_EQ(sns_.last_context.request_id, "req-123");
  EXPECT_EQ(sns_.last_context.account_id, "000000000000");
  EXPECT_NE(r.body().find("<PublishResult>\n    <MessageId>m-1</MessageId>"), std::string::npos)
      << r.body();
  EXPECT_NE(r.body().find("<RequestId>req-123</RequestId>"), std::string::npos);
}

TEST_F(QueryDispatcherTest, ParametersInTheQueryString) {
  HttpResponse r = Send("/?Action=ListTopics&Version=2010-03-31", "");
  EXPECT_EQ(r.result_int(), 200);
  EXPECT_EQ(sns_.last_op, "ListTopics");
}

TEST_F(QueryDispatcherTest, ServiceErrorBecomesErrorDocument) {
  sns_.error = AwsError{"NotFound", "Topic does not exist", 404, true, {}};
  HttpResponse r = Send("/", "Action=DeleteTopic&Version=2010-03-31&TopicArn=x", Auth("sns"));
  EXPECT_EQ(r.result_int(), 404);
  EXPECT_EQ(r["x-amzn-RequestId"], "req-123");
  EXPECT_NE(r.body().find("<Code>NotFound</Code>"), std::string::npos) << r.body();
  EXPECT_NE(r.body().find("<ErrorResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\">"),
            std::string::npos)
      << r.body();
}

TEST_F(QueryDispatcherTest, SqsLegacyCodeAndQueueUrlFromPath) {
  sqs_.error = AwsError{"QueueDoesNotExist", "The specified queue does not exist.", 400, true,
                        "AWS.SimpleQueueService.NonExistentQueue"};
  HttpResponse r = Send("/000000000000/orders", "Action=SendMessage&MessageBody=hello");
  EXPECT_EQ(sqs_.last_op, "SendMessage");
  EXPECT_EQ(json::value(sqs_.last_input),
            json::parse(R"({"QueueUrl":"http://localhost:4566/000000000000/orders",
                            "MessageBody":"hello"})"));
  EXPECT_EQ(r.result_int(), 400);
  EXPECT_NE(r.body().find("<Code>AWS.SimpleQueueService.NonExistentQueue</Code>"),
            std::string::npos)
      << r.body();
  EXPECT_NE(r.body().find("<Detail/>"), std::string::npos);
}

TEST_F(QueryDispatcherTest, ExplicitQueueUrlWinsOverPath) {
  Send("/000000000000/orders", "Action=GetQueueAttributes&QueueUrl=http%3A%2F%2Fh%2F1%2Fother");
  EXPECT_EQ(sqs_.last_input["QueueUrl"], json::value("http://h/1/other"));
}

TEST_F(QueryDispatcherTest, PicksServiceByScopeThenVersionThenAction) {
  // Both models have AddPermission.
  std::string sqs_body =
      "Action=AddPermission&QueueUrl=u&Label=l&AWSAccountId.1=1&ActionName.1=SendMessage";
  std::string sns_body =
      "Action=AddPermission&TopicArn=t&Label=l&AWSAccountId.member.1=1&ActionName.member.1=Publish";
  Send("/", sqs_body, Auth("sqs"));
  EXPECT_EQ(sqs_.last_op, "AddPermission");
  Send("/", sns_body + "&Version=2012-11-05", Auth("sns"));  // the scope wins
  EXPECT_EQ(sns_.last_op, "AddPermission");
  sns_.last_op.clear();
  sqs_.last_op.clear();
  Send("/", sqs_body + "&Version=2012-11-05");
  EXPECT_EQ(sqs_.last_op, "AddPermission");
  EXPECT_EQ(sns_.last_op, "");
  Send("/", sns_body + "&Version=2010-03-31");
  EXPECT_EQ(sns_.last_op, "AddPermission");
  sqs_.last_op.clear();
  Send("/", "Action=PurgeQueue&QueueUrl=u");  // only SQS has it
  EXPECT_EQ(sqs_.last_op, "PurgeQueue");
}

TEST_F(QueryDispatcherTest, UnknownActionIsInvalidAction) {
  HttpResponse r = Send("/", "Action=DoesNotExist&Version=2010-03-31");
  EXPECT_EQ(r.result_int(), 400);
  EXPECT_NE(r.body().find("<Code>InvalidAction</Code>"), std::string::npos) << r.body();
  EXPECT_NE(r.body().find(
                "<Message>The action DoesNotExist is not valid for this web service.</Message>"),
            std::string::npos);
  // An SQS action sent with SNS credentials is not an SNS action.
  r = Send("/", "Action=PurgeQueue&QueueUrl=u", Auth("sns"));
  EXPECT_EQ(r.result_int(), 400);
  EXPECT_NE(r.body().find("<Code>InvalidAction</Code>"), std::string::npos) << r.body();
  EXPECT_NE(r.body().find("sns.amazonaws.com"), std::string::npos) << r.body();
}

TEST_F(QueryDispatcherTest, DecodeErrorsAnswerWithoutCallingTheService) {
  HttpResponse r = Send("/", "Action=Publish&Version=2010-03-31&TopicArn=t", Auth("sns"));
  EXPECT_EQ(r.result_int(), 400);
  EXPECT_NE(r.body().find("<Code>ValidationError</Code>"), std::string::npos) << r.body();
  EXPECT_EQ(sns_.last_op, "");
  r = Send("/", "Action=ReceiveMessage&QueueUrl=u&MaxNumberOfMessages=x", Auth("sqs"));
  EXPECT_EQ(r.result_int(), 400);
  EXPECT_NE(r.body().find("<Code>InvalidParameterValue</Code>"), std::string::npos) << r.body();
  EXPECT_EQ(sqs_.last_op, "");
}

TEST_F(QueryDispatcherTest, TooManyParameters) {
  std::string body = "Action=ListTopics";
  for (int i = 0; i < 5000; ++i) body += "&k" + std::to_string(i) + "=v";
  HttpResponse r = Send("/", body);
  EXPECT_EQ(r.result_int(), 400);
  EXPECT_NE(r.body().find("<Code>MalformedQueryString</Code>"), std::string::npos) << r.body();
  EXPECT_EQ(sns_.last_op, "");
}

TEST_F(QueryDispatcherTest, ThrowingServiceAnswersInternalFailure) {
  sns_.throw_ = true;
  HttpResponse r = Send("/", "Action=ListTopics", Auth("sns"));
  EXPECT_EQ(r.result_int(), 500);
  EXPECT_NE(r.body().find("<Type>Receiver</Type>"), std::string::npos) << r.body();
  EXPECT_NE(r.body().find("<Code>InternalFailure</Code>"), std::string::npos);
}

TEST(QueryDispatcherRegistrationTest, RejectsNonQueryAndDuplicates) {
  FakeService kinesis("kinesis", model::KinesisModel());
  FakeService sns("sns", model::SnsModel());
  FakeService sns2("sns2", model::SnsModel());
  QueryDispatcher d;
  EXPECT_EQ(d.AddService(kinesis).code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(d.AddService(sns).ok());
  EXPECT_EQ(d.AddService(sns2).code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(d.services().size(), 1u);
}

TEST(QueryDispatcherRouterTest, PlugsIntoTheRouter) {
  FakeService sns("sns", model::SnsModel());
  sns.output = json::object{{"TopicArn", "arn:aws:sns:us-east-1:000000000000:t"}};
  QueryDispatcher dispatcher;
  ASSERT_TRUE(dispatcher.AddService(sns).ok());
  Router router(RouterOptions{});
  ASSERT_TRUE(router.AddService(sns).ok());
  router.SetQueryProtocolHandler(dispatcher.AsHandler());
  HttpRequest request(bhttp::verb::post, "/", 11);
  request.set(bhttp::field::host, "localhost:4566");
  request.set(bhttp::field::content_type, "application/x-www-form-urlencoded");
  request.body() = "Action=CreateTopic&Version=2010-03-31&Name=t";
  std::optional<HttpResponse> got;
  router.Handle(std::move(request),
                Responder::FromFunction([&got](HttpResponse&& r) { got = std::move(r); }));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->result_int(), 200);
  EXPECT_EQ(sns.last_input["Name"], json::value("t"));
  EXPECT_EQ((*got)["x-amzn-RequestId"], sns.last_context.request_id);
  EXPECT_NE(got->body().find("<TopicArn>arn:aws:sns:us-east-1:000000000000:t</TopicArn>"),
            std::string::npos)
      << got->body();
}

}  // namespace
}  // namespace tidepool::protocol
