// State machine versions and aliases: PublishStateMachineVersion, ListStateMachineVersions,
// DeleteStateMachineVersion, Create/Describe/Update/Delete/ListStateMachineAliases, and what
// StartExecution runs for a version or alias ARN.
//
// A version is an immutable copy of its machine (definition, role, type, logging, tracing,
// revision) named "<machine arn>:<n>"; numbers only grow (a deleted version's number is not
// given again). Publishing a machine whose revision is already the latest version's returns
// that version, as AWS does. An alias "<machine arn>:<name>" routes executions to one or two
// versions by weight (percent, summing to 100).
#include <fmt/format.h>
#include <boost/json.hpp>

#include <algorithm>
#include <random>

#include "core/arn.h"
#include "protocol/input.h"
#include "services/stepfunctions/keyspace.h"
#include "services/stepfunctions/names.h"
#include "services/stepfunctions/sfn_errors.h"
#include "services/stepfunctions/stepfunctions_service.h"
#include "services/write_path.h"

namespace tidepool::sfn {
namespace json = boost::json;
using protocol::CallPtr;
using protocol::InputArray;
using protocol::InputStringView;

namespace {

constexpr int64_t kMaxVersions = 1000;
constexpr size_t kMaxAliases = 100;

// "stateMachine:<name>[:<qualifier>]" parts of a states ARN; nullopt when it is not one.
struct MachineArnParts {
  std::string machine_arn;  // without the qualifier
  std::string qualifier;    // "" | version number | alias name
};
std::optional<MachineArnParts> SplitMachineArn(std::string_view arn) {
  auto parsed = Arn::Parse(arn);
  if (!parsed || parsed->service != "states" || !parsed->resource.starts_with("stateMachine:")) {
    return std::nullopt;
  }
  std::string_view rest = std::string_view(parsed->resource).substr(13);
  const size_t colon = rest.find(':');
  MachineArnParts out;
  if (colon == std::string_view::npos) {
    out.machine_arn = std::string(arn);
  } else {
    out.machine_arn = std::string(arn.substr(0, arn.size() - (rest.size() - colon)));
    out.qualifier = std::string(rest.substr(colon + 1));
  }
  return out;
}

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

Status InvalidArn(std::string_view arn) {
  return SfnStatus(SfnError::kInvalidArn, fmt::format("Invalid Arn: '{}'", arn));
}

// AWS's alias name rule: 1-80 of [a-zA-Z0-9_.-] with at least one non-digit.
Status CheckAliasName(std::string_view name) {
  bool ok = !name.empty() && name.size() <= 80 && !AllDigits(name);
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '.') {
      ok = false;
    }
  }
  if (ok) return Status::Ok();
  return SfnStatus(SfnError::kInvalidName, fmt::format("Invalid Name: '{}'", name));
}

// The offset a version or alias listing of machine `arn` starts at (its nextToken); refuses a
// qualified ARN.
Result<size_t> ListStart(const json::object& in, std::string_view arn) {
  auto parts = SplitMachineArn(arn);
  if (!parts || !parts->qualifier.empty()) return InvalidArn(arn);
  return ParsePageToken(InputStringView(in, "nextToken"));
}

}  // namespace

std::shared_ptr<StepFunctionsService::StateMachine> StepFunctionsService::LatestVersionLocked(
    const std::string& machine_arn) const {
  std::shared_ptr<StateMachine> latest;
  const std::string prefix = machine_arn + ":";
  for (auto it = versions_.lower_bound(prefix);
       it != versions_.end() && it->first.starts_with(prefix); ++it) {
    if (!latest || it->second->version > latest->version) latest = it->second;
  }
  return latest;
}

