#include "services/cloudformation/provider.h"

#include <gtest/gtest.h>

#include <cctype>

#include "services/cloudformation/providers/fake_caller.h"

namespace tidepool::cloudformation {
namespace {

TEST(GeneratedName, FollowsCloudFormationsPatternAndFitsTheLimit) {
  ResourceRequest r;
  r.stack_name = "orders";
  r.logical_id = "InboundQueue";
  std::string name = GeneratedName(r, 80);
  ASSERT_EQ(name.size(), std::string("orders-InboundQueue-").size() + 13);
  EXPECT_EQ(name.rfind("orders-InboundQueue-", 0), 0u);
  for (char c : name.substr(20)) EXPECT_TRUE(std::isupper(c) || std::isdigit(c)) << name;

  r.stack_name = std::string(100, 's');
  r.logical_id = std::string(100, 'L');
  std::string shortened = GeneratedName(r, 63, /*lower_case=*/true);
  EXPECT_EQ(shortened.size(), 63u);
  EXPECT_EQ(shortened, [&] {
    std::string lower = shortened;
    for (char& c : lower) c = static_cast<char>(std::tolower(c));
    return lower;
  }());
  EXPECT_NE(GeneratedName(r, 63), GeneratedName(r, 63));  // 13 random characters
}

TEST(GeneratedName, UsesTheEnginesSuffixSoTheNameIsKnownBeforeTheCreate) {
  ResourceRequest r;
  r.stack_name = "orders";
  r.logical_id = "InboundQueue";
  r.name_suffix = NewNameSuffix();
  ASSERT_EQ(r.name_suffix.size(), 13u);
  EXPECT_EQ(GeneratedName(r, 80), "orders-InboundQueue-" + r.name_suffix);
  EXPECT_EQ(GeneratedName(r, 63, /*lower_case=*/true), GeneratedName(r, 63, true));
}

TEST(ServiceFailure, MapsErrorCodesToHandlerErrorCodes) {
  EXPECT_EQ(HandlerErrorCode(ServiceFailure({"ResourceNotFoundException", "gone"})), "NotFound");
  EXPECT_EQ(HandlerErrorCode(ServiceFailure({"QueueAlreadyExists", "x"})), "AlreadyExists");
  EXPECT_EQ(HandlerErrorCode(ServiceFailure({"ResourceConflictException", "x"})), "AlreadyExists");
  EXPECT_EQ(HandlerErrorCode(ServiceFailure({"ValidationException", "x"})), "InvalidRequest");
  EXPECT_EQ(HandlerErrorCode(ServiceFailure({"InvalidParameterValueException", "x"})),
            "InvalidRequest");
  EXPECT_EQ(HandlerErrorCode(ServiceFailure({"TooManyRequestsException", "x"})), "Throttling");
  EXPECT_EQ(HandlerErrorCode(ServiceFailure({"InternalFailure", "x"})), "GeneralServiceException");
  EXPECT_EQ(ServiceFailure({"ValidationException", "bad name"}).message(), "bad name");
}

TEST(CallOrFail, ReturnsTheOutputOrTheFailure) {
  FakeCaller caller;
  caller.Answer("sqs", "CreateQueue", boost::json::object{{"QueueUrl", "http://q"}});
  caller.Answer("sqs", "CreateQueue", ServiceError{"QueueAlreadyExists", "exists", 400});
  auto ok = CallOrFail(caller, "sqs", "CreateQueue", {{"QueueName", "q"}});
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok.value().at("QueueUrl"), "http://q");
  auto failed = CallOrFail(caller, "sqs", "CreateQueue", {{"QueueName", "q"}});
  EXPECT_EQ(failed.status().code(), StatusCode::kAlreadyExists);
  ASSERT_EQ(caller.Calls("CreateQueue").size(), 2u);
  EXPECT_EQ(caller.Calls("CreateQueue")[0]->input.at("QueueName"), "q");
}

TEST(Registry, IsSortedAndFindsEveryEntry) {
  auto all = AllProviders();
  for (size_t i = 1; i < all.size(); ++i) EXPECT_LT(all[i - 1].type, all[i].type);
  for (const auto& e : all) EXPECT_EQ(FindProvider(e.type), &e);
  EXPECT_EQ(FindProvider("AWS::EC2::Instance"), nullptr);
}

}  // namespace
}  // namespace tidepool::cloudformation
