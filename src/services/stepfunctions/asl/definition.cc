#include "services/stepfunctions/asl/definition.h"

#include <fmt/format.h>
#include <boost/json.hpp>

#include <algorithm>
#include <functional>
#include <set>

#include "services/stepfunctions/asl/intrinsics.h"
#include "services/stepfunctions/asl/json_path.h"
#include "services/stepfunctions/asl/query.h"

namespace tidepool::sfn::asl {
namespace json = boost::json;

std::string_view StateTypeName(StateType t) {
  switch (t) {
    case StateType::kPass:
      return "Pass";
    case StateType::kTask:
      return "Task";
    case StateType::kChoice:
      return "Choice";
    case StateType::kWait:
      return "Wait";
    case StateType::kSucceed:
      return "Succeed";
    case StateType::kFail:
      return "Fail";
    case StateType::kParallel:
      return "Parallel";
    case StateType::kMap:
      return "Map";
  }
  return "Pass";
}

std::string InvalidDefinitionMessage(const std::vector<Diagnostic>& diagnostics) {
  std::string body;
  for (const auto& d : diagnostics) {
    if (!body.empty()) body += ", ";
    body += fmt::format("{}: {} at {}", d.code, d.message, d.location.empty() ? "/" : d.location);
  }
  return fmt::format("Invalid State Machine Definition: '{}'", body);
}

namespace {

constexpr std::string_view kSchema = "SCHEMA_VALIDATION_FAILED";

// Fields each state type accepts (besides Type and Comment).
const std::set<std::string_view>& AllowedFields(StateType t) {
  static const std::set<std::string_view> pass = {
      "Next", "End", "InputPath", "OutputPath", "ResultPath", "Parameters", "Result"};
  static const std::set<std::string_view> task = {"Next",
                                                  "End",
                                                  "InputPath",
                                                  "OutputPath",
                                                  "ResultPath",
                                                  "Parameters",
                                                  "ResultSelector",
                                                  "Retry",
                                                  "Catch",
                                                  "Resource",
                                                  "TimeoutSeconds",
                                                  "TimeoutSecondsPath",
                                                  "HeartbeatSeconds",
                                                  "HeartbeatSecondsPath",
                                                  "Credentials"};
  static const std::set<std::string_view> choice = {"InputPath", "OutputPath", "Choices",
                                                    "Default"};
  static const std::set<std::string_view> wait = {"Next",        "End",          "InputPath",
                                                  "OutputPath",  "Seconds",      "Timestamp",
                                                  "SecondsPath", "TimestampPath"};
  static const std::set<std::string_view> succeed = {"InputPath", "OutputPath"};
  static const std::set<std::string_view> fail = {"Error", "Cause", "ErrorPath", "CausePath"};
  static const std::set<std::string_view> parallel = {
      "Next",           "End",   "InputPath", "OutputPath", "ResultPath", "Parameters",
      "ResultSelector", "Retry", "Catch",     "Branches"};
  static const std::set<std::string_view> map = {"Next",
                                                 "End",
                                                 "InputPath",
                                                 "OutputPath",
                                                 "ResultPath",
                                                 "Parameters",
                                                 "ItemSelector",
                                                 "ResultSelector",
                                                 "Retry",
                                                 "Catch",
                                                 "Iterator",
                                                 "ItemProcessor",
                                                 "ItemsPath",
                                                 "MaxConcurrency",
                                                 "MaxConcurrencyPath",
                                                 "ItemReader",
                                                 "ItemBatcher",
                                                 "ResultWriter",
                                                 "ToleratedFailurePercentage",
                                                 "ToleratedFailureCount",
                                                 "ToleratedFailurePercentagePath",
                                                 "ToleratedFailureCountPath",
                                                 "Label"};
  switch (t) {
    case StateType::kPass:
      return pass;
    case StateType::kTask:
      return task;
    case StateType::kChoice:
      return choice;
    case StateType::kWait:
      return wait;
    case StateType::kSucceed:
      return succeed;
    case StateType::kFail:
      return fail;
    case StateType::kParallel:
      return parallel;
    case StateType::kMap:
      return map;
  }
  return pass;
}

std::optional<StateType> ParseType(std::string_view s) {
  if (s == "Pass") return StateType::kPass;
  if (s == "Task") return StateType::kTask;
  if (s == "Choice") return StateType::kChoice;
  if (s == "Wait") return StateType::kWait;
  if (s == "Succeed") return StateType::kSucceed;
  if (s == "Fail") return StateType::kFail;
  if (s == "Parallel") return StateType::kParallel;
  if (s == "Map") return StateType::kMap;
  return std::nullopt;
}

class DefinitionParser {
 public:
  explicit DefinitionParser(std::vector<Diagnostic>* out) : diags_(out) {}

