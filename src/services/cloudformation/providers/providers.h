// The provider tables the registry (provider.cc) merges, one per family of types so that each
// family's providers live together:
// - core_providers.cc: queues, topics, streams, tables, buckets, log groups, IAM (SQS, SNS,
//   Kinesis, DynamoDB, S3, Logs, IAM);
// - serverless_providers.cc: functions and what runs them or fronts them (Lambda, Step
//   Functions, API Gateway REST and HTTP APIs).
// A type appears in exactly one table.
#pragma once

#include <span>

#include "services/cloudformation/provider.h"

namespace tidepool::cloudformation {

std::span<const ProviderEntry> CoreProviders();
std::span<const ProviderEntry> ServerlessProviders();

}  // namespace tidepool::cloudformation
