// KinesisService: resharding, retention, consumers, tags, settings, transitions, recovery.
#include <gtest/gtest.h>

#include "services/kinesis/kinesis_test_harness.h"

namespace tidepool::kinesis::testing {
namespace {

std::string Str(const json::value& v) { return std::string(v.as_string()); }
constexpr std::string_view kArn = "arn:aws:kinesis:us-east-1:123456789012:stream/s";

TEST(KinesisReshardTest, SplitShardClosesParentAndGetRecordsReturnsChildren) {
  KinesisHarness h;
  h.CreateStream("s", 1);
  h.Put("s", "before", "k");
  const std::string parent_it = h.Iterator("s", "shardId-000000000000", "TRIM_HORIZON");
  auto err = h.Err("SplitShard", R"({"StreamName":"s","ShardToSplit":"shardId-000000000000",)"
                                 R"("NewStartingHashKey":"1"})");
  EXPECT_EQ(err.code, "InvalidArgumentException");
  EXPECT_EQ(err.message,
            "NewStartingHashKey 1 used in SplitShard() on shard shardId-000000000000 in stream s "
            "under account 123456789012 is not both greater than one plus the shard's "
            "StartingHashKey 0 and less than the shard's EndingHashKey "
            "340282366920938463463374607431768211455.");
  h.Ok("SplitShard", R"({"StreamName":"s","ShardToSplit":"shardId-000000000000",)"
                     R"("NewStartingHashKey":"170141183460469231731687303715884105728"})");
  auto shards = h.Ok("ListShards", R"({"StreamName":"s"})")["Shards"].as_array();
  ASSERT_EQ(shards.size(), 3u);
  EXPECT_TRUE(shards[0].at("SequenceNumberRange").as_object().contains("EndingSequenceNumber"));
  EXPECT_EQ(Str(shards[1].at("ParentShardId")), "shardId-000000000000");
  EXPECT_EQ(Str(shards[1].at("HashKeyRange").at("EndingHashKey")),
            "170141183460469231731687303715884105727");
  EXPECT_EQ(Str(shards[2].at("HashKeyRange").at("StartingHashKey")),
            "170141183460469231731687303715884105728");
  // Writes now go to the children.
  EXPECT_EQ(Str(h.Put("s", "after", "b")["ShardId"]), "shardId-000000000002");
  auto out = h.Get(parent_it);
  ASSERT_EQ(out["Records"].as_array().size(), 1u);
  EXPECT_FALSE(out.contains("NextShardIterator"));
  const auto& children = out["ChildShards"].as_array();
  ASSERT_EQ(children.size(), 2u);
  EXPECT_EQ(Str(children[0].at("ShardId")), "shardId-000000000001");
  EXPECT_EQ(Str(children[0].at("ParentShards").as_array()[0]), "shardId-000000000000");
  // The parent is closed for splitting again.
  err = h.Err("SplitShard", R"({"StreamName":"s","ShardToSplit":"shardId-000000000000",)"
                            R"("NewStartingHashKey":"170141183460469231731687303715884105728"})");
  EXPECT_EQ(err.code, "InvalidArgumentException");
  // ListShards filters.
  EXPECT_EQ(h.Ok("ListShards", R"({"StreamName":"s","ShardFilter":{"Type":"AT_LATEST"}})")["Shards"]
                .as_array()
                .size(),
            2u);
  EXPECT_EQ(
      h.Ok("ListShards", R"({"StreamName":"s","ShardFilter":{"Type":"AT_TRIM_HORIZON"}})")["Shards"]
          .as_array()
          .size(),
      1u);
  EXPECT_EQ(h.Ok("ListShards", R"({"StreamName":"s","ShardFilter":{"Type":"AFTER_SHARD_ID",)"
                               R"("ShardId":"shardId-000000000001"}})")["Shards"]
                .as_array()
                .size(),
            1u);
}

TEST(KinesisReshardTest, MergeAndListShardsPaging) {
  KinesisHarness h;
  h.CreateStream("s", 3);
  auto err = h.Err("MergeShards", R"({"StreamName":"s","ShardToMerge":"shardId-000000000000",)"
                                  R"("AdjacentShardToMerge":"shardId-000000000002"})");
  EXPECT_EQ(err.code, "InvalidArgumentException");
  EXPECT_EQ(err.message,
            "Shards shardId-000000000000 and shardId-000000000002 in stream s under account "
            "123456789012 are not an adjacent pair of shards eligible for merging");
  h.Ok("MergeShards", R"({"StreamName":"s","ShardToMerge":"shardId-000000000000",)"
                      R"("AdjacentShardToMerge":"shardId-000000000001"})");
  auto page = h.Ok("ListShards", R"({"StreamName":"s","MaxResults":3})");
  ASSERT_EQ(page["Shards"].as_array().size(), 3u);
  const auto& merged_page =
      h.Ok("ListShards", fmt::format(R"({{"NextToken":"{}"}})", Str(page["NextToken"])));
  const auto& merged = merged_page.at("Shards").as_array();
  ASSERT_EQ(merged.size(), 1u);
  EXPECT_EQ(Str(merged[0].at("ParentShardId")), "shardId-000000000000");
  EXPECT_EQ(Str(merged[0].at("AdjacentParentShardId")), "shardId-000000000001");
  EXPECT_EQ(Str(merged[0].at("HashKeyRange").at("StartingHashKey")), "0");
  err = h.Err("ListShards",
              fmt::format(R"({{"StreamName":"s","NextToken":"{}"}})", Str(page["NextToken"])));
  EXPECT_EQ(err.code, "InvalidArgumentException");
  EXPECT_EQ(err.message, "NextToken and StreamName cannot be provided together.");
}

TEST(KinesisReshardTest, UpdateShardCount) {
  KinesisHarness h;
  h.CreateStream("s", 2);
  auto err = h.Err("UpdateShardCount",
                   R"({"StreamName":"s","TargetShardCount":5,"ScalingType":"UNIFORM_SCALING"})");
  EXPECT_EQ(err.code, "LimitExceededException");
  EXPECT_EQ(err.message,
            "UpdateShardCount cannot scale up over double your current open shard count. Current "
            "open shard count: 2, Target shard count: 5");
  auto out = h.Ok("UpdateShardCount",
                  R"({"StreamName":"s","TargetShardCount":3,"ScalingType":"UNIFORM_SCALING"})");
  EXPECT_EQ(out["CurrentShardCount"].as_int64(), 2);
  EXPECT_EQ(out["TargetShardCount"].as_int64(), 3);
  auto open = h.Ok("ListShards", R"({"StreamName":"s","ShardFilter":{"Type":"AT_LATEST"}})");
  ASSERT_EQ(open["Shards"].as_array().size(), 3u);
  EXPECT_EQ(Str(open["Shards"].as_array()[1].at("ParentShardId")), "shardId-000000000000");
  EXPECT_EQ(Str(open["Shards"].as_array()[1].at("AdjacentParentShardId")), "shardId-000000000001");
  err = h.Err("UpdateShardCount",
              R"({"StreamName":"s","TargetShardCount":1,"ScalingType":"UNIFORM_SCALING"})");
  EXPECT_NE(err.message.find("cannot scale down below half"), std::string::npos);
}

TEST(KinesisRetentionTest, ExpiredRecordsAreUnreadableAndTrimmed) {
  KinesisHarness h;
  h.CreateStream("s", 1);
  h.Put("s", "old", "k");
  h.clock().AdvanceSeconds(23 * 3600);
  h.Put("s", "new", "k");
  h.clock().AdvanceSeconds(3600 + 1);
  auto out = h.Get(h.Iterator("s", "shardId-000000000000", "TRIM_HORIZON"));
  ASSERT_EQ(out["Records"].as_array().size(), 1u);
  EXPECT_EQ(Str(out["Records"].as_array()[0].at("Data")), "new");
  EXPECT_EQ(h.service().TrimExpiredRecords(), 1u);
  h.commits().Flush();
  EXPECT_EQ(h.service().TrimExpiredRecords(), 0u);
  // Counters continue after a restart even when the shard's records are all trimmed.
  h.clock().AdvanceSeconds(24 * 3600);
  EXPECT_EQ(h.service().TrimExpiredRecords(), 1u);
  h.Restart();
  auto seq = Str(h.Put("s", "x", "k")["SequenceNumber"]);
  auto it = h.Iterator("s", "shardId-000000000000", "AT_SEQUENCE_NUMBER",
                       R"(,"StartingSequenceNumber":")" + seq + R"(")");
  ASSERT_EQ(h.Get(it)["Records"].as_array().size(), 1u);
}

TEST(KinesisRetentionTest, BatchesAreTrimmedWithTheirNewestRecord) {
  KinesisHarness h;
  h.CreateStream("s", 1);
  const std::string three =
      fmt::format(R"({{"StreamName":"s","Records":[{{"Data":"{0}","PartitionKey":"k"}},)"
                  R"({{"Data":"{0}","PartitionKey":"k"}},{{"Data":"{0}","PartitionKey":"k"}}]}})",
                  B64("old"));
  h.Ok("PutRecords", three);
  h.clock().AdvanceSeconds(12 * 3600);
  h.Ok("PutRecords", three);
  h.clock().AdvanceSeconds(12 * 3600 + 1);
  // The first batch expired, the second did not.
  EXPECT_EQ(
      h.Get(h.Iterator("s", "shardId-000000000000", "TRIM_HORIZON"))["Records"].as_array().size(),
      3u);
  EXPECT_EQ(h.service().TrimExpiredRecords(), 3u);
  h.commits().Flush();
  EXPECT_EQ(h.service().TrimExpiredRecords(), 0u);
}

TEST(KinesisRetentionTest, RetentionPeriodRules) {
  KinesisHarness h;
  h.CreateStream("s", 1);
  auto err =
      h.Err("IncreaseStreamRetentionPeriod", R"({"StreamName":"s","RetentionPeriodHours":8761})");
  EXPECT_EQ(err.message,
            "Maximum allowed retention period is 8760 hours. Requested retention period (8761 "
            "hours) is too long.");
  h.Ok("IncreaseStreamRetentionPeriod", R"({"StreamName":"s","RetentionPeriodHours":48})");
  err = h.Err("IncreaseStreamRetentionPeriod", R"({"StreamName":"s","RetentionPeriodHours":30})");
  EXPECT_EQ(err.message,
            "Requested retention period (30 hours) for stream s can not be shorter than existing "
            "retention period (48 hours). Use DecreaseRetentionPeriod API.");
  err = h.Err("DecreaseStreamRetentionPeriod", R"({"StreamName":"s","RetentionPeriodHours":20})");
  EXPECT_EQ(err.message,
            "Minimum allowed retention period is 24 hours. Requested retention period (20 "
            "hours) is too short.");
  h.Ok("DecreaseStreamRetentionPeriod", R"({"StreamName":"s","RetentionPeriodHours":24})");
  EXPECT_EQ(h.Ok("DescribeStreamSummary", R"({"StreamName":"s"})")["StreamDescriptionSummary"]
                .at("RetentionPeriodHours")
                .as_int64(),
            24);
}

TEST(KinesisTransitionTest, CreatingUpdatingDeletingWithDelay) {
  KinesisOptions options;
  options.transition_delay = std::chrono::milliseconds(200);
  KinesisHarness h(options);
  h.CreateStream("s", 1);
  auto status = [&] {
    auto out = h.Invoke("DescribeStreamSummary", R"({"StreamName":"s"})");
    if (auto* err = std::get_if<protocol::AwsError>(&out)) return err->code;
    return Str(std::get<json::object>(out)["StreamDescriptionSummary"].at("StreamStatus"));
  };
  EXPECT_EQ(status(), "CREATING");
  EXPECT_EQ(h.Err("PutRecord", R"({"StreamName":"s","Data":"","PartitionKey":"k"})").code,
            "ResourceNotFoundException");
  auto err = h.Err("SplitShard", R"({"StreamName":"s","ShardToSplit":"shardId-000000000000",)"
                                 R"("NewStartingHashKey":"1000"})");
  EXPECT_EQ(err.code, "ResourceInUseException");
  EXPECT_EQ(err.message,
            "Stream s under account 123456789012 not ACTIVE, instead in state CREATING");
  h.io().run_for(std::chrono::milliseconds(400));
  h.commits().Flush();
  EXPECT_EQ(status(), "ACTIVE");
  h.Ok("SplitShard", R"({"StreamName":"s","ShardToSplit":"shardId-000000000000",)"
                     R"("NewStartingHashKey":"1000"})");
  EXPECT_EQ(status(), "UPDATING");
  h.Put("s", "during update", "k");
  h.io().restart();
  h.io().run_for(std::chrono::milliseconds(400));
  h.commits().Flush();
  EXPECT_EQ(status(), "ACTIVE");
  h.Ok("DeleteStream", R"({"StreamName":"s"})");
  EXPECT_EQ(status(), "DELETING");
  h.io().restart();
  h.io().run_for(std::chrono::milliseconds(400));
  h.commits().Flush();
  EXPECT_EQ(status(), "ResourceNotFoundException");
}

TEST(KinesisConsumerTest, RegisterDescribeListDeregister) {
  KinesisHarness h;
  h.CreateStream("s", 1);
  auto reg = h.Ok("RegisterStreamConsumer",
                  fmt::format(R"({{"StreamARN":"{}","ConsumerName":"c1"}})", kArn));
  const std::string arn = Str(reg["Consumer"].at("ConsumerARN"));
  EXPECT_EQ(arn, std::string(kArn) + "/consumer/c1:1700000000");
  EXPECT_EQ(Str(reg["Consumer"].at("ConsumerStatus")), "ACTIVE");
  EXPECT_EQ(h.Err("RegisterStreamConsumer",
                  fmt::format(R"({{"StreamARN":"{}","ConsumerName":"c1"}})", kArn))
                .code,
            "ResourceInUseException");
  auto d = h.Ok("DescribeStreamConsumer", fmt::format(R"({{"ConsumerARN":"{}"}})", arn));
  EXPECT_EQ(Str(d["ConsumerDescription"].at("StreamARN")), kArn);
  d = h.Ok("DescribeStreamConsumer",
           fmt::format(R"({{"StreamARN":"{}","ConsumerName":"c1"}})", kArn));
  EXPECT_EQ(Str(d["ConsumerDescription"].at("ConsumerName")), "c1");
  EXPECT_EQ(h.Ok("ListStreamConsumers", fmt::format(R"({{"StreamARN":"{}"}})", kArn))["Consumers"]
                .as_array()
                .size(),
            1u);
  auto err = h.Err("DeleteStream", R"({"StreamName":"s"})");
  EXPECT_EQ(err.code, "ResourceInUseException");
  auto sub = h.Err("SubscribeToShard",
                   fmt::format(R"({{"ConsumerARN":"{}","ShardId":"shardId-000000000005",)"
                               R"("StartingPosition":{{"Type":"LATEST"}}}})",
                               arn));
  EXPECT_EQ(sub.code, "ResourceNotFoundException");
  h.Ok("DeregisterStreamConsumer", fmt::format(R"({{"ConsumerARN":"{}"}})", arn));
  EXPECT_EQ(h.Err("DescribeStreamConsumer", fmt::format(R"({{"ConsumerARN":"{}"}})", arn)).code,
            "ResourceNotFoundException");
  h.Ok("RegisterStreamConsumer", fmt::format(R"({{"StreamARN":"{}","ConsumerName":"c2"}})", kArn));
  h.Ok("DeleteStream", R"({"StreamName":"s","EnforceConsumerDeletion":true})");
}

TEST(KinesisTagTest, BothApisAndLimit) {
  KinesisHarness h;
  h.Ok("CreateStream", R"({"StreamName":"s","ShardCount":1,"Tags":{"a":"1"}})");
  h.Ok("AddTagsToStream", R"({"StreamName":"s","Tags":{"b":"2","c":"3"}})");
  auto list = h.Ok("ListTagsForStream", R"({"StreamName":"s","Limit":2})");
  EXPECT_EQ(list["Tags"].as_array().size(), 2u);
  EXPECT_TRUE(list["HasMoreTags"].as_bool());
  h.Ok("RemoveTagsFromStream", R"({"StreamName":"s","TagKeys":["a"]})");
  h.Ok("TagResource", fmt::format(R"({{"ResourceARN":"{}","Tags":{{"d":"4"}}}})", kArn));
  h.Ok("UntagResource", fmt::format(R"({{"ResourceARN":"{}","TagKeys":["b"]}})", kArn));
  auto tags = h.Ok("ListTagsForResource", fmt::format(R"({{"ResourceARN":"{}"}})", kArn));
  ASSERT_EQ(tags["Tags"].as_array().size(), 2u);
  EXPECT_EQ(Str(tags["Tags"].as_array()[0].at("Key")), "c");
  std::string many;
  for (int i = 0; i < 49; ++i) many += fmt::format(R"({}"k{}":"v")", i ? "," : "", i);
  auto err = h.Err("AddTagsToStream", R"({"StreamName":"s","Tags":{)" + many + "}}");
  EXPECT_EQ(err.code, "InvalidArgumentException");
  EXPECT_EQ(err.message,
            "Failed to add tags to stream s under account 123456789012 because a given stream "
            "cannot have more than 50 tags associated with it.");
}

TEST(KinesisSettingsTest, EncryptionMonitoringPolicyAccountAndRecordSize) {
  KinesisHarness h;
  h.CreateStream("s", 1);
  h.Ok("StartStreamEncryption", R"({"StreamName":"s","EncryptionType":"KMS","KeyId":"alias/k"})");
  auto d = h.Ok("DescribeStream", R"({"StreamName":"s"})")["StreamDescription"];
  EXPECT_EQ(Str(d.at("EncryptionType")), "KMS");
  EXPECT_EQ(Str(d.at("KeyId")), "alias/k");
  h.Put("s", "secret", "k");
  auto rec = h.Get(h.Iterator("s", "shardId-000000000000", "TRIM_HORIZON"))["Records"];
  EXPECT_EQ(Str(rec.as_array()[0].at("EncryptionType")), "KMS");
  h.Ok("StopStreamEncryption", R"({"StreamName":"s","EncryptionType":"KMS","KeyId":"alias/k"})");

  auto mon = h.Ok("EnableEnhancedMonitoring", R"({"StreamName":"s","ShardLevelMetrics":["ALL"]})");
  EXPECT_EQ(mon["DesiredShardLevelMetrics"].as_array().size(), 7u);
  mon = h.Ok("DisableEnhancedMonitoring",
             R"({"StreamName":"s","ShardLevelMetrics":["IncomingBytes"]})");
  EXPECT_EQ(mon["DesiredShardLevelMetrics"].as_array().size(), 6u);

  const std::string policy = R"({\"Version\":\"2012-10-17\",\"Statement\":[]})";
  h.Ok("PutResourcePolicy", fmt::format(R"({{"ResourceARN":"{}","Policy":"{}"}})", kArn, policy));
  EXPECT_EQ(
      Str(h.Ok("GetResourcePolicy", fmt::format(R"({{"ResourceARN":"{}"}})", kArn))["Policy"]),
      R"({"Version":"2012-10-17","Statement":[]})");
  h.Ok("DeleteResourcePolicy", fmt::format(R"({{"ResourceARN":"{}"}})", kArn));
  EXPECT_EQ(h.Err("DeleteResourcePolicy", fmt::format(R"({{"ResourceARN":"{}"}})", kArn)).code,
            "ResourceNotFoundException");

  EXPECT_EQ(
      Str(h.Ok("DescribeAccountSettings", "{}")["MinimumThroughputBillingCommitment"].at("Status")),
      "DISABLED");
  auto acct = h.Ok("UpdateAccountSettings",
                   R"({"MinimumThroughputBillingCommitment":{"Status":"ENABLED"}})");
  EXPECT_EQ(Str(acct["MinimumThroughputBillingCommitment"].at("Status")), "ENABLED");

  const std::string big = B64(std::string(1 << 20, 'x'));
  EXPECT_EQ(
      h.Err("PutRecord", R"({"StreamName":"s","PartitionKey":"k","Data":")" + big + "\"}").code,
      "ValidationException");
  h.Ok("UpdateMaxRecordSize",
       fmt::format(R"({{"StreamARN":"{}","MaxRecordSizeInKiB":2048}})", kArn));
  h.Ok("PutRecord", R"({"StreamName":"s","PartitionKey":"k","Data":")" + big + "\"}");