  std::shared_ptr<Definition> Run(std::string_view text) {
    boost::system::error_code ec;
    json::value root = json::parse(text, ec);
    if (ec) {
      Add("INVALID_JSON_DESCRIPTION", fmt::format("Invalid JSON: {}", ec.message()), "");
      return nullptr;
    }
    auto def = std::make_shared<Definition>();
    def_ = def.get();
    const auto* obj = root.if_object();
    if (!obj) {
      Schema("The definition must be a JSON object", "");
      return nullptr;
    }
    for (const auto& kv : *obj) {
      std::string_view k = kv.key();
      if (k != "StartAt" && k != "States" && k != "Comment" && k != "TimeoutSeconds" &&
          k != "Version" && k != "QueryLanguage") {
        Schema(fmt::format("Field \"{}\" is not supported", k), "");
      }
    }
    if (const auto* ql = obj->if_contains("QueryLanguage")) {
      if (ql->is_string() && ql->get_string() == "JSONata") {
        def->jsonata = true;
      } else if (!ql->is_string() || ql->get_string() != "JSONPath") {
        Schema("The value for the field 'QueryLanguage' must be JSONPath or JSONata",
               "/QueryLanguage");
      }
    }
    if (const auto* c = obj->if_contains("Comment"); c && c->is_string()) {
      def->comment = c->get_string();
    }
    if (const auto* t = obj->if_contains("TimeoutSeconds")) {
      if (!t->is_int64() || t->get_int64() < 0) {
        Schema("The value for the field 'TimeoutSeconds' must be a non-negative integer",
               "/TimeoutSeconds");
      } else {
        def->timeout_seconds = t->get_int64();
      }
    }
    def->scopes.emplace_back();
    ParseScope(*obj, 0, "");
    if (!diags_->empty()) return nullptr;
    return def;
  }

 private:
  void Add(std::string_view code, std::string msg, std::string loc) {
    diags_->push_back({std::string(code), std::move(msg), std::move(loc)});
  }
  void Schema(std::string msg, std::string loc) { Add(kSchema, std::move(msg), std::move(loc)); }

  std::optional<std::string> Str(const json::object& o, std::string_view field,
                                 const std::string& loc) {
    const auto* v = o.if_contains(field);
    if (!v) return std::nullopt;
    if (!v->is_string()) {
      Schema(fmt::format("The value for the field '{}' must be a STRING", field),
             loc + "/" + std::string(field));
      return std::nullopt;
    }
    return std::string(v->get_string());
  }

  // `variables`: a "$name..." path reads a variable (payload templates only).
  void CheckPath(std::string_view path, const std::string& loc, std::string_view field,
                 bool reference, bool variables = false) {
    std::string_view p = path;
    if (p.starts_with("$$")) p.remove_prefix(1);
    auto var = variables ? SplitVariablePath(p) : std::nullopt;
    if (var) p = var->second;
    auto parsed = JsonPath::Parse(p);
    if (!parsed.ok() || (reference && !parsed->IsReferencePath())) {
      Schema(fmt::format("The value for the field '{}' must be a valid {}", field,
                         reference ? "ReferencePath" : "JSONPath"),
             loc + "/" + std::string(field));
    }
  }

