#include "engine/in_process_caller.h"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <thread>

#include "protocol/model/models.h"

namespace tidepool::engine {
namespace {
namespace json = boost::json;
using cloudformation::ServiceError;

// A service of `model` that records each call and answers `output` from another thread, as
// services answer once their writes are durable.
class RecordingService final : public protocol::Service {
 public:
  RecordingService(const protocol::model::ServiceModel& model, json::object output)
      : model_(model), output_(std::move(output)) {}
  std::string_view Name() const override { return "recording"; }
  const protocol::model::ServiceModel& Model() const override { return model_; }
  void Invoke(protocol::CallPtr call) override {
    inputs.push_back(call->input());
    hosts.push_back(call->context().host);
    std::thread([call, out = output_] { call->Reply(out); }).detach();
  }
  json::object Health() const override { return {}; }

  std::vector<json::object> inputs;
  std::vector<std::string> hosts;

 private:
  const protocol::model::ServiceModel& model_;
  json::object output_;
};

TEST(InProcessCaller, CallsTheNamedServiceAndWaitsForItsAnswer) {
  RecordingService sqs(protocol::model::SqsModel(), json::object{{"QueueUrl", "http://h/0/q"}});
  InProcessCaller caller("000000000000", "us-east-1");
  caller.AddService("sqs", &sqs);
  caller.SetHost("localhost:4566");
  auto answer = caller.For("111111111111", "eu-west-1")
                    .Call("sqs", "CreateQueue", json::object{{"QueueName", "q"}});
  ASSERT_TRUE(std::holds_alternative<json::object>(answer));
  EXPECT_EQ(std::get<json::object>(answer).at("QueueUrl"), "http://h/0/q");
  ASSERT_EQ(sqs.inputs.size(), 1u);
  EXPECT_EQ(sqs.inputs[0].at("QueueName"), "q");
  EXPECT_EQ(sqs.hosts[0], "localhost:4566");
}

TEST(InProcessCaller, UnknownServicesOperationsAndInvalidInputsAreErrors) {
  RecordingService sqs(protocol::model::SqsModel(), {});
  InProcessCaller caller("000000000000", "us-east-1");
  caller.AddService("sqs", &sqs);
  auto no_service = caller.Call("ec2", "RunInstances", {});
  ASSERT_TRUE(std::holds_alternative<ServiceError>(no_service));
  EXPECT_EQ(std::get<ServiceError>(no_service).code, "InvalidAction");
  auto no_op = caller.Call("sqs", "LaunchRocket", {});
  ASSERT_TRUE(std::holds_alternative<ServiceError>(no_op));
  EXPECT_EQ(std::get<ServiceError>(no_op).code, "InvalidAction");
  auto invalid = caller.Call("sqs", "CreateQueue", {});  // QueueName is required
  ASSERT_TRUE(std::holds_alternative<ServiceError>(invalid));
  EXPECT_EQ(std::get<ServiceError>(invalid).code, "ValidationException");
  EXPECT_TRUE(sqs.inputs.empty());
}

TEST(InProcessCaller, AStructurePayloadStaysInTheDecodedInput) {
  RecordingService s3(protocol::model::S3Model(), {});
  InProcessCaller caller("000000000000", "us-east-1");
  caller.AddService("s3", &s3);
  auto answer = caller.Call(
      "s3", "PutBucketVersioning",
      json::object{{"Bucket", "b"}, {"VersioningConfiguration", {{"Status", "Enabled"}}}});
  ASSERT_TRUE(std::holds_alternative<json::object>(answer));
  ASSERT_EQ(s3.inputs.size(), 1u);
  EXPECT_EQ(s3.inputs[0].at("VersioningConfiguration").at("Status"), "Enabled");
}

}  // namespace
}  // namespace tidepool::engine