  auto warm = h.Err("UpdateStreamWarmThroughput", R"({"StreamName":"s","WarmThroughputMiBps":5})");
  EXPECT_EQ(warm.code, "InvalidArgumentException");
}

TEST(KinesisRecoveryTest, EverythingSurvivesARestart) {
  KinesisHarness h;
  h.CreateStream("s", 2);
  h.CreateStream("other", 1);
  h.Put("s", "r1", "a");
  h.Put("s", "r2", "a");
  h.Ok("SplitShard", R"({"StreamName":"s","ShardToSplit":"shardId-000000000001",)"
                     R"("NewStartingHashKey":"255211775190703847597530955573826158592"})");
  h.Ok("AddTagsToStream", R"({"StreamName":"s","Tags":{"team":"data"}})");
  h.Ok("RegisterStreamConsumer", fmt::format(R"({{"StreamARN":"{}","ConsumerName":"c"}})", kArn));
  h.Ok("IncreaseStreamRetentionPeriod", R"({"StreamName":"s","RetentionPeriodHours":72})");
  h.Ok("UpdateAccountSettings", R"({"MinimumThroughputBillingCommitment":{"Status":"ENABLED"}})");
  const std::string before = json::serialize(h.Ok("DescribeStream", R"({"StreamName":"s"})"));
  const std::string last_seq = Str(h.Put("s", "r3", "a")["SequenceNumber"]);
  const std::string it = h.Iterator("s", "shardId-000000000000", "TRIM_HORIZON");

  h.Restart();
  EXPECT_EQ(json::serialize(h.Ok("DescribeStream", R"({"StreamName":"s"})")), before);
  EXPECT_EQ(h.Ok("ListStreams", "{}")["StreamNames"].as_array().size(), 2u);
  auto records = h.Get(it)["Records"].as_array();  // iterators survive a restart
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(Str(records[2].at("SequenceNumber")), last_seq);
  const std::string next_seq = Str(h.Put("s", "r4", "a")["SequenceNumber"]);
  EXPECT_GT(next_seq, last_seq);
  EXPECT_EQ(h.Ok("ListTagsForStream", R"({"StreamName":"s"})")["Tags"].as_array().size(), 1u);
  EXPECT_EQ(h.Ok("ListStreamConsumers", fmt::format(R"({{"StreamARN":"{}"}})", kArn))["Consumers"]
                .as_array()
                .size(),
            1u);
  EXPECT_EQ(
      Str(h.Ok("DescribeAccountSettings", "{}")["MinimumThroughputBillingCommitment"].at("Status")),
      "ENABLED");
  // A new stream gets a fresh uid: its sequence numbers differ from the old streams'.
  h.CreateStream("third", 1);
  EXPECT_EQ(h.Err("GetShardIterator",
                  R"({"StreamName":"third","ShardId":"shardId-000000000000",)"
                  R"("ShardIteratorType":"AT_SEQUENCE_NUMBER","StartingSequenceNumber":")" +
                      last_seq + R"("})")
                .code,
            "InvalidArgumentException");
}

}  // namespace
}  // namespace tidepool::kinesis::testing
