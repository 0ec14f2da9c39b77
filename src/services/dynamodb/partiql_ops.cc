// PartiQL: ExecuteStatement, BatchExecuteStatement, ExecuteTransaction. A statement is parsed
// and translated (partiql.h) into the input of one JSON-API operation, which runs as an
// internal call of this service (RunInternal), so that validation, conditions, streams and
// durability are the operation's own:
//   SELECT with `hash = v` among WHERE's AND terms -> Query (key terms -> KeyConditionExpression,
//          the rest -> FilterExpression); otherwise -> Scan with WHERE as FilterExpression;
//          NextToken carries the operation's LastEvaluatedKey
//   INSERT -> PutItem with attribute_not_exists(hash)   (DuplicateItemException)
//   UPDATE -> UpdateItem on the key WHERE names, with attribute_exists(hash) AND the other terms
//   DELETE -> DeleteItem on the key WHERE names, with the other terms as condition
// ExecuteTransaction: all SELECTs (full keys) -> TransactGetItems; all writes and
// EXISTS(SELECT ...) conditions (-> ConditionCheck with attribute_exists) ->
// TransactWriteItems. SELECT ... ORDER BY the key -> Query's ScanIndexForward.
#include <fmt/format.h>
#include <boost/json.hpp>

#include <cctype>
#include <memory>
#include <variant>

#include "core/encoding.h"
#include "services/dynamodb/dynamodb_errors.h"
#include "services/dynamodb/dynamodb_service.h"
#include "services/dynamodb/input.h"
#include "services/dynamodb/partiql.h"

