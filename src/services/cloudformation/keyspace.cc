#include "services/cloudformation/keyspace.h"

#include "storage/key_codec.h"

namespace tidepool::cloudformation::keyspace {
namespace {

constexpr std::string_view kRoot("cfn\0", 4);

std::string Kind(char kind) {
  std::string key(kRoot);
  key.push_back(kind);
  return key;
}

}  // namespace

std::string StackPrefix() { return Kind('s'); }

std::string StackKey(std::string_view stack_id) {
  std::string key = Kind('s');
  storage::AppendOrderedString(&key, stack_id);
  return key;
}

std::vector<storage::RecordKind> RecordKinds() { return {{"cloudformation", "stack", Kind('s')}}; }

}  // namespace tidepool::cloudformation::keyspace
