// PutItem, GetItem, UpdateItem, DeleteItem: each reads the old item under the table's lock,
// evaluates its condition, and submits the item, its index entries and its stream record as
// one batch (DynamoDbService::StageChange). A write of an item that an ongoing
// TransactWriteItems includes fails with TransactionConflictException, as on AWS; GetItem
// reads the committed item and never conflicts.
#include <fmt/format.h>
#include <boost/json/serialize.hpp>

#include <set>

#include "services/dynamodb/dynamodb_errors.h"
#include "services/dynamodb/dynamodb_service.h"
#include "services/dynamodb/input.h"
#include "services/dynamodb/legacy.h"
#include "services/dynamodb/request_parts.h"

namespace tidepool::dynamodb {
using protocol::CallPtr;

namespace {

Status ItemTooLarge() { return Invalid("Item size has exceeded the maximum allowed size"); }

// ConditionalCheckFailedException, carrying the item when the request asked for it.
protocol::AwsError ConditionFailed(const json::object& in, const std::optional<json::object>& old) {
  protocol::AwsError e = ToAwsError(
      DynamoStatus(DynamoError::kConditionalCheckFailed, "The conditional request failed"));
  auto rv = InputStringView(in, "ReturnValuesOnConditionCheckFailure");
  if (rv && *rv == "ALL_OLD" && old) e.extra_json = "\"Item\":" + json::serialize(*old);
  return e;
}

Status CheckReturnValues(const json::object& in, bool update) {
  auto rv = InputStringView(in, "ReturnValues");
  if (!rv || *rv == "NONE" || *rv == "ALL_OLD") return Status::Ok();
  if (update) return Status::Ok();
  return Invalid("Return values set to invalid value");
}

}  // namespace

void DynamoDbService::PutItem(CallPtr call) {
  json::object& in = call->mutable_input();
  auto resolved = ResolveTable(*call, *InputStringView(in, "TableName"));
  if (!resolved.ok()) return call->Fail(ToAwsError(resolved.status()));
  std::shared_ptr<Table> t = std::move(resolved).value();
  auto legacy = LegacyCondition(in, "Expected", "ConditionExpression");
  if (!legacy.ok()) return call->Fail(ToAwsError(legacy.status()));
  if (Status s = CheckReturnValues(in, false); !s.ok()) return call->Fail(ToAwsError(s));
  auto condition_text = InputStringView(in, "ConditionExpression");
  if (Status s =
          PrepareExpressionInputs(in, condition_text.has_value(), "ConditionExpression is null");
      !s.ok()) {
    return call->Fail(ToAwsError(s));
  }
  json::object item = std::move(in.at("Item").get_object());
  if (Status s = NormalizeItem(item); !s.ok()) return call->Fail(ToAwsError(s));
  if (ItemSize(item) > kMaxItemSize) return call->Fail(ToAwsError(ItemTooLarge()));
  ExpressionContext context(ExpressionNames(in), ExpressionValues(in));
  std::optional<Condition> condition = std::move(*legacy);
  if (condition_text) {
    auto parsed = ParseCondition(*condition_text, "ConditionExpression", context);
    if (!parsed.ok()) return call->Fail(ToAwsError(parsed.status()));
    condition = std::move(parsed).value();
  }
  if (Status s = context.CheckAllUsed(); !s.ok()) return call->Fail(ToAwsError(s));
  auto key = t->ItemKey(item, /*is_item=*/true);
  if (!key.ok()) return call->Fail(ToAwsError(key.status()));

  std::lock_guard lock(t->mu);
  if (t->InTransaction(*key)) return call->Fail(ToAwsError(TransactionConflict()));
  if (Status s = t->CheckIndexKeys(item); !s.ok()) return call->Fail(ToAwsError(s));
  auto old = t->ReadItem(store_, *key);
  if (!old.ok()) return call->Fail(ToAwsError(old.status()));
  if (condition && !EvaluateCondition(*condition, *old ? **old : json::object())) {
    return call->Fail(ConditionFailed(in, *old));
  }
  json::object output;
  if (InputStringView(in, "ReturnValues") == "ALL_OLD" && *old) output["Attributes"] = **old;
  AddConsumedCapacity(in, t->name, WriteUnits(ItemSize(item)), output);
  AddItemCollectionMetrics(in, *t, item, output);
  CommitItemChange(t, ItemChange{*key, std::move(*old), std::move(item)}, call, std::move(output));
}

void DynamoDbService::GetItem(CallPtr call) {
  json::object& in = call->mutable_input();
  auto resolved = ResolveTable(*call, *InputStringView(in, "TableName"));
  if (!resolved.ok()) return call->Fail(ToAwsError(resolved.status()));
  std::shared_ptr<Table> t = std::move(resolved).value();
  const bool has_projection = in.contains("ProjectionExpression");
  if (Status s = PrepareExpressionInputs(in, has_projection, "ProjectionExpression is null");
      !s.ok()) {
    return call->Fail(ToAwsError(s));
  }
  json::object key_in = in.at("Key").get_object();
  if (Status s = NormalizeItem(key_in); !s.ok()) return call->Fail(ToAwsError(s));
  ExpressionContext context(ExpressionNames(in), ExpressionValues(in));
  auto projection = ReadProjection(in, context);
  if (!projection.ok()) return call->Fail(ToAwsError(projection.status()));
  if (Status s = context.CheckAllUsed(); !s.ok()) return call->Fail(ToAwsError(s));
  auto key = t->ItemKey(key_in, /*is_item=*/false);
  if (!key.ok()) return call->Fail(ToAwsError(key.status()));
  auto bytes = store_.Get(*key);
  if (!bytes.ok()) return call->Fail(ToAwsError(bytes.status()));
  json::object output;
  size_t size = 0;
  if (*bytes) {
    auto item = DecodeItem(**bytes);
    if (!item) {
      return call->Fail(ToAwsError(Status::Corruption("dynamodb: undecodable item")));
    }
    size = ItemSize(*item);
    output["Item"] = projection->empty() ? std::move(*item) : Project(*item, *projection);
  }
  AddConsumedCapacity(in, t->name, ReadUnits(size, InputBool(in, "ConsistentRead").value_or(false)),
                      output);
  call->Reply(std::move(output));
}

void DynamoDbService::DeleteItem(CallPtr call) {
  json::object& in = call->mutable_input();
  auto resolved = ResolveTable(*call, *InputStringView(in, "TableName"));
  if (!resolved.ok()) return call->Fail(ToAwsError(resolved.status()));
  std::shared_ptr<Table> t = std::move(resolved).value();
  auto legacy = LegacyCondition(in, "Expected", "ConditionExpression");
  if (!legacy.ok()) return call->Fail(ToAwsError(legacy.status()));
  if (Status s = CheckReturnValues(in, false); !s.ok()) return call->Fail(ToAwsError(s));
  auto condition_text = InputStringView(in, "ConditionExpression");
  if (Status s =
          PrepareExpressionInputs(in, condition_text.has_value(), "ConditionExpression is null");
      !s.ok()) {
    return call->Fail(ToAwsError(s));
  }
  json::object key_in = in.at("Key").get_object();
  if (Status s = NormalizeItem(key_in); !s.ok()) return call->Fail(ToAwsError(s));
  ExpressionContext context(ExpressionNames(in), ExpressionValues(in));
  std::optional<Condition> condition = std::move(*legacy);
  if (condition_text) {
    auto parsed = ParseCondition(*condition_text, "ConditionExpression", context);
    if (!parsed.ok()) return call->Fail(ToAwsError(parsed.status()));
    condition = std::move(parsed).value();
  }
  if (Status s = context.CheckAllUsed(); !s.ok()) return call->Fail(ToAwsError(s));
  auto key = t->ItemKey(key_in, /*is_item=*/false);
  if (!key.ok()) return call->Fail(ToAwsError(key.status()));

  std::lock_guard lock(t->mu);
  if (t->InTransaction(*key)) return call->Fail(ToAwsError(TransactionConflict()));
  auto old = t->ReadItem(store_, *key);
  if (!old.ok()) return call->Fail(ToAwsError(old.status()));
  if (condition && !EvaluateCondition(*condition, *old ? **old : json::object())) {
    return call->Fail(ConditionFailed(in, *old));
  }
  json::object output;
  if (InputStringView(in, "ReturnValues") == "ALL_OLD" && *old) output["Attributes"] = **old;
  AddConsumedCapacity(in, t->name, WriteUnits(*old ? ItemSize(**old) : 0), output);
  AddItemCollectionMetrics(in, *t, key_in, output);
  if (!*old) {
    // Nothing to delete: no write, no stream record.
    return call->Reply(std::move(output));
  }
  CommitItemChange(t, ItemChange{*key, std::move(*old), std::nullopt}, call, std::move(output));
}

void DynamoDbService::UpdateItem(CallPtr call) {
  json::object& in = call->mutable_input();
  auto resolved = ResolveTable(*call, *InputStringView(in, "TableName"));
  if (!resolved.ok()) return call->Fail(ToAwsError(resolved.status()));
  std::shared_ptr<Table> t = std::move(resolved).value();
  auto legacy = LegacyCondition(in, "Expected", "ConditionExpression");
  if (!legacy.ok()) return call->Fail(ToAwsError(legacy.status()));
  auto condition_text = InputStringView(in, "ConditionExpression");
  auto update_text = InputStringView(in, "UpdateExpression");
  if (Status s = PrepareExpressionInputs(in, condition_text || update_text,
                                         "UpdateExpression and ConditionExpression are null");
      !s.ok()) {
    return call->Fail(ToAwsError(s));
  }
  json::object key_in = in.at("Key").get_object();
  if (Status s = NormalizeItem(key_in); !s.ok()) return call->Fail(ToAwsError(s));
  ExpressionContext context(ExpressionNames(in), ExpressionValues(in));
  auto legacy_updates = LegacyUpdate(in);
  if (!legacy_updates.ok()) return call->Fail(ToAwsError(legacy_updates.status()));
  std::vector<UpdateAction> actions = std::move(*legacy_updates);
  if (update_text) {
    auto parsed = ParseUpdate(*update_text, context);
    if (!parsed.ok()) return call->Fail(ToAwsError(parsed.status()));
    actions = std::move(parsed).value();
  }
  std::optional<Condition> condition = std::move(*legacy);
  if (condition_text) {
    auto parsed = ParseCondition(*condition_text, "ConditionExpression", context);
    if (!parsed.ok()) return call->Fail(ToAwsError(parsed.status()));
    condition = std::move(parsed).value();
  }
  if (Status s = context.CheckAllUsed(); !s.ok()) return call->Fail(ToAwsError(s));
  std::set<std::string> updated;
  for (const auto& a : actions) {
    const std::string& top = a.path[0].name;
    if (top == t->hash.name || (t->range && top == t->range->name)) {
      return call->Fail(ToAwsError(Invalid(
          fmt::format("One or more parameter values were invalid: Cannot update attribute {}. This "
                      "attribute is part of the key",
                      top))));
    }
    updated.insert(top);
  }
  auto key = t->ItemKey(key_in, /*is_item=*/false);
  if (!key.ok()) return call->Fail(ToAwsError(key.status()));

  std::lock_guard lock(t->mu);
  if (t->InTransaction(*key)) return call->Fail(ToAwsError(TransactionConflict()));
  auto old = t->ReadItem(store_, *key);
  if (!old.ok()) return call->Fail(ToAwsError(old.status()));
  if (condition && !EvaluateCondition(*condition, *old ? **old : json::object())) {
    return call->Fail(ConditionFailed(in, *old));
  }
  json::object item = *old ? **old : key_in;
  if (Status s = ApplyUpdate(actions, item); !s.ok()) return call->Fail(ToAwsError(s));
  if (ItemSize(item) > kMaxItemSize) return call->Fail(ToAwsError(ItemTooLarge()));
  if (Status s = t->CheckIndexKeys(item); !s.ok()) return call->Fail(ToAwsError(s));

  json::object output;
  const std::string_view rv = InputStringView(in, "ReturnValues").value_or("NONE");
  auto pick = [&](const json::object& from) {
    json::object out;
    for (const auto& name : updated) {
      if (const auto* v = from.if_contains(name)) out[name] = *v;
    }
    return out;
  };
  json::object attributes;
  if (rv == "ALL_OLD" && *old) attributes = **old;
  if (rv == "UPDATED_OLD" && *old) attributes = pick(**old);
  if (rv == "ALL_NEW") attributes = item;
  if (rv == "UPDATED_NEW") attributes = pick(item);
  if (!attributes.empty()) output["Attributes"] = std::move(attributes);
  AddConsumedCapacity(in, t->name, WriteUnits(ItemSize(item)), output);
  AddItemCollectionMetrics(in, *t, item, output);

  CommitItemChange(t, ItemChange{*key, std::move(*old), std::move(item)}, call, std::move(output));
}

void DynamoDbService::CommitItemChange(const std::shared_ptr<Table>& t, const ItemChange& change,
                                       CallPtr call, json::object output) {
  storage::WriteBatch batch;
  std::vector<std::pair<std::string, uint64_t>> versions;
  std::vector<std::pair<std::shared_ptr<Table>, uint64_t>> streams;
  if (StageChange(*t, change, batch, versions)) streams.emplace_back(t, t->next_stream_seq - 1);
  SubmitChanges({{t, std::move(versions)}}, std::move(streams), std::move(batch), call,
                [call, output = std::move(output)](const Status& st) mutable {
                  if (st.ok()) {
                    call->Reply(std::move(output));
                  } else {
                    call->Fail(ToAwsError(st));
                  }
                });
}

}  // namespace tidepool::dynamodb
