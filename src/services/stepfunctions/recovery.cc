// StepFunctionsService::Recover: rebuilds machines, activities and executions from the store
// and resumes the executions that were running.
#include <spdlog/spdlog.h>
#include <boost/json.hpp>

#include <unordered_map>

#include "core/encoding.h"
#include "services/stepfunctions/keyspace.h"
#include "services/stepfunctions/stepfunctions_service.h"
#include "storage/key_codec.h"

namespace tidepool::sfn {
namespace json = boost::json;

namespace {

std::optional<json::object> Decode(std::string_view key, std::string_view value) {
  boost::system::error_code ec;
  json::value v = json::parse(value, ec);
  if (ec || !v.is_object()) {
    spdlog::error("stepfunctions: skipping a record that does not decode at key {}",
                  HexEncode(key));
    return std::nullopt;
  }
  return std::move(v.as_object());
}

std::string Str(const json::object& o, std::string_view k) {
  const auto* v = o.if_contains(k);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

double Num(const json::object& o, std::string_view k) {
  const auto* v = o.if_contains(k);
  return v && v->is_number() ? v->to_number<double>() : 0;
}

}  // namespace

Status StepFunctionsService::Recover() {
  uint64_t max_uid = 0;
  std::unordered_map<std::string, std::shared_ptr<const asl::Definition>> parsed_cache;
  auto parse = [&](const std::string& text) -> std::shared_ptr<const asl::Definition> {
    auto it = parsed_cache.find(text);
    if (it != parsed_cache.end()) return it->second;
    std::vector<asl::Diagnostic> diags;
    auto def = asl::Definition::Parse(text, &diags);
    parsed_cache[text] = def;
    return def;
  };

  // State machines.
  std::string m_begin = keyspace::Prefix('m');
  TP_RETURN_IF_ERROR(store_.Scan(
      m_begin, storage::PrefixEnd(m_begin), [&](std::string_view key, std::string_view value) {
        auto uid = keyspace::ParseUid(key);
        auto o = Decode(key, value);
        if (!uid || !o) return true;
        max_uid = std::max(max_uid, *uid);
        auto m = std::make_shared<StateMachine>();
        m->uid = *uid;
        m->arn = Str(*o, "arn");
        m->name = Str(*o, "name");
        m->type = Str(*o, "type");
        m->definition = Str(*o, "definition");
        m->role_arn = Str(*o, "roleArn");
        m->description = Str(*o, "description");
        m->revision_id = Str(*o, "revision");
        m->created = Num(*o, "created");
        m->updated = Num(*o, "updated");
        if (const auto* l = o->if_contains("logging"); l && l->is_object())
          m->logging = l->get_object();
        if (const auto* t = o->if_contains("tracing"); t && t->is_object())
          m->tracing = t->get_object();
        if (const auto* t = o->if_contains("tags"); t && t->is_object()) {
          for (const auto& kv : t->get_object()) {
            if (kv.value().is_string()) m->tags[kv.key()] = std::string(kv.value().get_string());
          }
        }
        m->parsed = parse(m->definition);
        if (!m->parsed) {
          spdlog::error("stepfunctions: state machine {} has an invalid definition; skipped",
                        m->arn);
          return true;
        }
        m->parent = Str(*o, "parent");
        if (const auto* v = o->if_contains("version"); v && v->is_int64()) {
          m->version = v->get_int64();
        }
        if (const auto* v = o->if_contains("next_version"); v && v->is_int64()) {
          m->next_version = v->get_int64();
        }
        (m->parent.empty() ? machines_ : versions_)[m->arn] = m;
        return true;
      }));

  // Aliases.
  std::string l_begin = keyspace::Prefix('l');
  TP_RETURN_IF_ERROR(store_.Scan(
      l_begin, storage::PrefixEnd(l_begin), [&](std::string_view key, std::string_view value) {
        auto uid = keyspace::ParseUid(key);
        auto o = Decode(key, value);
        if (!uid || !o) return true;
        max_uid = std::max(max_uid, *uid);
        auto a = std::make_shared<Alias>();
        a->uid = *uid;
        a->arn = Str(*o, "arn");
        a->name = Str(*o, "name");
        a->machine_arn = Str(*o, "machine_arn");
        a->description = Str(*o, "description");
        a->created = Num(*o, "created");
        a->updated = Num(*o, "updated");
        if (const auto* r = o->if_contains("routing"); r && r->is_array()) {
          for (const auto& e : r->get_array()) {
            if (!e.is_array() || e.get_array().size() != 2 || !e.get_array()[0].is_string() ||
                !e.get_array()[1].is_int64()) {
              continue;
            }
            a->routing.emplace_back(std::string(e.get_array()[0].get_string()),
                                    e.get_array()[1].get_int64());
          }
        }
        aliases_[a->arn] = a;
        return true;
      }));

  // Activities.
  std::string a_begin = keyspace::Prefix('a');
  TP_RETURN_IF_ERROR(store_.Scan(
      a_begin, storage::PrefixEnd(a_begin), [&](std::string_view key, std::string_view value) {
        auto uid = keyspace::ParseUid(key);
        auto o = Decode(key, value);
        if (!uid || !o) return true;
        max_uid = std::max(max_uid, *uid);
        auto a = std::make_shared<Activity>();
        a->uid = *uid;
        a->arn = Str(*o, "arn");
        a->name = Str(*o, "name");
        a->created = Num(*o, "created");
        if (const auto* t = o->if_contains("tags"); t && t->is_object()) {
          for (const auto& kv : t->get_object()) {
            if (kv.value().is_string()) a->tags[kv.key()] = std::string(kv.value().get_string());
          }
        }
        activities_[a->arn] = a;
        return true;
      }));

  // Map Runs (their children are executions, linked below).
  std::string r_begin = keyspace::Prefix('r');
  TP_RETURN_IF_ERROR(store_.Scan(
      r_begin, storage::PrefixEnd(r_begin), [&](std::string_view key, std::string_view value) {
        auto uid = keyspace::ParseUid(key);
        auto o = Decode(key, value);
        if (!uid || !o) return true;
        max_uid = std::max(max_uid, *uid);
        auto run = DecodeMapRun(*o);
        if (!run.ok()) {
          spdlog::error("stepfunctions: map run at key {} does not decode ({}); skipped",
                        HexEncode(key), run.status().ToString());
          return true;
        }
        (*run)->uid = *uid;
        map_runs_[(*run)->arn] = *run;
        return true;
      }));

  // Executions: start records, then their states.
  std::map<uint64_t, std::pair<ExecutionPtr, json::object>> starts;
  std::string e_begin = keyspace::Prefix('e');
  TP_RETURN_IF_ERROR(store_.Scan(
      e_begin, storage::PrefixEnd(e_begin), [&](std::string_view key, std::string_view value) {
        auto uid = keyspace::ParseUid(key);
        auto o = Decode(key, value);
        if (!uid || !o) return true;
        max_uid = std::max(max_uid, *uid);
        auto ex = std::make_shared<ExecutionRecord>();
        ex->uid = *uid;
        ex->arn = Str(*o, "arn");
        ex->name = Str(*o, "name");
        ex->machine_arn = Str(*o, "machine_arn");
        ex->version_arn = Str(*o, "version_arn");
        ex->alias_arn = Str(*o, "alias_arn");
        ex->input_text = Str(*o, "input");
        ex->definition_text = Str(*o, "definition");
        ex->account = Str(*o, "account");
        ex->region = Str(*o, "region");
        ex->start = Num(*o, "start") / 1e6;
        ex->map_run_arn = Str(*o, "map_run");
        ex->map_run_index = static_cast<int64_t>(Num(*o, "map_run_index"));
        ex->item_count = static_cast<int64_t>(Num(*o, "item_count"));
        starts[*uid] = {ex, std::move(*o)};
        return true;
      }));
  std::vector<ExecutionPtr> running;
  std::string s_begin = keyspace::Prefix('s');
  TP_RETURN_IF_ERROR(store_.Scan(
      s_begin, storage::PrefixEnd(s_begin), [&](std::string_view key, std::string_view value) {
        auto uid = keyspace::ParseUid(key);
        auto o = Decode(key, value);
        if (!uid || !o) return true;
        auto it = starts.find(*uid);
        if (it == starts.end()) {
          spdlog::error("stepfunctions: execution state without a start record at key {}; skipped",
                        HexEncode(key));
          return true;
        }
        auto& [ex, start] = it->second;
        auto def = parse(ex->definition_text);
        if (!def) {
          spdlog::error("stepfunctions: execution {} has an invalid definition; skipped", ex->arn);
          return true;
        }
        asl::ExecutionInfo info{ex->arn,
                                ex->name,
                                Str(start, "role"),
                                ex->machine_arn,
                                Str(start, "machine_name"),
                                ex->region,
                                static_cast<int64_t>(Num(start, "start"))};
        auto run = asl::Execution::Restore(def, std::move(info), InterpreterOptions(), *o);
        if (!run.ok()) {
          spdlog::error("stepfunctions: execution {} does not restore ({}); skipped", ex->arn,
                        run.status().ToString());
          return true;
        }
        ex->run = std::move(run).value();
        executions_[ex->arn] = ex;
        machine_executions_[ex->machine_arn].push_back(ex);
        if (ex->run->running()) running.push_back(ex);
        return true;
      }));
  next_uid_ = max_uid + 1;
  AttachMapRunChildren();

  const int64_t now = clock_.NowMicros();
  for (const auto& ex : running) {
    std::lock_guard lock(ex->mu);
    asl::Effects fx = ex->run->Resume(now);
    ApplyEffects(ex, std::move(fx));
  }
  if (!running.empty()) {
    spdlog::info("stepfunctions: resumed {} running executions", running.size());
  }
  return Status::Ok();
}

}  // namespace tidepool::sfn