  PathField ParsePathField(const json::object& o, std::string_view field, const std::string& loc,
                           bool reference) {
    PathField f;
    const auto* v = o.if_contains(field);
    if (!v) return f;
    if (v->is_null()) {
      f.kind = PathField::Kind::kNull;
      return f;
    }
    if (!v->is_string()) {
      Schema(fmt::format("The value for the field '{}' must be a STRING", field),
             loc + "/" + std::string(field));
      return f;
    }
    f.kind = PathField::Kind::kPath;
    f.path = v->get_string();
    CheckPath(f.path, loc, field, reference);
    return f;
  }

  // Payload template: every "x.$" value must be a path or an intrinsic call.
  void CheckTemplate(const json::value& v, const std::string& loc) {
    if (const auto* o = v.if_object()) {
      for (const auto& kv : *o) {
        std::string_view k = kv.key();
        std::string here = loc + "/" + std::string(k);
        if (k.size() > 2 && k.ends_with(".$")) {
          if (!kv.value().is_string()) {
            Schema(fmt::format("The value for the field '{}' must be a STRING", k), here);
            continue;
          }
          std::string_view s = kv.value().get_string();
          if (IsIntrinsic(s)) {
            if (Status st = ValidateIntrinsic(s); !st.ok()) Schema(st.message(), here);
          } else {
            CheckPath(s, loc, k, false, true);
          }
        } else {
          CheckTemplate(kv.value(), here);
        }
      }
    } else if (const auto* a = v.if_array()) {
      for (size_t i = 0; i < a->size(); ++i) CheckTemplate((*a)[i], fmt::format("{}/{}", loc, i));
    }
  }

  std::vector<std::string> ErrorEquals(const json::object& o, const std::string& loc) {
    std::vector<std::string> out;
    const auto* v = o.if_contains("ErrorEquals");
    if (!v) {
      Schema("These fields are required: [ErrorEquals]", loc);
      return out;
    }
    if (!v->is_array() || v->get_array().empty()) {
      Schema("The value for the field 'ErrorEquals' must be a non-empty array of STRING",
             loc + "/ErrorEquals");
      return out;
    }
    for (const auto& e : v->get_array()) {
      if (!e.is_string()) {
        Schema("The value for the field 'ErrorEquals' must be a non-empty array of STRING",
               loc + "/ErrorEquals");
        return out;
      }
      out.emplace_back(e.get_string());
    }
    auto all = std::find(out.begin(), out.end(), errors::kAll);
    if (all != out.end() && out.size() > 1) {
      Schema("'States.ALL' must appear alone in ErrorEquals", loc + "/ErrorEquals");
    }
    return out;
  }

  std::optional<double> Number(const json::object& o, std::string_view f, const std::string& loc,
                               double min) {
    const auto* v = o.if_contains(f);
    if (!v) return std::nullopt;
    double d;
    if (v->is_int64()) {
      d = static_cast<double>(v->get_int64());
    } else if (v->is_uint64()) {
      d = static_cast<double>(v->get_uint64());
    } else if (v->is_double()) {
      d = v->get_double();
    } else {
      Schema(fmt::format("The value for the field '{}' must be a NUMBER", f),
             loc + "/" + std::string(f));
      return std::nullopt;
    }
    if (d < min) {
      Schema(fmt::format("The value for the field '{}' must be >= {}", f, min),
             loc + "/" + std::string(f));
      return std::nullopt;
    }
    return d;
  }

  std::optional<int64_t> Integer(const json::object& o, std::string_view f, const std::string& loc,
                                 int64_t min) {
    const auto* v = o.if_contains(f);
    if (!v) return std::nullopt;
    if (!v->is_int64() || v->get_int64() < min) {
      Schema(fmt::format("The value for the field '{}' must be an INTEGER >= {}", f, min),
             loc + "/" + std::string(f));
      return std::nullopt;
    }
    return v->get_int64();
  }

