// Readers for members of a validated input object (see protocol/service.h for the value
// conventions). They return nullptr / nullopt when the member is absent or, defensively, of
// another JSON type than the model says. Pure; thread-safe.
#pragma once

#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string_view>

namespace tidepool::protocol {

inline const boost::json::string* InputString(const boost::json::object& in, std::string_view key) {
  const auto* v = in.if_contains(key);
  return v ? v->if_string() : nullptr;
}

inline std::optional<std::string_view> InputStringView(const boost::json::object& in,
                                                       std::string_view key) {
  const auto* s = InputString(in, key);
  if (!s) return std::nullopt;
  return std::string_view(*s);
}

inline std::optional<int64_t> InputInt(const boost::json::object& in, std::string_view key) {
  const auto* v = in.if_contains(key);
  if (!v) return std::nullopt;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64()) return static_cast<int64_t>(std::min<uint64_t>(v->get_uint64(), INT64_MAX));
  return std::nullopt;
}

inline std::optional<double> InputDouble(const boost::json::object& in, std::string_view key) {
  const auto* v = in.if_contains(key);
  if (!v) return std::nullopt;
  if (v->is_double()) return v->get_double();
  if (v->is_int64()) return static_cast<double>(v->get_int64());
  if (v->is_uint64()) return static_cast<double>(v->get_uint64());
  return std::nullopt;
}

inline std::optional<bool> InputBool(const boost::json::object& in, std::string_view key) {
  const auto* v = in.if_contains(key);
  if (!v || !v->is_bool()) return std::nullopt;
  return v->get_bool();
}

inline const boost::json::object* InputObject(const boost::json::object& in, std::string_view key) {
  const auto* v = in.if_contains(key);
  return v ? v->if_object() : nullptr;
}

inline const boost::json::array* InputArray(const boost::json::object& in, std::string_view key) {
  const auto* v = in.if_contains(key);
  return v ? v->if_array() : nullptr;
}

}  // namespace tidepool::protocol