std::shared_ptr<StepFunctionsService::StateMachine> StepFunctionsService::PublishLocked(
    StateMachine& m, std::string description, storage::WriteBatch* batch) {
  if (auto latest = LatestVersionLocked(m.arn); latest && latest->revision_id == m.revision_id) {
    return latest;
  }
  auto v = std::make_shared<StateMachine>(m);
  v->uid = NextUidLocked();
  v->version = m.next_version++;
  v->parent = m.arn;
  v->arn = fmt::format("{}:{}", m.arn, v->version);
  v->description = std::move(description);
  v->created = v->updated = clock_.NowSeconds();
  v->tags.clear();
  versions_[v->arn] = v;
  batch->Put(keyspace::Key('m', v->uid), json::serialize(MachineRecord(*v)));
  batch->Put(keyspace::Key('m', m.uid), json::serialize(MachineRecord(m)));
  return v;
}

json::object StepFunctionsService::AliasRecord(const Alias& a) const {
  json::array routing;
  for (const auto& [version, weight] : a.routing) routing.push_back(json::array{version, weight});
  return json::object{{"arn", a.arn},
                      {"name", a.name},
                      {"machine_arn", a.machine_arn},
                      {"description", a.description},
                      {"routing", std::move(routing)},
                      {"created", a.created},
                      {"updated", a.updated}};
}

Result<StepFunctionsService::StartTarget> StepFunctionsService::ResolveStartTarget(
    std::string_view arn) const {
  auto parts = SplitMachineArn(arn);
  if (!parts || parts->qualifier.empty() || AllDigits(parts->qualifier)) {
    auto m = ResolveMachine(arn);
    if (!m.ok()) return m.status();
    std::shared_lock lock(mu_);
    StartTarget t{*m, (*m)->parent.empty() ? (*m)->arn : (*m)->parent, "", ""};
    if (!(*m)->parent.empty()) t.version_arn = (*m)->arn;
    return t;
  }
  std::shared_lock lock(mu_);
  auto it = aliases_.find(std::string(arn));
  if (it == aliases_.end()) {
    return SfnStatus(SfnError::kStateMachineDoesNotExist,
                     fmt::format("State Machine Does Not Exist: '{}'", arn));
  }
  const Alias& a = *it->second;
  static thread_local std::mt19937 rng{std::random_device{}()};
  int64_t pick = std::uniform_int_distribution<int64_t>(0, 99)(rng);
  std::string version = a.routing.empty() ? std::string() : a.routing.front().first;
  for (const auto& [v, weight] : a.routing) {
    if (pick < weight) {
      version = v;
      break;
    }
    pick -= weight;
  }
  auto v = versions_.find(version);
  if (v == versions_.end()) {
    return SfnStatus(SfnError::kStateMachineDoesNotExist,
                     fmt::format("State Machine Does Not Exist: '{}'", version));
  }
  return StartTarget{v->second, a.machine_arn, version, a.arn};
}

void StepFunctionsService::PublishStateMachineVersion(CallPtr call) {
  const auto& in = call->input();
  std::string_view arn = InputStringView(in, "stateMachineArn").value_or("");
  auto parts = SplitMachineArn(arn);
  if (parts && !parts->qualifier.empty()) return Fail(call, InvalidArn(arn));
  auto m = ResolveMachine(arn);
  if (!m.ok()) return Fail(call, m.status());
  std::unique_lock lock(mu_);
  StateMachine& sm = **m;
  if (auto rev = InputStringView(in, "revisionId"); rev && *rev != sm.revision_id) {
    return Fail(call, SfnStatus(SfnError::kConflict,
                                fmt::format("Failed to publish the state machine version: the "
                                            "revision id '{}' is not the current revision '{}'",
                                            *rev, sm.revision_id)));
  }
  auto latest = LatestVersionLocked(sm.arn);
  if ((!latest || latest->revision_id != sm.revision_id) && sm.next_version > kMaxVersions) {
    // AWS allows 1,000 versions per machine.
    size_t live = 0;
    for (auto it = versions_.lower_bound(sm.arn + ":");
         it != versions_.end() && it->first.starts_with(sm.arn + ":"); ++it) {
      ++live;
    }
    if (live >= static_cast<size_t>(kMaxVersions)) {
      return Fail(call, SfnStatus(SfnError::kServiceQuotaExceeded,
                                  "The maximum number of versions (1000) has been reached"));
    }
  }
  storage::WriteBatch batch;
  auto v = PublishLocked(sm, std::string(InputStringView(in, "description").value_or("")), &batch);
  json::object out{{"creationDate", v->created}, {"stateMachineVersionArn", v->arn}};
  if (batch.empty()) return call->Reply(std::move(out));
  Submit(std::move(batch), call,
         services::ReplyWhenCommitted(call, std::move(out), &ToAwsError, "stepfunctions"));
}