  void ParseRetryCatch(const json::object& o, State& s, const std::string& loc) {
    if (const auto* r = o.if_contains("Retry")) {
      if (!r->is_array()) {
        Schema("The value for the field 'Retry' must be an ARRAY", loc + "/Retry");
      } else {
        for (size_t i = 0; i < r->get_array().size(); ++i) {
          std::string here = fmt::format("{}/Retry/{}", loc, i);
          const auto* ro = r->get_array()[i].if_object();
          if (!ro) {
            Schema("A retrier must be an OBJECT", here);
            continue;
          }
          Retrier rt;
          rt.error_equals = ErrorEquals(*ro, here);
          for (const auto& kv : *ro) {
            std::string_view k = kv.key();
            if (k != "ErrorEquals" && k != "IntervalSeconds" && k != "MaxAttempts" &&
                k != "BackoffRate" && k != "MaxDelaySeconds" && k != "JitterStrategy" &&
                k != "Comment") {
              Schema(fmt::format("Field \"{}\" is not supported", k), here);
            }
          }
          if (auto v = Integer(*ro, "IntervalSeconds", here, 1)) rt.interval_seconds = *v;
          if (auto v = Integer(*ro, "MaxAttempts", here, 0)) rt.max_attempts = *v;
          if (auto v = Number(*ro, "BackoffRate", here, 1.0)) rt.backoff_rate = *v;
          if (auto v = Integer(*ro, "MaxDelaySeconds", here, 1)) rt.max_delay_seconds = *v;
          if (auto j = Str(*ro, "JitterStrategy", here)) {
            if (*j == "FULL") {
              rt.full_jitter = true;
            } else if (*j != "NONE") {
              Schema("The value for the field 'JitterStrategy' must be FULL or NONE",
                     here + "/JitterStrategy");
            }
          }
          s.retry.push_back(std::move(rt));
        }
      }
    }
    if (const auto* c = o.if_contains("Catch")) {
      if (!c->is_array()) {
        Schema("The value for the field 'Catch' must be an ARRAY", loc + "/Catch");
      } else {
        for (size_t i = 0; i < c->get_array().size(); ++i) {
          std::string here = fmt::format("{}/Catch/{}", loc, i);
          const auto* co = c->get_array()[i].if_object();
          if (!co) {
            Schema("A catcher must be an OBJECT", here);
            continue;
          }
          Catcher ct;
          ct.error_equals = ErrorEquals(*co, here);
          ct.result_path = ParsePathField(*co, "ResultPath", here, true);
          if (auto n = Str(*co, "Next", here)) {
            ct.next = *n;
          } else if (!co->contains("Next")) {
            Schema("These fields are required: [Next]", here);
          }
          transitions_.push_back({ct.next, here + "/Next"});
          s.catchers.push_back(std::move(ct));
        }
      }
    }
  }

  std::optional<ChoiceRule> ParseRule(const json::value& v, const std::string& loc, bool top) {
    const auto* o = v.if_object();
    if (!o) {
      Schema("A choice rule must be an OBJECT", loc);
      return std::nullopt;
    }
    ChoiceRule r;
    if (top) {
      if (auto n = Str(*o, "Next", loc)) {
        r.next = *n;
        transitions_.push_back({r.next, loc + "/Next"});
      } else {
        Schema("These fields are required: [Next]", loc);
      }
    }
    for (std::string_view combo : {"And", "Or"}) {
      if (const auto* c = o->if_contains(combo)) {
        r.kind = combo == "And" ? ChoiceRule::Kind::kAnd : ChoiceRule::Kind::kOr;
        if (!c->is_array() || c->get_array().empty()) {
          Schema(fmt::format("The value for the field '{}' must be a non-empty ARRAY", combo),
                 loc + "/" + std::string(combo));
          return std::nullopt;
        }
        for (size_t i = 0; i < c->get_array().size(); ++i) {
          auto child = ParseRule(c->get_array()[i], fmt::format("{}/{}/{}", loc, combo, i), false);
          if (child) r.children.push_back(std::move(*child));
        }
        return r;
      }
    }
    if (const auto* n = o->if_contains("Not")) {
      r.kind = ChoiceRule::Kind::kNot;
      auto child = ParseRule(*n, loc + "/Not", false);
      if (child) r.children.push_back(std::move(*child));
      return r;
    }
    auto var = Str(*o, "Variable", loc);
    if (!var) {
      Schema("These fields are required: [Variable]", loc);
      return std::nullopt;
    }
    r.variable = *var;
    CheckPath(r.variable, loc, "Variable", false);
    int ops = 0;
    for (const auto& kv : *o) {
      std::string_view k = kv.key();
      if (k == "Variable" || k == "Next" || k == "Comment") continue;
      if (!IsComparisonOperator(k)) {
        Schema(fmt::format("Field \"{}\" is not supported", k), loc);
        continue;
      }
      ++ops;
      r.op = std::string(k);
      r.operand = kv.value();
      std::string here = loc + "/" + std::string(k);
      const json::value& val = kv.value();
      bool ok = true;
      if (k.ends_with("Path")) {
        ok = val.is_string();
        if (ok) CheckPath(val.get_string(), loc, k, false);
      } else if (k.starts_with("Is") || k.starts_with("Boolean")) {
        ok = val.is_bool();
      } else if (k.starts_with("Numeric")) {
        ok = val.is_number();
      } else if (k.starts_with("Timestamp")) {
        ok = val.is_string() && ParseTimestamp(val.get_string()).has_value();
      } else {
        ok = val.is_string();
      }
      if (!ok) Schema(fmt::format("The value for the field '{}' has the wrong type", k), here);
    }
    if (ops != 1) Schema("A choice rule must have exactly one comparison operator", loc);
    return r;
  }