namespace tidepool::dynamodb {
using protocol::CallPtr;

namespace {

constexpr size_t kMaxBatchStatements = 25;
constexpr size_t kMaxTransactionStatements = 100;

protocol::AwsError Error(const Status& s) { return ToAwsError(s); }

Status MissingKey() {
  return Invalid("Where clause does not contain a mandatory equality on all key attributes");
}

// The key a write's WHERE names: `attr = value` terms for the table's hash [and range] key.
// The other terms go to `rest`.
Result<json::object> KeyFromWhere(const Table& t, const PartiqlStatement& st,
                                  std::vector<const PartiqlStatement::Term*>* rest) {
  json::object key;
  for (const auto& term : st.where) {
    const bool is_key = term.comparator == "=" && (term.attribute == t.hash.name ||
                                                   (t.range && term.attribute == t.range->name));
    if (is_key && !key.contains(term.attribute)) {
      key[term.attribute] = term.equal_to;
    } else if (rest) {
      rest->push_back(&term);
    }
  }
  if (!key.contains(t.hash.name) || (t.range && !key.contains(t.range->name))) return MissingKey();
  return key;
}

void AddExpressions(const PartiqlStatement& st, json::object& input) {
  if (!st.names.empty()) input["ExpressionAttributeNames"] = st.names;
  if (!st.values.empty()) input["ExpressionAttributeValues"] = st.values;
}

// Keeps only the placeholders `input`'s expressions use (AWS rejects unused ones).
void DropUnused(json::object& input) {
  std::string text;
  for (const char* member : {"KeyConditionExpression", "FilterExpression", "ProjectionExpression",
                             "ConditionExpression", "UpdateExpression"}) {
    if (auto* v = input.if_contains(member)) text += std::string(v->as_string()) + " ";
  }
  for (const char* member : {"ExpressionAttributeNames", "ExpressionAttributeValues"}) {
    auto* v = input.if_contains(member);
    if (!v) continue;
    json::object& o = v->as_object();
    std::vector<std::string> unused;
    for (const auto& [k, _] : o) {
      const std::string key(k);
      size_t at = 0;
      bool used = false;
      while ((at = text.find(key, at)) != std::string::npos) {
        const size_t end = at + key.size();
        if (end >= text.size() || !std::isdigit(static_cast<unsigned char>(text[end]))) {
          used = true;
          break;
        }
        at = end;
      }
      if (!used) unused.push_back(key);
    }
    for (const auto& k : unused) o.erase(k);
    if (o.empty()) input.erase(member);
  }
}

std::string BatchErrorCode(std::string_view code) {
  if (code == "ValidationException") return "ValidationError";
  if (code.ends_with("Exception")) return std::string(code.substr(0, code.size() - 9));
  return std::string(code);
}

}  // namespace

void DynamoDbService::RunInternal(const protocol::Call& call, std::string_view operation,
                                  json::object input, std::function<void(InternalOutcome)> done) {
  const protocol::model::Operation* op = Model().FindOperation(operation);
  if (op == nullptr) {
    return done(protocol::AwsError{"InternalServerError", "no operation", 500, false, {}});
  }
  auto sub = std::make_shared<protocol::Call>(
      call.context(), *op, std::move(input), [done = std::move(done)](protocol::Outcome o) {
        if (auto* e = std::get_if<protocol::AwsError>(&o)) return done(std::move(*e));
        if (auto* obj = std::get_if<json::object>(&o)) return done(std::move(*obj));
        if (auto* enc = std::get_if<protocol::EncodedJson>(&o)) {
          boost::system::error_code ec;
          json::value v = json::parse(enc->body, ec);
          if (!ec && v.is_object()) return done(std::move(v.as_object()));
        }
        done(protocol::AwsError{"InternalServerError", "unexpected output", 500, false, {}});
      });
  Invoke(std::move(sub));
}

Result<DynamoDbService::PlannedStatement> DynamoDbService::PlanStatement(
    const protocol::Call& call, const json::object& request) {
  const auto text = InputStringView(request, "Statement");
  if (!text) return Invalid("Statement must be provided");
  auto parsed = ParsePartiql(*text, InputArray(request, "Parameters"));
  if (!parsed.ok()) return parsed.status();
  PartiqlStatement& st = *parsed;
  auto resolved = ResolveTable(call, st.table);
  if (!resolved.ok()) return resolved.status();
  std::shared_ptr<Table> t = std::move(resolved).value();
  PlannedStatement plan;
  plan.kind = st.kind;
  plan.table = st.table;
  json::object& in = plan.input;
  in["TableName"] = st.table;
  if (auto rv = InputStringView(request, "ReturnValuesOnConditionCheckFailure")) {
    if (st.kind != PartiqlStatement::kSelect) in["ReturnValuesOnConditionCheckFailure"] = *rv;
  }
  std::lock_guard lock(t->mu);
  switch (st.kind) {
    case PartiqlStatement::kExists:
    case PartiqlStatement::kSelect: {
      KeyAttr hash = t->hash;
      std::optional<KeyAttr> range = t->range;
      if (!st.index.empty()) {
        const SecondaryIndex* ix = t->FindIndex(st.index);
        if (!ix) {
          return Invalid(fmt::format("The table does not have the specified index: {}", st.index));
        }
        hash = ix->hash, range = ix->range;
        in["IndexName"] = st.index;
      }
      std::vector<const PartiqlStatement::Term*> filters;
      const PartiqlStatement::Term* hash_term = nullptr;
      const PartiqlStatement::Term* range_term = nullptr;
      for (const auto& term : st.where) {
        if (!hash_term && term.attribute == hash.name && term.comparator == "=") {
          hash_term = &term;
        } else if (!range_term && range && term.attribute == range->name &&
                   term.comparator != "<>") {
          range_term = &term;
        } else {
          filters.push_back(&term);
        }
      }
      plan.operation = hash_term ? "Query" : "Scan";
      if (hash_term) {
        // Key conditions take no parentheses; their terms are single predicates.
        std::string key_condition = hash_term->text;
        if (range_term) key_condition += " AND " + range_term->text;
        in["KeyConditionExpression"] = std::move(key_condition);
        // A read of one item by the table's whole key (what batches and transactions allow).
        plan.full_key =
            st.index.empty() && (range_term ? range_term->comparator == "=" : !range.has_value());
        if (plan.full_key) {
          plan.key[hash.name] = hash_term->equal_to;
          if (range_term) plan.key[range->name] = range_term->equal_to;
        }
      } else {
        filters.clear();
        for (const auto& term : st.where) filters.push_back(&term);
      }
      if (!st.order_by.empty()) {
        // AWS orders a Query only, by the key: ORDER BY sets ScanIndexForward, from the range
        // key's direction when it is listed (one partition is read), else the first's.
        if (!hash_term) {
          return Invalid("Must have WHERE clause in the statement when using ORDER BY clause.");
        }
        bool descending = st.order_by.front().second;
        for (const auto& [name, desc] : st.order_by) {
          if (name != hash.name && !(range && name == range->name)) {
            return Invalid(fmt::format(
                "Variable reference [{}] in ORDER BY clause must be part of the primary key",
                name));
          }
          if (range && name == range->name) descending = desc;
        }
        if (descending) in["ScanIndexForward"] = false;
      }
      if (st.kind == PartiqlStatement::kExists) {
        // EXISTS(SELECT ...) is a transaction's condition check on one item.
        if (!plan.full_key) {
          return Invalid("EXISTS statements must specify a full primary key equality");
        }
        std::string condition = "attribute_exists(#pk)";
        st.names["#pk"] = t->hash.name;
        if (!filters.empty()) condition += " AND " + JoinTerms(filters);
        in = json::object{{"TableName", st.table},
                          {"Key", plan.key},
                          {"ConditionExpression", std::move(condition)}};
        break;
      }
      if (!filters.empty()) in["FilterExpression"] = JoinTerms(filters);
      if (!st.projection.empty()) in["ProjectionExpression"] = st.projection;
      plan.nested_projection = std::move(st.nested_projection);
      if (auto consistent = InputBool(request, "ConsistentRead"))
        in["ConsistentRead"] = *consistent;
      break;
    }
    case PartiqlStatement::kInsert: {
      plan.operation = "PutItem";
      in["Item"] = st.item;
      st.names["#pk"] = t->hash.name;
      in["ConditionExpression"] = "attribute_not_exists(#pk)";
      break;
    }
    case PartiqlStatement::kUpdate:
    case PartiqlStatement::kDelete: {
      const bool update = st.kind == PartiqlStatement::kUpdate;
      plan.operation = update ? "UpdateItem" : "DeleteItem";
      std::vector<const PartiqlStatement::Term*> rest;
      auto key = KeyFromWhere(*t, st, &rest);
      if (!key.ok()) return key.status();
      plan.key = *key;
      in["Key"] = std::move(*key);
      std::string condition = JoinTerms(rest);
      if (update) {
        in["UpdateExpression"] = st.update;
        st.names["#pk"] = t->hash.name;
        condition = "attribute_exists(#pk)" + (condition.empty() ? "" : " AND " + condition);
      }
      if (!condition.empty()) in["ConditionExpression"] = condition;
      if (!st.returning.empty()) in["ReturnValues"] = st.returning;
      break;
    }
  }
  AddExpressions(st, in);
  DropUnused(in);
  return plan;
}

void DynamoDbService::ExecuteStatement(CallPtr call) {
  const json::object& in = call->input();
  auto plan = PlanStatement(*call, in);
  if (!plan.ok()) return call->Fail(Error(plan.status()));
  if (plan->kind == PartiqlStatement::kExists) {
    return call->Fail(Error(Invalid("EXISTS is only supported in ExecuteTransaction")));
  }
  json::object& input = plan->input;
  const bool select = plan->kind == PartiqlStatement::kSelect;
  if (select) {
    if (auto limit = InputInt(in, "Limit")) input["Limit"] = *limit;
    if (auto token = InputStringView(in, "NextToken")) {
      auto decoded = Base64Decode(*token);
      boost::system::error_code ec;
      json::value start = decoded ? json::parse(*decoded, ec) : json::value();
      if (!decoded || ec || !start.is_object()) {
        return call->Fail(Error(Invalid("Invalid NextToken")));
      }
      input["ExclusiveStartKey"] = std::move(start);
    }
  }
  const PartiqlStatement::Kind kind = plan->kind;
  RunInternal(
      *call, plan->operation, std::move(input),
      [call, kind, projection = std::move(plan->nested_projection)](InternalOutcome o) {
        if (auto* e = std::get_if<protocol::AwsError>(&o)) {
          if (kind == PartiqlStatement::kInsert && e->code == "ConditionalCheckFailedException") {
            return call->Fail(Error(DynamoStatus(DynamoError::kDuplicateItem,
                                                 "Duplicate primary key exists in table")));
          }
          return call->Fail(std::move(*e));
        }
        json::object& out = std::get<json::object>(o);
        json::object reply;
        if (kind == PartiqlStatement::kSelect) {
          reply["Items"] = out.contains("Items") ? out["Items"] : json::array();
          if (!projection.empty()) {
            for (json::value& item : reply["Items"].as_array()) {
              item = ProjectItem(item.as_object(), projection);
            }
          }
          if (auto* last = out.if_contains("LastEvaluatedKey")) {
            reply["NextToken"] = Base64Encode(json::serialize(*last));
            reply["LastEvaluatedKey"] = *last;
          }
        } else if (auto* attributes = out.if_contains("Attributes")) {
          reply["Items"] = json::array{*attributes};
        } else {
          reply["Items"] = json::array();
        }
        call->Reply(std::move(reply));
      });
}

// Runs the batch's statements one after another (each an ExecuteStatement of its own, reads
// limited to one item by full key) and replies the responses in order.
void DynamoDbService::BatchExecuteStatement(CallPtr call) {
  const json::array& statements = *InputArray(call->input(), "Statements");
  if (statements.empty() || statements.size() > kMaxBatchStatements) {
    return call->Fail(Error(Invalid(fmt::format(
        "1 validation error detected: Value at 'statements' failed to satisfy constraint: Member "
        "must have length less than or equal to {}",
        kMaxBatchStatements))));
  }
  struct State {
    CallPtr call;
    json::array responses;
    size_t next = 0;
  };
  auto state = std::make_shared<State>(State{call, {}, 0});
  auto step = std::make_shared<std::function<void()>>();
  *step = [this, state, weak = std::weak_ptr<std::function<void()>>(step)] {
    const json::array& list = *InputArray(state->call->input(), "Statements");
    if (state->next == list.size()) {
      return state->call->Reply(json::object{{"Responses", std::move(state->responses)}});
    }
    const json::object& request = list[state->next++].as_object();
    auto fail = [state](const protocol::AwsError& e, std::string table) {
      json::object error{{"Code", BatchErrorCode(e.code)}, {"Message", e.message}};
      json::object response{{"Error", std::move(error)}};
      if (!table.empty()) response["TableName"] = table;
      state->responses.push_back(std::move(response));
    };
    auto again = weak.lock();
    auto plan = PlanStatement(*state->call, request);
    if (!plan.ok()) {
      fail(Error(plan.status()), "");
      return (*again)();
    }
    if (plan->kind == PartiqlStatement::kSelect && !plan->full_key) {
      fail(Error(Invalid("Batch read statements must specify a full primary key equality")),
           plan->table);
      return (*again)();
    }
    if (plan->kind == PartiqlStatement::kExists) {
      fail(Error(Invalid("EXISTS is only supported in ExecuteTransaction")), plan->table);
      return (*again)();
    }
    json::object input = std::move(plan->input);
    std::string operation = plan->operation;
    if (plan->kind == PartiqlStatement::kSelect) {
      json::object get{{"TableName", plan->table}, {"Key", plan->key}};
      if (auto* p = input.if_contains("ProjectionExpression")) get["ProjectionExpression"] = *p;
      if (auto* n = input.if_contains("ExpressionAttributeNames")) {
        if (get.contains("ProjectionExpression")) get["ExpressionAttributeNames"] = *n;
      }
      if (auto* c = input.if_contains("ConsistentRead")) get["ConsistentRead"] = *c;
      DropUnused(get);
      input = std::move(get), operation = "GetItem";
    }
    const auto kind = plan->kind;
    const std::string table = plan->table;
    RunInternal(
        *state->call, operation, std::move(input),
        [state, again, kind, table, fail,
         projection = std::move(plan->nested_projection)](InternalOutcome o) {
          if (auto* e = std::get_if<protocol::AwsError>(&o)) {
            protocol::AwsError error = *e;
            if (kind == PartiqlStatement::kInsert &&
                error.code == "ConditionalCheckFailedException") {
              error = {
                  "DuplicateItemException", "Duplicate primary key exists in table", 400, true, {}};
            }
            fail(error, table);
          } else {
            json::object response{{"TableName", table}};
            json::object& out = std::get<json::object>(o);
            if (auto* item = out.if_contains("Item")) {
              response["Item"] =
                  projection.empty() ? *item : ProjectItem(item->as_object(), projection);
            }
            state->responses.push_back(std::move(response));
          }
          (*again)();
        });
  };
  (*step)();
}

void DynamoDbService::ExecuteTransaction(CallPtr call) {
  const json::object& in = call->input();
  const json::array& statements = *InputArray(in, "TransactStatements");
  if (statements.empty() || statements.size() > kMaxTransactionStatements) {
    return call->Fail(Error(Invalid(
        fmt::format("1 validation error detected: Value at 'transactStatements' failed to satisfy "
                    "constraint: Member must have length less than or equal to {}",
                    kMaxTransactionStatements))));
  }
  json::array items;
  size_t reads = 0;
  std::vector<std::vector<ProjectedPath>> projections;  // per read, in order
  for (const auto& entry : statements) {
    auto plan = PlanStatement(*call, entry.as_object());
    if (!plan.ok()) return call->Fail(Error(plan.status()));
    json::object& input = plan->input;
    json::object item;
    switch (plan->kind) {
      case PartiqlStatement::kSelect: {
        if (!plan->full_key) {
          return call->Fail(Error(
              Invalid("Transaction read statements must specify a full primary key equality")));
        }
        json::object get{{"TableName", plan->table}, {"Key", plan->key}};
        if (auto* p = input.if_contains("ProjectionExpression")) {
          get["ProjectionExpression"] = *p;
          get["ExpressionAttributeNames"] = input["ExpressionAttributeNames"];
        }
        DropUnused(get);
        item["Get"] = std::move(get);
        projections.push_back(std::move(plan->nested_projection));
        ++reads;
        break;
      }
      case PartiqlStatement::kInsert:
        item["Put"] = std::move(input);
        break;
      case PartiqlStatement::kUpdate:
        input.erase("ReturnValues");
        item["Update"] = std::move(input);
        break;
      case PartiqlStatement::kDelete:
        input.erase("ReturnValues");
        item["Delete"] = std::move(input);
        break;
      case PartiqlStatement::kExists:
        item["ConditionCheck"] = std::move(input);
        break;
    }
    items.push_back(std::move(item));
  }
  if (reads != 0 && reads != items.size()) {
    return call->Fail(
        Error(Invalid("Transaction must contain either all read statements or all write "
                      "statements")));
  }
  json::object input{{"TransactItems", std::move(items)}};
  const bool read = reads != 0;
  if (!read) {
    if (auto token = InputStringView(in, "ClientRequestToken"))
      input["ClientRequestToken"] = *token;
  }
  RunInternal(*call, read ? "TransactGetItems" : "TransactWriteItems", std::move(input),
              [call, read, projections = std::move(projections)](InternalOutcome o) {
                if (auto* e = std::get_if<protocol::AwsError>(&o)) return call->Fail(std::move(*e));
                json::object reply;
                if (read) {
                  json::array responses;
                  json::object& out = std::get<json::object>(o);
                  if (auto* r = out.if_contains("Responses")) {
                    for (auto& each : r->as_array()) responses.push_back(each);
                  }
                  for (size_t i = 0; i < responses.size() && i < projections.size(); ++i) {
                    json::value* item = responses[i].as_object().if_contains("Item");
                    if (item && !projections[i].empty()) {
                      *item = ProjectItem(item->as_object(), projections[i]);
                    }
                  }
                  reply["Responses"] = std::move(responses);
                }
                call->Reply(std::move(reply));
              });
}

}  // namespace tidepool::dynamodb