void StepFunctionsService::ListStateMachineVersions(CallPtr call) {
  const auto& in = call->input();
  std::string_view arn = InputStringView(in, "stateMachineArn").value_or("");
  auto start = ListStart(in, arn);
  if (!start.ok()) return Fail(call, start.status());
  int64_t max = protocol::InputInt(in, "maxResults").value_or(0);
  if (max <= 0) max = 100;
  std::vector<std::shared_ptr<StateMachine>> all;
  {
    std::shared_lock lock(mu_);
    const std::string prefix = std::string(arn) + ":";
    for (auto it = versions_.lower_bound(prefix);
         it != versions_.end() && it->first.starts_with(prefix); ++it) {
      all.push_back(it->second);
    }
  }
  // Newest first, as AWS lists them.
  std::sort(all.begin(), all.end(),
            [](const auto& a, const auto& b) { return a->version > b->version; });
  json::array list;
  size_t i = *start;
  for (; i < all.size() && static_cast<int64_t>(list.size()) < max; ++i) {
    list.push_back(
        json::object{{"stateMachineVersionArn", all[i]->arn}, {"creationDate", all[i]->created}});
  }
  json::object out{{"stateMachineVersions", std::move(list)}};
  if (i < all.size()) out["nextToken"] = std::to_string(i);
  call->Reply(std::move(out));
}

void StepFunctionsService::DeleteStateMachineVersion(CallPtr call) {
  std::string_view arn = InputStringView(call->input(), "stateMachineVersionArn").value_or("");
  auto parts = SplitMachineArn(arn);
  if (!parts || !AllDigits(parts->qualifier)) return Fail(call, InvalidArn(arn));
  std::unique_lock lock(mu_);
  auto it = versions_.find(std::string(arn));
  if (it == versions_.end()) return call->Reply({});  // gone already: success, as on AWS
  std::vector<std::string> users;
  for (const auto& [alias_arn, a] : aliases_) {
    for (const auto& [v, weight] : a->routing) {
      if (v == arn) users.push_back(alias_arn);
    }
  }
  if (!users.empty()) {
    return Fail(call, SfnStatus(SfnError::kConflict,
                                fmt::format("Version to be deleted must not be referenced by an "
                                            "alias. Current list of aliases referencing this "
                                            "version: [{}]",
                                            fmt::join(users, ", "))));
  }
  storage::WriteBatch batch;
  batch.Delete(keyspace::Key('m', it->second->uid));
  versions_.erase(it);
  Submit(std::move(batch), call,
         services::ReplyWhenCommitted(call, {}, &ToAwsError, "stepfunctions"));
}

namespace {

// Checks an alias's routingConfiguration against its machine: 1-2 distinct versions of it,
// weights 0-100 summing to 100. `exists` says whether a version ARN exists.
template <typename Exists>
Result<std::vector<std::pair<std::string, int64_t>>> ReadRouting(const json::array& list,
                                                                 const std::string& machine_arn,
                                                                 Exists exists) {
  std::vector<std::pair<std::string, int64_t>> out;
  int64_t sum = 0;
  for (const auto& e : list) {
    const auto& o = e.as_object();
    std::string version(o.at("stateMachineVersionArn").as_string());
    const int64_t weight = o.at("weight").to_number<int64_t>();
    auto parts = SplitMachineArn(version);
    if (!parts || !AllDigits(parts->qualifier)) return InvalidArn(version);
    if (parts->machine_arn != machine_arn) {
      return SfnStatus(SfnError::kValidation,
                       fmt::format("Routing configuration must contain state machine version "
                                   "ARNs of the same state machine: '{}'",
                                   version));
    }
    if (!exists(version)) {
      return SfnStatus(SfnError::kResourceNotFound,
                       fmt::format("Resource not found: '{}'", version));
    }
    for (const auto& [v, w] : out) {
      if (v == version) {
        return SfnStatus(SfnError::kValidation,
                         "Routing configuration must contain distinct state machine versions");
      }
    }
    sum += weight;
    out.emplace_back(std::move(version), weight);
  }
  if (sum != 100) {
    return SfnStatus(SfnError::kValidation,
                     "Sum of routing configuration weights must be equal to 100");
  }
  return out;
}

}  // namespace

