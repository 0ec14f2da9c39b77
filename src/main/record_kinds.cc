#include "main/record_kinds.h"

#include <boost/json/array.hpp>

#include "services/apigateway/keyspace.h"
#include "services/cloudformation/keyspace.h"
#include "services/dynamodb/keyspace.h"
#include "services/iam/keyspace.h"
#include "services/kinesis/keyspace.h"
#include "services/lambda/keyspace.h"
#include "services/logs/keyspace.h"
#include "services/s3/keyspace.h"
#include "services/sns/keyspace.h"
#include "services/sqs/keyspace.h"
#include "services/stepfunctions/keyspace.h"
#include "storage/format_version.h"

namespace tidepool::cli {

std::vector<storage::RecordKind> AllRecordKinds() {
  std::vector<storage::RecordKind> kinds;
  for (auto list : {storage::StoreRecordKinds(), kinesis::keyspace::RecordKinds(),
                    sqs::keyspace::RecordKinds(), sns::keyspace::RecordKinds(),
                    sfn::keyspace::RecordKinds(), dynamodb::keyspace::RecordKinds(),
                    lambda::keyspace::RecordKinds(), s3::keyspace::RecordKinds(),
                    apigateway::keyspace::RecordKinds(), logs::keyspace::RecordKinds(),
                    iam::keyspace::RecordKinds(), cloudformation::keyspace::RecordKinds()}) {
    for (auto& kind : list) kinds.push_back(std::move(kind));
  }
  return kinds;
}

Result<boost::json::object> RecordCensusReport(const storage::Store& store) {
  const std::vector<storage::RecordKind> kinds = AllRecordKinds();
  auto census = storage::TakeRecordCensus(store, kinds);
  if (!census.ok()) return census.status();
  boost::json::array rows;
  for (size_t i = 0; i < kinds.size(); ++i) {
    rows.push_back(boost::json::object{
        {"service", kinds[i].service}, {"kind", kinds[i].name}, {"records", census->records[i]}});
  }
  boost::json::array examples;
  for (const auto& key : census->unclassified_examples)
    examples.push_back(boost::json::string(key));
  return boost::json::object{{"kinds", std::move(rows)},
                             {"unclassified", census->unclassified},
                             {"unclassified_examples", std::move(examples)}};
}

}  // namespace tidepool::cli
