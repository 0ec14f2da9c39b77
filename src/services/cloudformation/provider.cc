#include "services/cloudformation/provider.h"

#include <algorithm>
#include <cctype>
#include <random>
#include <vector>

#include "services/cloudformation/providers/providers.h"

namespace tidepool::cloudformation {
namespace {

const std::vector<ProviderEntry>& Registry() {
  static const std::vector<ProviderEntry> registry = [] {
    std::vector<ProviderEntry> all;
    for (auto table : {CoreProviders(), ServerlessProviders()}) {
      all.insert(all.end(), table.begin(), table.end());
    }
    std::sort(all.begin(), all.end(),
              [](const ProviderEntry& a, const ProviderEntry& b) { return a.type < b.type; });
    return all;
  }();
  return registry;
}

bool Contains(std::string_view s, std::string_view part) {
  return s.find(part) != std::string_view::npos;
}

}  // namespace

const ProviderEntry* FindProvider(std::string_view type) {
  const auto& all = Registry();
  auto it = std::lower_bound(all.begin(), all.end(), type,
                             [](const ProviderEntry& e, std::string_view t) { return e.type < t; });
  return it != all.end() && it->type == type ? &*it : nullptr;
}

std::span<const ProviderEntry> AllProviders() { return Registry(); }

std::string NewNameSuffix() {
  static constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::string suffix;
  for (int i = 0; i < 13; ++i) suffix += kAlphabet[rng() % kAlphabet.size()];
  return suffix;
}

std::string GeneratedName(const ResourceRequest& r, size_t max_length, bool lower_case) {
  const std::string suffix = r.name_suffix.empty() ? NewNameSuffix() : r.name_suffix;
  // "<stack>-<logical>-<suffix>": the stack and logical id share what the suffix leaves.
  size_t room = max_length > suffix.size() + 2 ? max_length - suffix.size() - 2 : 0;
  std::string stack = r.stack_name;
  std::string logical = r.logical_id;
  while (stack.size() + logical.size() > room) {
    if (stack.size() >= logical.size() && !stack.empty()) {
      stack.pop_back();
    } else if (!logical.empty()) {
      logical.pop_back();
    } else {
      break;
    }
  }
  std::string name = stack + "-" + logical + "-" + suffix;
  if (name.size() > max_length) name.resize(max_length);
  if (lower_case) {
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return name;
}

Status ServiceFailure(const ServiceError& e) {
  std::string_view code = e.code;
  std::string message = e.message.empty() ? e.code : e.message;
  if (Contains(code, "NotFound") || code == "NoSuchBucket" || code == "NoSuchEntity" ||
      code == "QueueDoesNotExist" || code == "AWS.SimpleQueueService.NonExistentQueue") {
    return Status::NotFound(std::move(message));
  }
  if (Contains(code, "AlreadyExists") || code == "ResourceInUseException" ||
      code == "ResourceConflictException" || code == "BucketAlreadyOwnedByYou" ||
      code == "EntityAlreadyExists" || code == "QueueAlreadyExists" ||
      code == "ConflictException") {
    return Status::AlreadyExists(std::move(message));
  }
  if (Contains(code, "Validation") || Contains(code, "InvalidParameter") ||
      Contains(code, "Invalid") || code == "BadRequestException" ||
      code == "MalformedPolicyDocument") {
    return Status::InvalidArgument(std::move(message));
  }
  if (Contains(code, "Throttl") || Contains(code, "TooManyRequests") ||
      code == "LimitExceededException") {
    return Status::ResourceExhausted(std::move(message));
  }
  return Status::Internal(std::move(message));
}

std::string_view HandlerErrorCode(const Status& s) {
  switch (s.code()) {
    case StatusCode::kNotFound:
      return "NotFound";
    case StatusCode::kAlreadyExists:
      return "AlreadyExists";
    case StatusCode::kInvalidArgument:
      return "InvalidRequest";
    case StatusCode::kResourceExhausted:
      return "Throttling";
    default:
      return "GeneralServiceException";
  }
}

Result<boost::json::object> CallOrFail(ServiceCaller& services, std::string_view service,
                                       std::string_view operation, boost::json::object input) {
  auto answer = services.Call(service, operation, std::move(input));
  if (auto* e = std::get_if<ServiceError>(&answer)) return ServiceFailure(*e);
  return std::move(std::get<boost::json::object>(answer));
}

}  // namespace tidepool::cloudformation
