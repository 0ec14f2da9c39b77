// SqsService: queues, attributes, messages, MD5s, visibility, batches (long polling:
// sqs_long_poll_test.cc).
#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <chrono>

#include "services/sqs/keyspace.h"
#include "services/sqs/message_input.h"
#include "services/sqs/sqs_errors.h"
#include "services/sqs/sqs_test_fixture.h"

namespace tidepool::sqs {
namespace {
namespace json = boost::json;

TEST_F(SqsTest, CreateGetListDeleteQueue) {
  const std::string url = CreateQueue("orders");
  EXPECT_EQ(url, "http://localhost:4566/123456789012/orders");
  EXPECT_EQ(CreateQueue("orders"), url);  // idempotent with the same (default) attributes
  CreateQueue("orders-dlq");
  CreateQueue("billing");

  auto got = Ok(Call("GetQueueUrl", R"({"QueueName":"orders"})"));
  EXPECT_EQ(got["QueueUrl"].as_string(), url);
  auto missing = Err(Call("GetQueueUrl", R"({"QueueName":"nope"})"));
  EXPECT_EQ(missing.code, "QueueDoesNotExist");
  EXPECT_EQ(missing.query_code, "AWS.SimpleQueueService.NonExistentQueue");
  EXPECT_EQ(missing.message, "The specified queue does not exist.");
  EXPECT_EQ(missing.http_status, 400);

  auto all = Ok(Call("ListQueues", "{}"));
  EXPECT_EQ(all["QueueUrls"].as_array().size(), 3u);
  EXPECT_FALSE(all.contains("NextToken"));
  auto prefixed = Ok(Call("ListQueues", R"({"QueueNamePrefix":"ord"})"));
  EXPECT_EQ(prefixed["QueueUrls"].as_array().size(), 2u);
  auto page1 = Ok(Call("ListQueues", R"({"MaxResults":2})"));
  ASSERT_EQ(page1["QueueUrls"].as_array().size(), 2u);
  ASSERT_TRUE(page1.contains("NextToken"));
  auto page2 =
      Ok(Call("ListQueues", json::object{{"MaxResults", 2}, {"NextToken", page1["NextToken"]}}));
  ASSERT_EQ(page2["QueueUrls"].as_array().size(), 1u);
  EXPECT_EQ(page2["QueueUrls"].as_array()[0], "http://localhost:4566/123456789012/orders-dlq");
  EXPECT_EQ(Err(Call("ListQueues", R"({"MaxResults":0})")).code, "InvalidParameterValueException");

  // A URL from another host and port names the same queue.
  Ok(Call("DeleteQueue",
          R"({"QueueUrl":"https://sqs.us-east-1.amazonaws.com/123456789012/billing"})"));
  EXPECT_EQ(Err(Call("GetQueueUrl", R"({"QueueName":"billing"})")).code, "QueueDoesNotExist");
  EXPECT_EQ(Err(Call("DeleteQueue", R"({"QueueUrl":"http://x/123456789012/billing"})")).code,
            "QueueDoesNotExist");
}

TEST_F(SqsTest, CreateQueueValidatesNameAndAttributes) {
  EXPECT_EQ(Err(Call("CreateQueue", R"({"QueueName":"bad name"})")).code,
            "InvalidParameterValueException");
  EXPECT_EQ(Err(Call("CreateQueue", R"({"QueueName":"x.fifo"})")).code,
            "InvalidParameterValueException");
  EXPECT_EQ(Err(Call("CreateQueue", json::object{{"QueueName", std::string(81, 'a')}})).code,
            "InvalidParameterValueException");
  EXPECT_EQ(Err(Call("CreateQueue", R"({"QueueName":"f","Attributes":{"FifoQueue":"true"}})")).code,
            "InvalidParameterValueException");
  auto bad =
      Err(Call("CreateQueue", R"({"QueueName":"q","Attributes":{"VisibilityTimeout":"43201"}})"));
  EXPECT_EQ(bad.code, "InvalidAttributeValue");
  EXPECT_EQ(bad.message, "Invalid value for the parameter VisibilityTimeout.");
  auto unknown = Err(Call("CreateQueue", R"({"QueueName":"q","Attributes":{"Colour":"blue"}})"));
  EXPECT_EQ(unknown.code, "InvalidAttributeName");
  EXPECT_EQ(unknown.message, "Unknown Attribute Colour.");
  EXPECT_EQ(Err(Call("CreateQueue",
                     R"({"QueueName":"q","Attributes":{"ContentBasedDeduplication":"true"}})"))
                .code,
            "InvalidAttributeName");
  EXPECT_EQ(
      Err(Call("CreateQueue", R"({"QueueName":"q","Attributes":{"MaximumMessageSize":"1048577"}})"))
          .code,
      "InvalidAttributeValue");
  CreateQueue("q", json::object{{"MaximumMessageSize", "1048576"}, {"VisibilityTimeout", "10"}});
  EXPECT_EQ(CreateQueue("q", json::object{{"VisibilityTimeout", "10"}}),
            "http://localhost:4566/123456789012/q");
  auto exists =
      Err(Call("CreateQueue", R"({"QueueName":"q","Attributes":{"VisibilityTimeout":"11"}})"));
  EXPECT_EQ(exists.code, "QueueNameExists");
  EXPECT_EQ(exists.query_code, "QueueAlreadyExists");
  EXPECT_EQ(exists.message,
            "A queue already exists with the same name and a different value for attribute "
            "VisibilityTimeout");
}

TEST_F(SqsTest, QueueAttributes) {
  clock_.SetMicros(1'700'000'000'000'000);
  const std::string url = CreateQueue("attrs");
  auto all = Ok(Call("GetQueueAttributes",
                     json::object{{"QueueUrl", url}, {"AttributeNames", json::array{"All"}}}));
  auto& a = all["Attributes"].as_object();
  EXPECT_EQ(a["QueueArn"], "arn:aws:sqs:us-east-1:123456789012:attrs");
  EXPECT_EQ(a["VisibilityTimeout"], "30");
  EXPECT_EQ(a["MaximumMessageSize"], "1048576");
  EXPECT_EQ(a["MessageRetentionPeriod"], "345600");
  EXPECT_EQ(a["DelaySeconds"], "0");
  EXPECT_EQ(a["ReceiveMessageWaitTimeSeconds"], "0");
  EXPECT_EQ(a["ApproximateNumberOfMessages"], "0");
  EXPECT_EQ(a["CreatedTimestamp"], "1700000000");
  EXPECT_EQ(a["SqsManagedSseEnabled"], "true");
  EXPECT_FALSE(a.contains("FifoQueue"));
  EXPECT_FALSE(a.contains("RedrivePolicy"));

  Ok(Call(
      "SetQueueAttributes",
      json::object{{"QueueUrl", url},
                   {"Attributes", {{"DelaySeconds", "5"}, {"Policy", R"({"Statement":[]})"}}}}));
  EXPECT_EQ(Attribute(url, "DelaySeconds"), "5");
  EXPECT_EQ(Attribute(url, "Policy"), R"({"Statement":[]})");
  EXPECT_EQ(Err(Call("SetQueueAttributes",
                     json::object{{"QueueUrl", url}, {"Attributes", {{"DelaySeconds", "901"}}}}))
                .code,
            "InvalidAttributeValue");
  EXPECT_EQ(Err(Call("SetQueueAttributes",
                     json::object{{"QueueUrl", url}, {"Attributes", {{"QueueArn", "x"}}}}))
                .code,
            "InvalidAttributeName");
  EXPECT_EQ(Err(Call("SetQueueAttributes",
                     json::object{{"QueueUrl", url}, {"Attributes", {{"FifoQueue", "true"}}}}))
                .code,
            "InvalidAttributeName");
}

TEST_F(SqsTest, Md5OfAttributesMatchesAwsVectors) {
  // Vectors that moto's and localstack's suites pin as AWS's answers.
  EXPECT_EQ(Md5Hex("derp"), "58fd9edd83341c29f1aebba81c31e257");
  auto md5 = [](json::object attrs) {
    auto parsed = ParseMessageAttributes(attrs);
    EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
    return Md5OfAttributes(*parsed);
  };
  EXPECT_EQ(md5({{"timestamp", {{"StringValue", "1493147359900"}, {"DataType", "Number"}}}}),
            "235c5c510d26fb653d073faed50ae77c");
  EXPECT_EQ(md5({{"timestamp", {{"StringValue", "1493147359901"}, {"DataType", "Number"}}}}),
            "994258b45346a2cc3f9cbb611aa7af30");
  EXPECT_EQ(md5({{"SOME_Valid.attribute-Name",
                  {{"StringValue", "1493147359900"}, {"DataType", "Number"}}}}),
            "36655e7e9d7c0e8479fa3f3f42247ae7");
  EXPECT_EQ(
      md5({{"ccc", {{"StringValue", "testjunk"}, {"DataType", "String"}}},
           {"aaa", {{"BinaryValue", std::string("\x02\x03\x04")}, {"DataType", "Binary"}}},
           {"zzz", {{"DataType", "Number"}, {"StringValue", "0230.01"}}},
           {"\xc3\xb6ther_encodings", {{"DataType", "String"}, {"StringValue", "T\xc3\xbcst"}}}}),
      "8ae21a7957029ef04146b42aeaa18a22");
}

TEST_F(SqsTest, SendReceiveDeleteWithAttributes) {
  const std::string url = CreateQueue("msgs");
  auto sent =
      Send(url, "derp",
           json::object{{"MessageAttributes",
                         {{"timestamp", {{"StringValue", "1493147359900"}, {"DataType", "Number"}}},
                          {"foo.bar", {{"StringValue", "x"}, {"DataType", "String"}}}}},
                        {"MessageSystemAttributes",
                         {{"AWSTraceHeader",
                           {{"StringValue", "Root=1-5759e988-bd862e3fe1be46a994272793"},
                            {"DataType", "String"}}}}}});
  EXPECT_EQ(sent["MD5OfMessageBody"], "58fd9edd83341c29f1aebba81c31e257");
  EXPECT_TRUE(sent.contains("MD5OfMessageAttributes"));
  EXPECT_TRUE(sent.contains("MD5OfMessageSystemAttributes"));
  EXPECT_FALSE(sent.contains("SequenceNumber"));
  EXPECT_EQ(Attribute(url, "ApproximateNumberOfMessages"), "1");

  auto msgs = Receive(url, json::object{{"AttributeNames", json::array{"All"}},
                                        {"MessageAttributeNames", json::array{"timestamp"}}});
  ASSERT_EQ(msgs.size(), 1u);
  auto& m = msgs[0].as_object();
  EXPECT_EQ(m["Body"], "derp");
  EXPECT_EQ(m["MessageId"], sent["MessageId"]);
  EXPECT_EQ(m["MD5OfBody"], "58fd9edd83341c29f1aebba81c31e257");
  EXPECT_EQ(m["MD5OfMessageAttributes"], "235c5c510d26fb653d073faed50ae77c");
  EXPECT_EQ(m["MessageAttributes"].as_object().size(), 1u);
  auto& attrs = m["Attributes"].as_object();
  EXPECT_EQ(attrs["ApproximateReceiveCount"], "1");
  EXPECT_EQ(attrs["SenderId"], "123456789012");
  EXPECT_EQ(attrs["AWSTraceHeader"], "Root=1-5759e988-bd862e3fe1be46a994272793");
  EXPECT_EQ(attrs["SentTimestamp"].as_string(), std::to_string(clock_.NowMillis()));
  EXPECT_FALSE(attrs.contains("SequenceNumber"));
  EXPECT_EQ(Attribute(url, "ApproximateNumberOfMessages"), "0");
  EXPECT_EQ(Attribute(url, "ApproximateNumberOfMessagesNotVisible"), "1");

  Ok(Call("DeleteMessage", json::object{{"QueueUrl", url}, {"ReceiptHandle", m["ReceiptHandle"]}}));
  EXPECT_EQ(Attribute(url, "ApproximateNumberOfMessagesNotVisible"), "0");
  // Deleting again is not an error; a malformed handle is.
  Ok(Call("DeleteMessage", json::object{{"QueueUrl", url}, {"ReceiptHandle", m["ReceiptHandle"]}}));
  auto bad = Err(Call("DeleteMessage", json::object{{"QueueUrl", url}, {"ReceiptHandle", "junk"}}));
  EXPECT_EQ(bad.code, "ReceiptHandleIsInvalid");
  EXPECT_EQ(bad.message, "The input receipt handle \"junk\" is not a valid receipt handle.");

  // Prefix selection of message attributes.
  Send(url, "b",
       json::object{{"MessageAttributes",
                     {{"foo.bar", {{"StringValue", "x"}, {"DataType", "String"}}},
                      {"other", {{"StringValue", "y"}, {"DataType", "String"}}}}}});
  auto second = Receive(url, json::object{{"MessageAttributeNames", json::array{"foo.*"}}});
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].as_object()["MessageAttributes"].as_object().size(), 1u);
  EXPECT_TRUE(second[0].as_object()["MessageAttributes"].as_object().contains("foo.bar"));
}

TEST_F(SqsTest, SendValidation) {
  const std::string url = CreateQueue("v", json::object{{"MaximumMessageSize", "1024"}});
  auto chars = Err(Call("SendMessage", json::object{{"QueueUrl", url}, {"MessageBody", "a\x01"}}));
  EXPECT_EQ(chars.code, "InvalidMessageContents");
  EXPECT_EQ(Err(Call("SendMessage",
                     json::object{{"QueueUrl", url}, {"MessageBody", std::string(1025, 'x')}}))
                .code,
            "InvalidParameterValueException");
  Send(url, std::string(1024, 'x'));
  EXPECT_EQ(Err(Call("SendMessage", json::object{{"QueueUrl", url}, {"MessageBody", ""}})).code,
            "MissingRequiredParameterException");
  EXPECT_EQ(Err(Call("SendMessage",
                     json::object{{"QueueUrl", url}, {"MessageBody", "x"}, {"DelaySeconds", 901}}))
                .code,
            "InvalidParameterValueException");
  EXPECT_EQ(Err(Call("SendMessage",
                     json::object{
                         {"QueueUrl", url}, {"MessageBody", "x"}, {"MessageDeduplicationId", "d"}}))
                .code,
            "InvalidParameterValueException");
  EXPECT_EQ(Err(Call("SendMessage",
                     json::object{{"QueueUrl", url},
                                  {"MessageBody", "x"},
                                  {"MessageAttributes",
                                   {{"n", {{"StringValue", "abc"}, {"DataType", "Number"}}}}}}))
                .code,
            "InvalidParameterValueException");
  EXPECT_EQ(Err(Call("SendMessage",
                     json::object{{"QueueUrl", url},
                                  {"MessageBody", "x"},
                                  {"MessageAttributes",
                                   {{"AWS.x", {{"StringValue", "a"}, {"DataType", "String"}}}}}}))
                .code,
            "InvalidParameterValueException");
}

TEST_F(SqsTest, DelayAndVisibilityFollowTheClock) {
  const std::string url = CreateQueue("vis", json::object{{"VisibilityTimeout", "30"}});
  Send(url, "late", json::object{{"DelaySeconds", 10}});
  EXPECT_EQ(Attribute(url, "ApproximateNumberOfMessagesDelayed"), "1");
  EXPECT_TRUE(Receive(url).empty());
  clock_.AdvanceSeconds(10);
  auto first =
      Receive(url, json::object{{"AttributeNames", json::array{"ApproximateReceiveCount"}}});
  ASSERT_EQ(first.size(), 1u);
  const json::value old_handle = first[0].as_object()["ReceiptHandle"];
  clock_.AdvanceSeconds(29);
  EXPECT_TRUE(Receive(url).empty());
  clock_.AdvanceSeconds(1);
  auto second =
      Receive(url, json::object{{"AttributeNames", json::array{"ApproximateReceiveCount"}}});
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].as_object()["Attributes"].as_object()["ApproximateReceiveCount"], "2");
  const json::value handle = second[0].as_object()["ReceiptHandle"];
  EXPECT_NE(handle, old_handle);

  // The old handle is stale: visibility changes fail, deletes succeed without deleting.
  auto stale = Err(Call(
      "ChangeMessageVisibility",
      json::object{{"QueueUrl", url}, {"ReceiptHandle", old_handle}, {"VisibilityTimeout", 5}}));
  EXPECT_EQ(stale.code, "InvalidParameterValueException");
  Ok(Call("DeleteMessage", json::object{{"QueueUrl", url}, {"ReceiptHandle", old_handle}}));
  EXPECT_EQ(Attribute(url, "ApproximateNumberOfMessagesNotVisible"), "1");

  // Visibility 0 makes it visible now; then it is not in flight any more.
  Ok(Call("ChangeMessageVisibility",
          json::object{{"QueueUrl", url}, {"ReceiptHandle", handle}, {"VisibilityTimeout", 0}}));
  EXPECT_EQ(Attribute(url, "ApproximateNumberOfMessages"), "1");
  auto not_inflight = Err(
      Call("ChangeMessageVisibility",
           json::object{{"QueueUrl", url}, {"ReceiptHandle", handle}, {"VisibilityTimeout", 5}}));
  EXPECT_EQ(not_inflight.code, "MessageNotInflight");
  EXPECT_EQ(not_inflight.query_code, "AWS.SimpleQueueService.MessageNotInflight");
  auto third = Receive(url, json::object{{"VisibilityTimeout", 100}});
  ASSERT_EQ(third.size(), 1u);
  clock_.AdvanceSeconds(99);
  EXPECT_TRUE(Receive(url).empty());
  Ok(Call("ChangeMessageVisibility",
          json::object{{"QueueUrl", url},
                       {"ReceiptHandle", third[0].as_object()["ReceiptHandle"]},
                       {"VisibilityTimeout", 60}}));
  clock_.AdvanceSeconds(59);
  EXPECT_TRUE(Receive(url).empty());
  clock_.AdvanceSeconds(1);
  EXPECT_EQ(Receive(url).size(), 1u);
}

// AWS keeps a message hidden at most 12 hours from a receive, however it is extended; a new
// receive starts a new 12 hours. The receive time travels in the receipt handle.
TEST_F(SqsTest, VisibilityStaysWithinTwelveHoursOfTheReceive) {
  const std::string url = CreateQueue("cap");
  Send(url, "m");
  auto change = [&](const json::value& handle, int64_t timeout) {
    return Call(
        "ChangeMessageVisibility",
        json::object{{"QueueUrl", url}, {"ReceiptHandle", handle}, {"VisibilityTimeout", timeout}});
  };
  auto first = Receive(url, json::object{{"VisibilityTimeout", 60}});
  ASSERT_EQ(first.size(), 1u);
  const json::value handle = first[0].as_object()["ReceiptHandle"];
  Ok(change(handle, 43200));  // at the receive instant, the whole 12 hours
  clock_.AdvanceSeconds(100);
  auto e = Err(change(handle, 43200));
  EXPECT_EQ(e.code, "InvalidParameterValueException");
  EXPECT_EQ(e.message,
            "Value 43200 for parameter VisibilityTimeout is invalid. Reason: Total "
            "VisibilityTimeout for the message is beyond the limit [43200 seconds]");
  Ok(change(handle, 43100));  // exactly up to the limit

  // The handle keeps its receive time across a restart.
  Restart();
  clock_.AdvanceSeconds(1);
  EXPECT_EQ(Err(change(handle, 43100)).code, "InvalidParameterValueException");
  auto batch =
      Ok(Call("ChangeMessageVisibilityBatch",
              json::object{{"QueueUrl", url},
                           {"Entries", json::array{json::object{{"Id", "over"},
                                                                {"ReceiptHandle", handle},
                                                                {"VisibilityTimeout", 43100}},
                                                   json::object{{"Id", "fine"},
                                                                {"ReceiptHandle", handle},
                                                                {"VisibilityTimeout", 0}}}}}));
  ASSERT_EQ(batch["Failed"].as_array().size(), 1u);
  EXPECT_EQ(batch["Failed"].as_array()[0].as_object()["Id"], "over");
  EXPECT_EQ(batch["Failed"].as_array()[0].as_object()["Code"], "InvalidParameterValue");

  auto second = Receive(url);  // visible again after the change to 0: a new 12 hours
  ASSERT_EQ(second.size(), 1u);
  Ok(change(second[0].as_object()["ReceiptHandle"], 43200));
}

TEST_F(SqsTest, RetentionExpiresMessages) {
  const std::string url = CreateQueue("ret", json::object{{"MessageRetentionPeriod", "60"}});
  Send(url, "old");
  clock_.AdvanceSeconds(61);
  EXPECT_TRUE(Receive(url).empty());
  Send(url, "new");
  clock_.AdvanceSeconds(61);
  EXPECT_EQ(service_->SweepExpiredMessages(), 1u);
  EXPECT_EQ(Attribute(url, "ApproximateNumberOfMessages"), "0");
}

TEST_F(SqsTest, BatchOperationsAndTheirErrors) {
  const std::string url = CreateQueue("batch");
  EXPECT_EQ(
      Err(Call("SendMessageBatch", json::object{{"QueueUrl", url}, {"Entries", json::array{}}}))
          .code,
      "EmptyBatchRequest");
  json::array eleven;
  for (int i = 0; i < 11; ++i)
    eleven.push_back(json::object{{"Id", std::to_string(i)}, {"MessageBody", "x"}});
  auto too_many =
      Err(Call("SendMessageBatch", json::object{{"QueueUrl", url}, {"Entries", eleven}}));
  EXPECT_EQ(too_many.code, "TooManyEntriesInBatchRequest");
  EXPECT_EQ(too_many.query_code, "AWS.SimpleQueueService.TooManyEntriesInBatchRequest");
  EXPECT_EQ(Err(Call("SendMessageBatch",
                     json::object{{"QueueUrl", url},
                                  {"Entries",
                                   json::array{json::object{{"Id", "a"}, {"MessageBody", "1"}},
                                               json::object{{"Id", "a"}, {"MessageBody", "2"}}}}}))
                .code,
            "BatchEntryIdsNotDistinct");
  EXPECT_EQ(
      Err(Call("SendMessageBatch",
               json::object{
                   {"QueueUrl", url},
                   {"Entries", json::array{json::object{{"Id", "a b"}, {"MessageBody", "1"}}}}}))
          .code,
      "InvalidBatchEntryId");
  auto out = Ok(Call(
      "SendMessageBatch",
      json::object{{"QueueUrl", url},
                   {"Entries", json::array{json::object{{"Id", "ok1"}, {"MessageBody", "1"}},
                                           json::object{{"Id", "bad"}, {"MessageBody", "\x01"}},
                                           json::object{{"Id", "ok2"}, {"MessageBody", "2"}}}}}));
  ASSERT_EQ(out["Successful"].as_array().size(), 2u);
  ASSERT_EQ(out["Failed"].as_array().size(), 1u);
  EXPECT_EQ(out["Failed"].as_array()[0].as_object()["Id"], "bad");
  EXPECT_EQ(out["Failed"].as_array()[0].as_object()["Code"], "InvalidMessageContents");
  EXPECT_EQ(out["Failed"].as_array()[0].as_object()["SenderFault"], true);

  auto msgs = Receive(url, json::object{{"MaxNumberOfMessages", 10}});
  ASSERT_EQ(msgs.size(), 2u);
  EXPECT_EQ(msgs[0].as_object()["Body"], "1");  // standard queues still keep send order here
  json::array changes{
      json::object{{"Id", "c1"},
                   {"ReceiptHandle", msgs[0].as_object()["ReceiptHandle"]},
                   {"VisibilityTimeout", 0}},
      json::object{{"Id", "c2"}, {"ReceiptHandle", "junk"}, {"VisibilityTimeout", 0}}};
  auto changed = Ok(
      Call("ChangeMessageVisibilityBatch", json::object{{"QueueUrl", url}, {"Entries", changes}}));
  EXPECT_EQ(changed["Successful"].as_array().size(), 1u);
  EXPECT_EQ(changed["Failed"].as_array()[0].as_object()["Code"], "ReceiptHandleIsInvalid");
  json::array deletes{
      json::object{{"Id", "d1"}, {"ReceiptHandle", msgs[1].as_object()["ReceiptHandle"]}},
      json::object{{"Id", "d2"}, {"ReceiptHandle", "junk"}}};
  auto deleted =
      Ok(Call("DeleteMessageBatch", json::object{{"QueueUrl", url}, {"Entries", deletes}}));
  EXPECT_EQ(deleted["Successful"].as_array().size(), 1u);
  EXPECT_EQ(deleted["Failed"].as_array().size(), 1u);
  EXPECT_EQ(Attribute(url, "ApproximateNumberOfMessages"), "1");
  EXPECT_EQ(Attribute(url, "ApproximateNumberOfMessagesNotVisible"), "0");
}

TEST_F(SqsTest, ReceiveValidatesParameters) {
  const std::string url = CreateQueue("rv");
  EXPECT_EQ(
      Err(Call("ReceiveMessage", json::object{{"QueueUrl", url}, {"MaxNumberOfMessages", 11}}))
          .code,
      "InvalidParameterValueException");
  EXPECT_EQ(
      Err(Call("ReceiveMessage", json::object{{"QueueUrl", url}, {"MaxNumberOfMessages", 0}})).code,
      "InvalidParameterValueException");
  EXPECT_EQ(
      Err(Call("ReceiveMessage", json::object{{"QueueUrl", url}, {"WaitTimeSeconds", 21}})).code,
      "InvalidParameterValueException");
  EXPECT_EQ(
      Err(Call("ReceiveMessage", json::object{{"QueueUrl", url}, {"VisibilityTimeout", -1}})).code,
      "InvalidParameterValueException");
}

TEST_F(SqsTest, PurgeQueue) {
  const std::string url = CreateQueue("purge");
  Send(url, "a");
  Send(url, "b");
  Ok(Call("PurgeQueue", json::object{{"QueueUrl", url}}));
  EXPECT_EQ(Attribute(url, "ApproximateNumberOfMessages"), "0");
  auto again = Err(Call("PurgeQueue", json::object{{"QueueUrl", url}}));
  EXPECT_EQ(again.code, "PurgeQueueInProgress");
  EXPECT_EQ(again.http_status, 403);
  EXPECT_EQ(again.query_code, "AWS.SimpleQueueService.PurgeQueueInProgress");
  Send(url, "c");
  EXPECT_EQ(Receive(url).size(), 1u);
  clock_.AdvanceSeconds(60);
  Ok(Call("PurgeQueue", json::object{{"QueueUrl", url}}));
}

TEST_F(SqsTest, TagsPermissionsAndDeadLetterSources) {
  const std::string url = CreateQueue("tagged");
  Ok(Call("TagQueue", json::object{{"QueueUrl", url}, {"Tags", {{"team", "a"}, {"env", "dev"}}}}));
  Ok(Call("UntagQueue", json::object{{"QueueUrl", url}, {"TagKeys", json::array{"env"}}}));
  auto tags = Ok(Call("ListQueueTags", json::object{{"QueueUrl", url}}));
  EXPECT_EQ(tags["Tags"], (json::object{{"team", "a"}}));

  Ok(Call("AddPermission", json::object{{"QueueUrl", url},
                                        {"Label", "p1"},
                                        {"AWSAccountIds", json::array{"111122223333"}},
                                        {"Actions", json::array{"SendMessage"}}}));
  auto policy = json::parse(Attribute(url, "Policy")).as_object();
  auto& st = policy["Statement"].as_array()[0].as_object();
  EXPECT_EQ(st["Sid"], "p1");
  EXPECT_EQ(st["Action"], "SQS:SendMessage");
  EXPECT_EQ(st["Principal"].as_object()["AWS"], "arn:aws:iam::111122223333:root");
  EXPECT_EQ(Err(Call("AddPermission", json::object{{"QueueUrl", url},
                                                   {"Label", "p1"},
                                                   {"AWSAccountIds", json::array{"1"}},
                                                   {"Actions", json::array{"*"}}}))
                .code,
            "InvalidParameterValueException");
  Ok(Call("RemovePermission", json::object{{"QueueUrl", url}, {"Label", "p1"}}));
  EXPECT_EQ(Attribute(url, "Policy"), "<absent>");
  EXPECT_EQ(Err(Call("RemovePermission", json::object{{"QueueUrl", url}, {"Label", "p1"}})).code,
            "InvalidParameterValueException");

  const std::string dlq = CreateQueue("dlq");
  const std::string redrive =
      R"({"deadLetterTargetArn":"arn:aws:sqs:us-east-1:123456789012:dlq","maxReceiveCount":3})";
  CreateQueue("src1", json::object{{"RedrivePolicy", redrive}});
  CreateQueue("src2", json::object{{"RedrivePolicy", redrive}});
  auto sources = Ok(Call("ListDeadLetterSourceQueues", json::object{{"QueueUrl", dlq}}));
  EXPECT_EQ(sources["queueUrls"].as_array().size(), 2u);
  EXPECT_EQ(Attribute("http://h/123456789012/src1", "RedrivePolicy"), redrive);
}

TEST_F(SqsTest, InternalSendAndListener) {
  const std::string url = CreateQueue("internal");
  std::atomic<int> announced{0};
  service_->AddMessageListener([&](const MessagesAvailable& e) {
    if (e.queue_arn == "arn:aws:sqs:us-east-1:123456789012:internal") announced += e.count;
  });
  std::promise<Result<std::string>> sent;
  InternalMessage m;
  m.body = "from sns";
  m.sender_id = "AIDAIT2UOQQY3AUEKVGXU";
  MessageAttribute a;
  a.name = "kind";
  a.data_type = "String";
  a.value = "note";
  m.attributes.push_back(a);
  service_->SendInternal("arn:aws:sqs:us-east-1:123456789012:internal", std::move(m),
                         [&](Result<std::string> r) { sent.set_value(std::move(r)); });
  auto id = sent.get_future().get();
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(announced.load(), 1);
  auto msgs = Receive(url, json::object{{"MessageAttributeNames", json::array{"All"}},
                                        {"AttributeNames", json::array{"SenderId"}}});
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(msgs[0].as_object()["MessageId"].as_string(), *id);
  EXPECT_EQ(msgs[0].as_object()["Attributes"].as_object()["SenderId"], "AIDAIT2UOQQY3AUEKVGXU");

  std::promise<Result<std::string>> missing;
  service_->SendInternal("arn:aws:sqs:us-east-1:123456789012:nope", InternalMessage{.body = "x"},
                         [&](Result<std::string> r) { missing.set_value(std::move(r)); });
  auto r = missing.get_future().get();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(ToAwsError(r.status()).code, "QueueDoesNotExist");
}

TEST(SqsKeyspaceTest, FamiliesAreOneQueuesKeysOfOneKind) {
  const std::string m = keyspace::MessageKey('m', 7, 1);
  ASSERT_EQ(keyspace::FamilyLength(m), m.size() - 8);
  auto family = [](const std::string& key) { return key.substr(0, keyspace::FamilyLength(key)); };
  EXPECT_EQ(family(m), family(keyspace::MessageKey('m', 7, 900)));
  EXPECT_NE(family(m), family(keyspace::MessageKey('s', 7, 1)));
  EXPECT_NE(family(m), family(keyspace::MessageKey('m', 8, 1)));
  EXPECT_EQ(keyspace::FamilyLength(keyspace::QueueKey(7)), 0u);
  EXPECT_EQ(keyspace::FamilyLength(keyspace::DedupKey(7, "12345678")), 0u);
  EXPECT_EQ(keyspace::FamilyLength(keyspace::NextUidKey()), 0u);
  EXPECT_EQ(keyspace::FamilyLength(keyspace::AttemptKey(7, "12345678")), 0u);
}

TEST(SqsKeyspaceTest, AttemptKeysAndRecordsRoundTrip) {
  uint64_t uid = 0;
  std::string id;
  ASSERT_TRUE(keyspace::ParseAttemptKey(keyspace::AttemptKey(7, std::string_view("try\0-1", 6)),
                                        &uid, &id));
  EXPECT_EQ(uid, 7u);
  EXPECT_EQ(id, std::string("try\0-1", 6));
  EXPECT_FALSE(keyspace::ParseAttemptKey(keyspace::DedupKey(7, "x"), &uid, &id));

  keyspace::AttemptRecord in{
      .expires_micros = 5, .received_micros = 3, .received = {{9, 2}, {1ull << 40, 0xfffffffe}}};
  keyspace::AttemptRecord out;
  ASSERT_TRUE(keyspace::DecodeAttemptRecord(keyspace::EncodeAttemptRecord(in), &out));
  EXPECT_EQ(out.expires_micros, 5);
  EXPECT_EQ(out.received_micros, 3);
  EXPECT_EQ(out.received, in.received);
  std::string cut = keyspace::EncodeAttemptRecord(in);
  cut.pop_back();  // a truncated entry is refused
  EXPECT_FALSE(keyspace::DecodeAttemptRecord(cut, &out));
}

}  // namespace
}  // namespace tidepool::sqs