void StepFunctionsService::CreateStateMachineAlias(CallPtr call) {
  const auto& in = call->input();
  std::string name(InputStringView(in, "name").value_or(""));
  if (Status s = CheckAliasName(name); !s.ok()) return Fail(call, s);
  const json::array* routing_in = InputArray(in, "routingConfiguration");
  if (routing_in == nullptr || routing_in->empty()) {
    return Fail(call, SfnStatus(SfnError::kValidation, "routingConfiguration is required"));
  }
  auto first =
      SplitMachineArn(routing_in->front().as_object().at("stateMachineVersionArn").as_string());
  if (!first) {
    return Fail(
        call, InvalidArn(routing_in->front().as_object().at("stateMachineVersionArn").as_string()));
  }
  const std::string machine_arn = first->machine_arn;
  std::unique_lock lock(mu_);
  if (!machines_.contains(machine_arn)) {
    return Fail(call, SfnStatus(SfnError::kResourceNotFound,
                                fmt::format("Resource not found: '{}'", machine_arn)));
  }
  auto routing = ReadRouting(*routing_in, machine_arn,
                             [&](const std::string& v) { return versions_.contains(v); });
  if (!routing.ok()) return Fail(call, routing.status());
  const std::string arn = machine_arn + ":" + name;
  std::string description(InputStringView(in, "description").value_or(""));
  if (auto it = aliases_.find(arn); it != aliases_.end()) {
    // The same request again is idempotent; anything else conflicts.
    if (it->second->routing == *routing && it->second->description == description) {
      return call->Reply(
          json::object{{"stateMachineAliasArn", arn}, {"creationDate", it->second->created}});
    }
    return Fail(call, SfnStatus(SfnError::kConflict,
                                fmt::format("Failed to create alias because an alias with the "
                                            "same name and a different routing configuration "
                                            "already exists: '{}'",
                                            arn)));
  }
  size_t count = 0;
  for (auto it = aliases_.lower_bound(machine_arn + ":");
       it != aliases_.end() && it->first.starts_with(machine_arn + ":"); ++it) {
    ++count;
  }
  if (count >= kMaxAliases) {
    return Fail(call, SfnStatus(SfnError::kServiceQuotaExceeded,
                                "The maximum number of aliases (100) has been reached"));
  }
  auto a = std::make_shared<Alias>();
  a->uid = NextUidLocked();
  a->arn = arn;
  a->name = name;
  a->machine_arn = machine_arn;
  a->description = std::move(description);
  a->routing = std::move(routing).value();
  a->created = a->updated = clock_.NowSeconds();
  aliases_[arn] = a;
  storage::WriteBatch batch;
  batch.Put(keyspace::Key('l', a->uid), json::serialize(AliasRecord(*a)));
  Submit(std::move(batch), call,
         services::ReplyWhenCommitted(
             call, json::object{{"stateMachineAliasArn", arn}, {"creationDate", a->created}},
             &ToAwsError, "stepfunctions"));
}

