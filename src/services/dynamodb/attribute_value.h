// Attribute values and items as the codec hands them over (protocol/service.h conventions):
// an AttributeValue is a JSON object with exactly one member named for its type ("S", "N",
// "B", "SS", "NS", "BS", "M", "L", "NULL", "BOOL"); binary values hold raw bytes; an item is
// a JSON object of attribute name -> AttributeValue.
//
// This file validates values with AWS's messages (and rewrites every number to its canonical
// text, so that equal numbers are equal strings), compares them as DynamoDB does, computes an
// item's size as AWS counts it, and encodes items in the store's binary form (keyspace.h).
// All functions are pure and thread-safe.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace tidepool::dynamodb {

namespace json = boost::json;

enum class AttrType : uint8_t { kS = 1, kN, kB, kSS, kNS, kBS, kM, kL, kNull, kBool, kInvalid };

// The type of an AttributeValue (the name of its only member); kInvalid for anything else.
AttrType TypeOf(const json::value& v);
AttrType TypeFromName(std::string_view name);
std::string_view TypeName(AttrType t);
// The payload of an AttributeValue whose type is known valid.
const json::value& Payload(const json::value& v);

// Validates an AttributeValue (recursively) and canonicalizes its numbers in place.
Status NormalizeValue(json::value& v);
// Validates every attribute of an item (NormalizeValue each).
Status NormalizeItem(json::object& item);

// Equality as DynamoDB's `=`: same type and same value; sets compare as sets.
bool ValuesEqual(const json::value& a, const json::value& b);
// Whether two items hold the same attributes with equal values (sets in any order).
bool ItemsEqual(const json::object& a, const json::object& b);
// Ordering for <, <=, >, >=, BETWEEN: only between two S, two N or two B values; nullopt for
// any other pair (the comparison is then false).
std::optional<int> CompareValues(const json::value& a, const json::value& b);

// The size AWS counts for an item: name bytes plus value bytes, summed.
size_t ItemSize(const json::object& item);
size_t ValueSize(const json::value& v);
inline constexpr size_t kMaxItemSize = 400 * 1024;

// The binary form of an item in the store (keyspace.h `Item`).
void AppendItem(std::string* out, const json::object& item);
std::string EncodeItem(const json::object& item);
// nullopt for bytes AppendItem did not produce.
std::optional<json::object> DecodeItem(std::string_view bytes);

// Appends a value's JSON wire form (blobs in base64) to `out`, for error bodies that carry
// items (CancellationReasons) outside the codec.
void AppendWireJson(std::string* out, const json::value& v);
void AppendWireJson(std::string* out, const json::object& item);

}  // namespace tidepool::dynamodb