  void ParseScope(const json::object& o, int scope_index, const std::string& loc) {
    auto start = Str(o, "StartAt", loc);
    if (!start) {
      if (!o.contains("StartAt")) Schema("These fields are required: [StartAt]", loc);
    }
    const auto* states = o.if_contains("States");
    if (!states) {
      Schema("These fields are required: [States]", loc);
      return;
    }
    if (!states->is_object()) {
      Schema("The value for the field 'States' must be an OBJECT", loc + "/States");
      return;
    }
    std::vector<std::pair<std::string, std::string>> saved = std::move(transitions_);
    transitions_.clear();
    std::map<std::string, State, std::less<>> parsed;
    for (const auto& kv : states->get_object()) {
      std::string name(kv.key());
      std::string here = loc + "/States/" + name;
      if (name.empty() || name.size() > 80) {
        Schema("State names must be 1 to 80 characters long", here);
      }
      if (all_names_.count(name)) {
        Add("DUPLICATE_STATE_NAME", fmt::format("Duplicate State name: {}", name), here);
      }
      all_names_.insert(name);
      auto st = ParseState(kv.value(), name, here);
      if (st) parsed.emplace(name, std::move(*st));
    }
    // Transition targets (Next, Default, Choices' Next, Catch Next) must be in this scope.
    std::set<std::string> reached;
    if (start) {
      if (!parsed.count(*start) && !states->get_object().contains(*start)) {
        Add("MISSING_TRANSITION_TARGET", fmt::format("Missing 'StartAt' target: {}", *start),
            loc + "/StartAt");
      }
      reached.insert(*start);
    }
    for (const auto& [target, where] : transitions_) {
      if (target.empty()) continue;
      if (!states->get_object().contains(target)) {
        std::string_view field = std::string_view(where).substr(where.rfind('/') + 1);
        Add("MISSING_TRANSITION_TARGET", fmt::format("Missing '{}' target: {}", field, target),
            where);
      }
      reached.insert(target);
    }
    for (const auto& kv : states->get_object()) {
      if (start && !reached.count(std::string(kv.key()))) {
        Add("MISSING_TRANSITION_TARGET",
            fmt::format("State \"{}\" is not reachable.", std::string_view(kv.key())),
            loc + "/States/" + std::string(kv.key()));
      }
    }
    transitions_ = std::move(saved);
    auto& scope = def_->scopes[scope_index];
    scope.start_at = start.value_or("");
    scope.states = std::move(parsed);
  }

  int ParseSubScope(const json::value& v, const std::string& loc) {
    int index = static_cast<int>(def_->scopes.size());
    def_->scopes.emplace_back();
    const auto* o = v.if_object();
    if (!o) {
      Schema("The value must be an OBJECT", loc);
      return index;
    }
    for (const auto& kv : *o) {
      std::string_view k = kv.key();
      if (k != "StartAt" && k != "States" && k != "Comment" && k != "ProcessorConfig") {
        Schema(fmt::format("Field \"{}\" is not supported", k), loc);
      }
    }
    ParseScope(*o, index, loc);
    return index;
  }

