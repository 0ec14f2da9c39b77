#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "services/cloudformation/provider.h"
#include "services/cloudformation/providers/fake_caller.h"

namespace tidepool::cloudformation {
namespace {
namespace json = boost::json;

ResourceRequest Request(std::string type, std::string_view properties) {
  ResourceRequest r;
  r.logical_id = "Thing";
  r.type = std::move(type);
  r.stack_name = "stack";
  r.stack_id = "arn:aws:cloudformation:us-east-1:000000000000:stack/stack/1";
  r.account_id = "000000000000";
  r.region = "us-east-1";
  r.properties = json::parse(properties).as_object();
  r.request_token = "token";
  return r;
}

const ResourceProvider& Provider(std::string_view type) {
  const ProviderEntry* e = FindProvider(type);
  EXPECT_NE(e, nullptr) << type;
  return *e->provider;
}

TEST(CoreProviders, EveryCoreTypeIsRegistered) {
  for (std::string_view type :
       {"AWS::SQS::Queue", "AWS::SQS::QueuePolicy", "AWS::SNS::Topic", "AWS::SNS::Subscription",
        "AWS::SNS::TopicPolicy", "AWS::Kinesis::Stream", "AWS::Kinesis::StreamConsumer",
        "AWS::DynamoDB::Table", "AWS::S3::Bucket", "AWS::S3::BucketPolicy", "AWS::Logs::LogGroup",
        "AWS::IAM::Role", "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy",
        "AWS::CloudFormation::WaitConditionHandle"}) {
    EXPECT_NE(FindProvider(type), nullptr) << type;
  }
  EXPECT_EQ(FindProvider("AWS::EC2::Instance"), nullptr);
}

TEST(SqsQueue, CreatesWithAttributesAsTextAndAGeneratedFifoName) {
  FakeCaller services;
  services.Answer("sqs", "CreateQueue", json::object{{"QueueUrl", "http://h/0/q"}});
  services.Answer("sqs", "GetQueueAttributes",
                  json::object{{"Attributes", {{"QueueArn", "arn:q"}}}});
  auto state = Provider("AWS::SQS::Queue")
                   .Create(services, Request("AWS::SQS::Queue",
                                             R"({"FifoQueue": true, "VisibilityTimeout": 45,
                                                 "RedrivePolicy": {"maxReceiveCount": 3},
                                                 "Tags": [{"Key": "k", "Value": "v"}]})"));
  ASSERT_TRUE(state.ok()) << state.status().ToString();
  EXPECT_EQ(state->physical_id, "http://h/0/q");
  EXPECT_EQ(state->attributes.at("Arn"), "arn:q");
  const json::object& in = services.Calls("CreateQueue")[0]->input;
  std::string name(in.at("QueueName").as_string());
  EXPECT_EQ(name.rfind("stack-Thing-", 0), 0u);
  EXPECT_TRUE(name.ends_with(".fifo"));
  EXPECT_LE(name.size(), 80u);
  EXPECT_EQ(in.at("Attributes").at("VisibilityTimeout"), "45");
  EXPECT_EQ(in.at("Attributes").at("FifoQueue"), "true");
  EXPECT_EQ(in.at("Attributes").at("RedrivePolicy"), R"({"maxReceiveCount":3})");
  EXPECT_EQ(in.at("tags").at("k"), "v");
}

TEST(SqsQueue, RefusesWhatItDoesNotHonourAndKnowsReplacements) {
  FakeCaller services;
  auto state = Provider("AWS::SQS::Queue")
                   .Create(services, Request("AWS::SQS::Queue", R"({"KmsMasterKeyId": "k"})"));
  ASSERT_FALSE(state.ok());
  EXPECT_EQ(state.status().message(),
            "Property KmsMasterKeyId of AWS::SQS::Queue is not supported by tidepool");
  EXPECT_EQ(HandlerErrorCode(state.status()), "InvalidRequest");
  EXPECT_TRUE(services.sent().empty());
  const auto& p = Provider("AWS::SQS::Queue");
  EXPECT_TRUE(p.RequiresReplacement(json::parse(R"({"QueueName":"a"})").as_object(),
                                    json::parse(R"({"QueueName":"b"})").as_object()));
  EXPECT_FALSE(p.RequiresReplacement(json::parse(R"({"DelaySeconds":1})").as_object(),
                                     json::parse(R"({"DelaySeconds":2})").as_object()));
}

TEST(S3Bucket, ConvertsNotificationsAndCorsToS3Shapes) {
  FakeCaller services;
  auto state = Provider("AWS::S3::Bucket").Create(services, Request("AWS::S3::Bucket", R"({
      "BucketName": "b",
      "NotificationConfiguration": {"QueueConfigurations": [{"Event": "s3:ObjectCreated:*",
        "Queue": "arn:q", "Filter": {"S3Key": {"Rules": [{"Name": "prefix", "Value": "in/"}]}}}]},
      "CorsConfiguration": {"CorsRules": [{"AllowedMethods": ["GET"], "AllowedOrigins": ["*"],
        "MaxAge": 10, "ExposedHeaders": ["ETag"]}]}})"));
  ASSERT_TRUE(state.ok()) << state.status().ToString();
  EXPECT_EQ(state->attributes.at("Arn"), "arn:aws:s3:::b");
  const json::object& n = services.Calls("PutBucketNotificationConfiguration")[0]->input;
  EXPECT_EQ(json::serialize(n.at("NotificationConfiguration")),
            R"({"QueueConfigurations":[{"QueueArn":"arn:q","Events":["s3:ObjectCreated:*"],)"
            R"("Filter":{"Key":{"FilterRules":[{"Name":"prefix","Value":"in/"}]}}}]})");
  const json::object& c = services.Calls("PutBucketCors")[0]->input;
  EXPECT_EQ(json::serialize(c.at("CORSConfiguration")),
            R"({"CORSRules":[{"AllowedMethods":["GET"],"AllowedOrigins":["*"],)"
            R"("ExposeHeaders":["ETag"],"MaxAgeSeconds":10}]})");
}

TEST(DynamoDbTable, EnablesStreamsAndTtlAndWaitsForActive) {
  FakeCaller services;
  services.Answer("dynamodb", "DescribeTable",
                  json::object{{"Table", {{"TableStatus", "CREATING"}}}});
  json::object active{
      {"Table",
       {{"TableStatus", "ACTIVE"}, {"TableArn", "arn:t"}, {"LatestStreamArn", "arn:t/stream/1"}}}};
  services.Answer("dynamodb", "DescribeTable", active);
  services.Answer("dynamodb", "DescribeTable", active);
  auto state =
      Provider("AWS::DynamoDB::Table").Create(services, Request("AWS::DynamoDB::Table", R"({
      "AttributeDefinitions": [{"AttributeName": "k", "AttributeType": "S"}],
      "KeySchema": [{"AttributeName": "k", "KeyType": "HASH"}],
      "ProvisionedThroughput": {"ReadCapacityUnits": "5", "WriteCapacityUnits": 5},
      "StreamSpecification": {"StreamViewType": "KEYS_ONLY"},
      "TimeToLiveSpecification": {"AttributeName": "exp", "Enabled": "true"}})"));
  ASSERT_TRUE(state.ok()) << state.status().ToString();
  EXPECT_EQ(state->attributes.at("StreamArn"), "arn:t/stream/1");
  const json::object& in = services.Calls("CreateTable")[0]->input;
  EXPECT_EQ(in.at("ProvisionedThroughput").at("ReadCapacityUnits"), 5);
  EXPECT_EQ(json::serialize(in.at("StreamSpecification")),
            R"({"StreamEnabled":true,"StreamViewType":"KEYS_ONLY"})");
  EXPECT_EQ(
      services.Calls("UpdateTimeToLive")[0]->input.at("TimeToLiveSpecification").at("Enabled"),
      true);
  EXPECT_TRUE(Provider("AWS::DynamoDB::Table")
                  .RequiresReplacement(json::parse(R"({"KeySchema":[1]})").as_object(),
                                       json::parse(R"({"KeySchema":[2]})").as_object()));
}

TEST(IamRole, UpdatesAttachmentsAndInlinePoliciesByDifference) {
  FakeCaller services;
  ResourceRequest r = Request("AWS::IAM::Role", R"({"AssumeRolePolicyDocument": {},
      "ManagedPolicyArns": ["arn:b", "arn:c"],
      "Policies": [{"PolicyName": "keep", "PolicyDocument": {"v": 1}}]})");
  r.previous_properties = json::parse(R"({"AssumeRolePolicyDocument": {},
      "ManagedPolicyArns": ["arn:a", "arn:b"],
      "Policies": [{"PolicyName": "keep", "PolicyDocument": {"v": 1}},
                   {"PolicyName": "drop", "PolicyDocument": {}}]})")
                              .as_object();
  r.physical_id = "role";
  ASSERT_TRUE(Provider("AWS::IAM::Role").Update(services, r).ok());
  ASSERT_EQ(services.Calls("DetachRolePolicy").size(), 1u);
  EXPECT_EQ(services.Calls("DetachRolePolicy")[0]->input.at("PolicyArn"), "arn:a");
  ASSERT_EQ(services.Calls("AttachRolePolicy").size(), 1u);
  EXPECT_EQ(services.Calls("AttachRolePolicy")[0]->input.at("PolicyArn"), "arn:c");
  ASSERT_EQ(services.Calls("DeleteRolePolicy").size(), 1u);
  EXPECT_EQ(services.Calls("DeleteRolePolicy")[0]->input.at("PolicyName"), "drop");
  EXPECT_TRUE(services.Calls("PutRolePolicy").empty());
  EXPECT_TRUE(services.Calls("UpdateAssumeRolePolicy").empty());
}

TEST(Deletes, ToleratesResourcesAlreadyGone) {
  FakeCaller services;
  services.Answer("sqs", "DeleteQueue",
                  ServiceError{"AWS.SimpleQueueService.NonExistentQueue", "gone", 400});
  ResourceRequest r = Request("AWS::SQS::Queue", "{}");
  r.physical_id = "http://h/0/q";
  EXPECT_TRUE(Provider("AWS::SQS::Queue").Delete(services, r).ok());
  services.Answer("s3", "DeleteBucket", ServiceError{"BucketNotEmpty", "not empty", 409});
  r = Request("AWS::S3::Bucket", "{}");
  r.physical_id = "b";
  EXPECT_FALSE(Provider("AWS::S3::Bucket").Delete(services, r).ok());
}

}  // namespace
}  // namespace tidepool::cloudformation
