// Row builders for the generated model tables (src/protocol/model/generated/*_model.cc).
// Positional constexpr functions instead of braced initializers so that clang-format packs
// each generated row into a few lines. Parameter order is the field order of model.h; only
// scripts/gen_models.py should call these.
#pragma once

#include <cstdint>
#include <string_view>

#include "protocol/model/model.h"

namespace tidepool::protocol::model::rows {

constexpr Shape S(std::string_view name, ShapeType type, int64_t min, int64_t max,
                  std::string_view pattern, uint32_t members_begin, uint16_t members_count,
                  uint16_t member, uint16_t key, uint32_t enum_begin, uint16_t enum_count,
                  TimestampFormat timestamp_format, bool flattened, std::string_view location_name,
                  std::string_view map_key_name, std::string_view map_value_name, bool exception,
                  bool fault, std::string_view error_code, uint16_t http_status, bool sender_fault,
                  bool event_stream, bool sensitive, std::string_view payload,
                  std::string_view xml_namespace_uri, std::string_view xml_namespace_prefix) {
  return Shape{name,
               type,
               min,
               max,
               pattern,
               members_begin,
               members_count,
               member,
               key,
               enum_begin,
               enum_count,
               timestamp_format,
               flattened,
               location_name,
               map_key_name,
               map_value_name,
               exception,
               fault,
               error_code,
               http_status,
               sender_fault,
               event_stream,
               sensitive,
               payload,
               xml_namespace_uri,
               xml_namespace_prefix};
}

constexpr Member M(std::string_view name, uint16_t shape, bool required, Location location,
                   std::string_view location_name, bool xml_attribute, bool xml_flattened,
                   bool idempotency_token, bool host_label, std::string_view xml_namespace_uri) {
  return Member{name,          shape,         required,          location,   location_name,
                xml_attribute, xml_flattened, idempotency_token, host_label, xml_namespace_uri};
}

constexpr Operation O(std::string_view name, std::string_view http_method,
                      std::string_view request_uri, uint16_t http_status, uint16_t input,
                      uint16_t output, std::string_view result_wrapper, uint32_t errors_begin,
                      uint16_t errors_count) {
  return Operation{name,   http_method,    request_uri,  http_status, input,
                   output, result_wrapper, errors_begin, errors_count};
}

}  // namespace tidepool::protocol::model::rows