  std::optional<State> ParseState(const json::value& v, const std::string& name,
                                  const std::string& loc) {
    const auto* o = v.if_object();
    if (!o) {
      Schema("A state must be an OBJECT", loc);
      return std::nullopt;
    }
    State s;
    s.name = name;
    auto type_text = Str(*o, "Type", loc);
    if (!type_text) {
      if (!o->contains("Type")) Schema("These fields are required: [Type]", loc);
      return std::nullopt;
    }
    auto type = ParseType(*type_text);
    if (!type) {
      Schema(fmt::format("The value for the field 'Type' must be one of Pass, Task, Choice, Wait, "
                         "Succeed, Fail, Parallel, Map (was '{}')",
                         *type_text),
             loc + "/Type");
      return std::nullopt;
    }
    s.type = *type;
    s.jsonata = def_->jsonata;
    if (const auto* ql = o->if_contains("QueryLanguage")) {
      if (ql->is_string() && (ql->get_string() == "JSONata" || ql->get_string() == "JSONPath")) {
        s.jsonata = ql->get_string() == "JSONata";
      } else {
        Schema("The value for the field 'QueryLanguage' must be JSONPath or JSONata",
               loc + "/QueryLanguage");
      }
      if (def_->jsonata && !s.jsonata) {
        Schema("A state cannot use JSONPath when the state machine's QueryLanguage is JSONata",
               loc + "/QueryLanguage");
      }
    }
    const auto& allowed = s.jsonata ? JsonataFields(s.type) : AllowedFields(s.type);
    for (const auto& kv : *o) {
      std::string_view k = kv.key();
      if (k == "Type" || k == "Comment") continue;
      if (k == "QueryLanguage") continue;
      if (k == "Assign" && !s.jsonata && s.type != StateType::kSucceed &&
          s.type != StateType::kFail) {
        continue;
      }
      if (!allowed.count(k)) Schema(fmt::format("Field \"{}\" is not supported", k), loc);
    }
    bool terminal_type =
        s.type == StateType::kChoice || s.type == StateType::kSucceed || s.type == StateType::kFail;
    if (!terminal_type) {
      auto next = Str(*o, "Next", loc);
      const auto* end = o->if_contains("End");
      if (end && !end->is_bool())
        Schema("The value for the field 'End' must be a BOOLEAN", loc + "/End");
      s.end = end && end->is_bool() && end->get_bool();
      if (next) {
        s.next = *next;
        transitions_.push_back({s.next, loc + "/Next"});
      }
      if (next && s.end) {
        Schema("Only one of 'Next' or 'End' may be set", loc);
      } else if (!next && !s.end && !o->contains("Next")) {
        Schema("These fields are required: [Next or End]", loc);
      }
    }
    s.input_path = ParsePathField(*o, "InputPath", loc, false);
    s.output_path = ParsePathField(*o, "OutputPath", loc, false);
    s.result_path = ParsePathField(*o, "ResultPath", loc, true);
    for (std::string_view f : {"Parameters", "ItemSelector"}) {
      if (s.jsonata) break;  // ItemSelector is a JSONata template then (ParseQueryFields)
      if (const auto* p = o->if_contains(f)) {
        CheckTemplate(*p, loc + "/" + std::string(f));
        s.parameters = *p;
      }
    }
    if (const auto* p = o->if_contains("ResultSelector")) {
      CheckTemplate(*p, loc + "/ResultSelector");
      s.result_selector = *p;
    }
    if (const auto* r = o->if_contains("Result")) s.result = *r;
    ParseRetryCatch(*o, s, loc);

    switch (s.type) {
      case StateType::kTask: {
        auto r = Str(*o, "Resource", loc);
        if (!r) {
          if (!o->contains("Resource")) Schema("These fields are required: [Resource]", loc);
        } else if (!r->starts_with("arn:")) {
          Schema(fmt::format("Value is not a valid resource ARN: {}", *r), loc + "/Resource");
        } else {
          s.resource = *r;
        }
        if (!IsExpressionField(*o, "TimeoutSeconds", s)) {
          s.timeout_seconds = Integer(*o, "TimeoutSeconds", loc, 1);
        }
        if (!IsExpressionField(*o, "HeartbeatSeconds", s)) {
          s.heartbeat_seconds = Integer(*o, "HeartbeatSeconds", loc, 1);
        }
        if (auto p = Str(*o, "TimeoutSecondsPath", loc)) s.timeout_seconds_path = *p;
        if (auto p = Str(*o, "HeartbeatSecondsPath", loc)) s.heartbeat_seconds_path = *p;
        if (s.timeout_seconds && s.heartbeat_seconds &&
            *s.heartbeat_seconds >= *s.timeout_seconds) {
          Schema(
              "The value for the field 'HeartbeatSeconds' must be smaller than the value for "
              "the field 'TimeoutSeconds'",
              loc + "/HeartbeatSeconds");
        }
        break;
      }
      case StateType::kWait: {
        int n = 0;
        if (o->contains("Seconds")) {
          ++n;
          if (!IsExpressionField(*o, "Seconds", s)) s.seconds = Number(*o, "Seconds", loc, 0);
        }
        if (auto t = Str(*o, "Timestamp", loc)) {
          ++n;
          s.timestamp = *t;
          if (!IsExpressionField(*o, "Timestamp", s) && !ParseTimestamp(*t)) {
            Schema("The value for the field 'Timestamp' must be a valid ISO-8601 timestamp",
                   loc + "/Timestamp");
          }
        }
        if (auto p = Str(*o, "SecondsPath", loc)) {
          ++n;
          s.seconds_path = *p;
          CheckPath(*p, loc, "SecondsPath", false);
        }
        if (auto p = Str(*o, "TimestampPath", loc)) {
          ++n;
          s.timestamp_path = *p;
          CheckPath(*p, loc, "TimestampPath", false);
        }
        if (n != 1) {
          Schema(
              "Exactly one of 'Seconds', 'Timestamp', 'SecondsPath' or 'TimestampPath' must "
              "be set",
              loc);
        }
        break;
      }
      case StateType::kFail:
        if (auto e = Str(*o, "Error", loc)) s.error = *e;
        if (auto c = Str(*o, "Cause", loc)) s.cause = *c;
        if (auto e = Str(*o, "ErrorPath", loc)) s.error_path = *e;
        if (auto c = Str(*o, "CausePath", loc)) s.cause_path = *c;
        if (!s.error.empty() && !s.error_path.empty())
          Schema("Only one of 'Error' or 'ErrorPath' may be set", loc);
        if (!s.cause.empty() && !s.cause_path.empty())
          Schema("Only one of 'Cause' or 'CausePath' may be set", loc);
        break;
      case StateType::kChoice: {
        const auto* c = o->if_contains("Choices");
        if (!c) {
          Schema("These fields are required: [Choices]", loc);
        } else if (!c->is_array() || c->get_array().empty()) {
          Schema("The value for the field 'Choices' must be a non-empty ARRAY", loc + "/Choices");
        } else if (s.jsonata) {
          for (size_t i = 0; i < c->get_array().size(); ++i) {
            if (auto r = ParseQueryRule(c->get_array()[i], fmt::format("{}/Choices/{}", loc, i))) {
              s.choices.push_back(std::move(*r));
            }
          }
        } else {
          for (size_t i = 0; i < c->get_array().size(); ++i) {
            auto r = ParseRule(c->get_array()[i], fmt::format("{}/Choices/{}", loc, i), true);
            if (r) s.choices.push_back(std::move(*r));
          }
        }
        if (auto d = Str(*o, "Default", loc)) {
          s.default_next = *d;
          transitions_.push_back({s.default_next, loc + "/Default"});
        }
        break;
      }
      case StateType::kParallel: {
        const auto* b = o->if_contains("Branches");
        if (!b) {
          Schema("These fields are required: [Branches]", loc);
        } else if (!b->is_array() || b->get_array().empty()) {
          Schema("The value for the field 'Branches' must be a non-empty ARRAY", loc + "/Branches");
        } else {
          for (size_t i = 0; i < b->get_array().size(); ++i) {
            s.branch_scopes.push_back(
                ParseSubScope(b->get_array()[i], fmt::format("{}/Branches/{}", loc, i)));
          }
        }
        break;
      }
      case StateType::kMap: {
        const char* f = o->contains("ItemProcessor") ? "ItemProcessor" : "Iterator";
        if (auto d = ParseDistributedMap(
                *o, s.jsonata, def_->jsonata, loc,
                [this](std::string m, std::string l) { Schema(std::move(m), std::move(l)); })) {
          s.distributed = std::make_shared<const DistributedMapSpec>(std::move(*d));
        }
        if (!o->contains(f)) {
          Schema("These fields are required: [ItemProcessor]", loc);
        } else {
          s.branch_scopes.push_back(ParseSubScope(o->at(f), loc + "/" + f));
        }
        if (auto p = Str(*o, "ItemsPath", loc)) {
          s.items_path = *p;
          CheckPath(*p, loc, "ItemsPath", false);
        }
        if (auto m = Integer(*o, "MaxConcurrency", loc, 0)) s.max_concurrency = *m;
        if (auto p = Str(*o, "MaxConcurrencyPath", loc)) s.max_concurrency_path = *p;
        if (o->contains("Parameters") && o->contains("ItemSelector")) {
          Schema("Only one of 'Parameters' or 'ItemSelector' may be set", loc);
        }
        break;
      }
      default:
        break;
    }
    ParseQueryFields(*o, s, loc,
                     [this](std::string m, std::string l) { Schema(std::move(m), std::move(l)); });
    return s;
  }