namespace {

template <typename Map>
auto FindAlias(const Map& aliases, std::string_view arn) -> Result<typename Map::mapped_type> {
  auto parts = SplitMachineArn(arn);
  if (!parts || parts->qualifier.empty() || AllDigits(parts->qualifier)) return InvalidArn(arn);
  auto it = aliases.find(std::string(arn));
  if (it == aliases.end()) {
    return SfnStatus(SfnError::kResourceNotFound, fmt::format("Resource not found: '{}'", arn));
  }
  return it->second;
}

json::array RoutingJson(const std::vector<std::pair<std::string, int64_t>>& routing) {
  json::array out;
  for (const auto& [v, w] : routing) {
    out.push_back(json::object{{"stateMachineVersionArn", v}, {"weight", w}});
  }
  return out;
}

}  // namespace

void StepFunctionsService::DescribeStateMachineAlias(CallPtr call) {
  std::shared_lock lock(mu_);
  auto a = FindAlias(aliases_, InputStringView(call->input(), "stateMachineAliasArn").value_or(""));
  if (!a.ok()) return Fail(call, a.status());
  const Alias& al = **a;
  json::object out{{"stateMachineAliasArn", al.arn},
                   {"name", al.name},
                   {"routingConfiguration", RoutingJson(al.routing)},
                   {"creationDate", al.created},
                   {"updateDate", al.updated}};
  if (!al.description.empty()) out["description"] = al.description;
  call->Reply(std::move(out));
}

void StepFunctionsService::UpdateStateMachineAlias(CallPtr call) {
  const auto& in = call->input();
  std::unique_lock lock(mu_);
  auto a = FindAlias(aliases_, InputStringView(in, "stateMachineAliasArn").value_or(""));
  if (!a.ok()) return Fail(call, a.status());
  Alias& al = **a;
  auto description = InputStringView(in, "description");
  const json::array* routing_in = InputArray(in, "routingConfiguration");
  if (!description && routing_in == nullptr) {
    return Fail(call, SfnStatus(SfnError::kValidation,
                                "Either the description or the routing configuration must be "
                                "specified"));
  }
  if (routing_in != nullptr) {
    auto routing = ReadRouting(*routing_in, al.machine_arn,
                               [&](const std::string& v) { return versions_.contains(v); });
    if (!routing.ok()) return Fail(call, routing.status());
    al.routing = std::move(routing).value();
  }
  if (description) al.description = std::string(*description);
  al.updated = clock_.NowSeconds();
  storage::WriteBatch batch;
  batch.Put(keyspace::Key('l', al.uid), json::serialize(AliasRecord(al)));
  Submit(std::move(batch), call,
         services::ReplyWhenCommitted(call, json::object{{"updateDate", al.updated}}, &ToAwsError,
                                      "stepfunctions"));
}

void StepFunctionsService::DeleteStateMachineAlias(CallPtr call) {
  std::unique_lock lock(mu_);
  auto a = FindAlias(aliases_, InputStringView(call->input(), "stateMachineAliasArn").value_or(""));
  if (!a.ok()) return Fail(call, a.status());
  storage::WriteBatch batch;
  batch.Delete(keyspace::Key('l', (*a)->uid));
  aliases_.erase((*a)->arn);
  Submit(std::move(batch), call,
         services::ReplyWhenCommitted(call, {}, &ToAwsError, "stepfunctions"));
}

void StepFunctionsService::ListStateMachineAliases(CallPtr call) {
  const auto& in = call->input();
  std::string_view arn = InputStringView(in, "stateMachineArn").value_or("");
  auto start = ListStart(in, arn);
  if (!start.ok()) return Fail(call, start.status());
  std::shared_lock lock(mu_);
  if (!machines_.contains(std::string(arn))) {
    return Fail(call, SfnStatus(SfnError::kStateMachineDoesNotExist,
                                fmt::format("State Machine Does Not Exist: '{}'", arn)));
  }
  auto [list, next] =
      ListPage(aliases_, std::string(arn) + ":", *start,
               protocol::InputInt(in, "maxResults").value_or(0), [](const Alias& a) {
                 return json::object{{"stateMachineAliasArn", a.arn}, {"creationDate", a.created}};
               });
  json::object out{{"stateMachineAliases", std::move(list)}};
  if (!next.empty()) out["nextToken"] = next;
  call->Reply(std::move(out));
}

}  // namespace tidepool::sfn