  static bool IsExpressionField(const json::object& o, std::string_view field, const State& s) {
    const auto* v = o.if_contains(field);
    return s.jsonata && v && IsQueryExpression(*v);
  }

  // A JSONata choice rule: {"Condition": "{% ... %}", "Next", "Assign"?, "Output"?}.
  std::optional<ChoiceRule> ParseQueryRule(const json::value& v, const std::string& loc) {
    const auto* o = v.if_object();
    if (!o) {
      Schema("A choice rule must be an OBJECT", loc);
      return std::nullopt;
    }
    ChoiceRule r;
    for (const auto& kv : *o) {
      std::string_view k = kv.key();
      if (k != "Condition" && k != "Next" && k != "Assign" && k != "Output" && k != "Comment") {
        Schema(fmt::format("Field \"{}\" is not supported", k), loc);
      }
    }
    if (auto n = Str(*o, "Next", loc)) {
      r.next = *n;
      transitions_.push_back({r.next, loc + "/Next"});
    } else {
      Schema("These fields are required: [Next]", loc);
    }
    const auto* cond = o->if_contains("Condition");
    if (!cond || (!cond->is_bool() && !IsQueryExpression(*cond))) {
      Schema("The field 'Condition' must be a boolean or a JSONata expression", loc + "/Condition");
      return std::nullopt;
    }
    for (const char* f : {"Condition", "Assign", "Output"}) {
      const auto* fv = o->if_contains(f);
      if (!fv) continue;
      if (auto problem = ValidateQueryField(*fv)) {
        Schema(*problem, loc + "/" + f);
        continue;
      }
      std::string_view name = f;
      (name == "Condition" ? r.condition : name == "Assign" ? r.assign : r.output) = *fv;
    }
    return r;
  }

  std::vector<Diagnostic>* diags_;
  Definition* def_ = nullptr;
  std::vector<std::pair<std::string, std::string>> transitions_;  // target, location
  std::set<std::string> all_names_;
};

}  // namespace

std::shared_ptr<const Definition> Definition::Parse(std::string_view text,
                                                    std::vector<Diagnostic>* diagnostics) {
  diagnostics->clear();
  DefinitionParser parser(diagnostics);
  std::shared_ptr<Definition> def = parser.Run(text);
  if (!diagnostics->empty()) return nullptr;
  return def;
}

}  // namespace tidepool::sfn::asl
