#include "services/stepfunctions/asl/distributed_map.h"
#include "services/stepfunctions/asl/parquet_reader.h"

#include <fmt/format.h>
#include <boost/json.hpp>

#include "services/stepfunctions/asl/query.h"

namespace tidepool::sfn::asl {
namespace json = boost::json;

namespace {

using SchemaFn = std::function<void(std::string, std::string)>;

constexpr std::string_view kGetObject = "arn:aws:states:::s3:getObject";
constexpr std::string_view kListObjects = "arn:aws:states:::s3:listObjectsV2";
constexpr std::string_view kPutObject = "arn:aws:states:::s3:putObject";

void OnlyFields(const json::object& o, std::initializer_list<std::string_view> allowed,
                const std::string& loc, const SchemaFn& schema) {
  for (const auto& kv : o) {
    bool ok = false;
    for (std::string_view a : allowed) ok = ok || kv.key() == a;
    if (!ok) schema(fmt::format("Field \"{}\" is not supported", std::string_view(kv.key())), loc);
  }
}

const json::object* ObjectField(const json::object& o, std::string_view f, const std::string& loc,
                                const SchemaFn& schema) {
  const auto* v = o.if_contains(f);
  if (!v) return nullptr;
  if (!v->is_object()) {
    schema(fmt::format("The value for the field '{}' must be an OBJECT", f),
           loc + "/" + std::string(f));
    return nullptr;
  }
  return &v->get_object();
}

std::string StringField(const json::object& o, std::string_view f, const std::string& loc,
                        const SchemaFn& schema) {
  const auto* v = o.if_contains(f);
  if (!v) return {};
  if (!v->is_string()) {
    schema(fmt::format("The value for the field '{}' must be a STRING", f),
           loc + "/" + std::string(f));
    return {};
  }
  return std::string(v->get_string());
}

// A number field (minimum `min`, integral unless `fraction`), or under JSONata an expression.
std::optional<json::value> NumberField(const json::object& o, std::string_view f, bool jsonata,
                                       double min, double max, bool fraction,
                                       const std::string& loc, const SchemaFn& schema) {
  const auto* v = o.if_contains(f);
  if (!v) return std::nullopt;
  std::string where = loc + "/" + std::string(f);
  if (jsonata && IsQueryExpression(*v)) {
    if (auto problem = ValidateQueryField(*v)) {
      schema(*problem, where);
      return std::nullopt;
    }
    return *v;
  }
  bool ok = fraction ? v->is_number() : (v->is_int64() || v->is_uint64());
  double d = ok ? v->to_number<double>() : 0;
  if (!ok || d < min || d > max) {
    schema(fmt::format("The value for the field '{}' must be {} between {} and {}", f,
                       fraction ? "a number" : "an integer", min, max),
           where);
    return std::nullopt;
  }
  return *v;
}

// Parameters (JSONPath) or Arguments (JSONata) of an ItemReader / ResultWriter.
std::optional<json::value> PayloadField(const json::object& o, bool jsonata, const std::string& loc,
                                        const SchemaFn& schema) {
  const char* name = jsonata ? "Arguments" : "Parameters";
  const auto* v = o.if_contains(name);
  if (!v) return std::nullopt;
  if (jsonata) {
    if (auto problem = ValidateQueryField(*v)) {
      schema(*problem, loc + "/" + name);
      return std::nullopt;
    }
  } else if (!v->is_object()) {
    schema(fmt::format("The value for the field '{}' must be an OBJECT", name), loc + "/" + name);
    return std::nullopt;
  }
  return *v;
}

std::optional<ItemReaderSpec> ParseReader(const json::object& o, bool jsonata,
                                          const std::string& loc, const SchemaFn& schema) {
  ItemReaderSpec r;
  OnlyFields(o, {"Resource", jsonata ? "Arguments" : "Parameters", "ReaderConfig"}, loc, schema);
  r.resource = StringField(o, "Resource", loc, schema);
  if (!o.contains("Resource")) schema("These fields are required: [Resource]", loc);
  if (!r.resource.empty() && r.resource != kGetObject && r.resource != kListObjects) {
    schema(fmt::format("The resource '{}' is not supported for ItemReader (tidepool reads "
                       "{} and {})",
                       r.resource, kGetObject, kListObjects),
           loc + "/Resource");
  }
  r.parameters = PayloadField(o, jsonata, loc, schema);
  std::string here = loc + "/ReaderConfig";
  if (const auto* c = ObjectField(o, "ReaderConfig", loc, schema)) {
    OnlyFields(*c,
               {"InputType", "CSVHeaderLocation", "CSVHeaders", "CSVDelimiter", "MaxItems",
                jsonata ? "MaxItems" : "MaxItemsPath", "ItemsPointer"},
               here, schema);
    if (c->contains("ItemsPointer")) {
      r.items_pointer = StringField(*c, "ItemsPointer", here, schema);
      if (!r.items_pointer.empty() && r.items_pointer[0] != '/') {
        schema("The value for the field 'ItemsPointer' must be a JSON Pointer (\"/path/to/array\")",
               here + "/ItemsPointer");
      }
    }
    r.input_type = StringField(*c, "InputType", here, schema);
    if (!r.input_type.empty() && r.input_type != "JSON" && r.input_type != "JSONL" &&
        r.input_type != "CSV" && r.input_type != "MANIFEST" && r.input_type != "PARQUET") {
      schema(fmt::format("InputType {} is not supported by tidepool (JSON, JSONL, CSV, PARQUET "
                         "and MANIFEST are)",
                         r.input_type),
             here + "/InputType");
    }
    if (r.input_type == "MANIFEST" || r.input_type == "PARQUET") {
      for (std::string_view f : {"CSVHeaderLocation", "CSVHeaders", "CSVDelimiter"}) {
        if (c->contains(f)) {
          schema(fmt::format("{} is not supported with InputType {}", f, r.input_type),
                 here + "/" + std::string(f));
        }
      }
    }
    if (c->contains("CSVHeaderLocation")) {
      r.csv_header_location = StringField(*c, "CSVHeaderLocation", here, schema);
      if (r.csv_header_location != "FIRST_ROW" && r.csv_header_location != "GIVEN") {
        schema("The value for the field 'CSVHeaderLocation' must be FIRST_ROW or GIVEN",
               here + "/CSVHeaderLocation");
      }
    }
    if (const auto* h = c->if_contains("CSVHeaders")) {
      if (!h->is_array()) {
        schema("The value for the field 'CSVHeaders' must be an ARRAY", here + "/CSVHeaders");
      } else {
        for (const auto& e : h->get_array()) {
          if (e.is_string()) r.csv_headers.emplace_back(e.get_string());
        }
      }
    }
    if (r.csv_header_location == "GIVEN" && r.csv_headers.empty()) {
      schema("CSVHeaders must be given when CSVHeaderLocation is GIVEN", here);
    }
    if (c->contains("CSVDelimiter")) {
      std::string d = StringField(*c, "CSVDelimiter", here, schema);
      if (d == "COMMA")
        r.csv_delimiter = ',';
      else if (d == "PIPE")
        r.csv_delimiter = '|';
      else if (d == "SEMICOLON")
        r.csv_delimiter = ';';
      else if (d == "SPACE")
        r.csv_delimiter = ' ';
      else if (d == "TAB")
        r.csv_delimiter = '\t';
      else
        schema(
            "The value for the field 'CSVDelimiter' must be one of COMMA, PIPE, SEMICOLON, "
            "SPACE, TAB",
            here + "/CSVDelimiter");
    }
    r.max_items = NumberField(*c, "MaxItems", jsonata, 0, 100000000, false, here, schema);
    if (!jsonata) r.max_items_path = StringField(*c, "MaxItemsPath", here, schema);
    if (r.max_items && !r.max_items_path.empty()) {
      schema("Only one of 'MaxItems' or 'MaxItemsPath' may be set", here);
    }
  }
  if (r.resource == kGetObject && r.input_type.empty()) {
    schema("ReaderConfig.InputType is required for " + std::string(kGetObject), loc);
  }
  if (!r.items_pointer.empty() && r.input_type != "JSON") {
    schema("ItemsPointer is supported only with InputType JSON", here + "/ItemsPointer");
  }
  if (r.resource == kListObjects && !r.input_type.empty()) {
    schema("InputType is not supported with " + std::string(kListObjects), here + "/InputType");
  }
  return r;
}

std::optional<ItemBatcherSpec> ParseBatcher(const json::object& o, bool jsonata,
                                            const std::string& loc, const SchemaFn& schema) {
  ItemBatcherSpec b;
  OnlyFields(o,
             {"MaxItemsPerBatch", "MaxInputBytesPerBatch", "BatchInput",
              jsonata ? "MaxItemsPerBatch" : "MaxItemsPerBatchPath",
              jsonata ? "MaxInputBytesPerBatch" : "MaxInputBytesPerBatchPath"},
             loc, schema);
  b.max_items = NumberField(o, "MaxItemsPerBatch", jsonata, 1, 1e9, false, loc, schema);
  b.max_bytes = NumberField(o, "MaxInputBytesPerBatch", jsonata, 1, 262144, false, loc, schema);
  if (!jsonata) {
    b.max_items_path = StringField(o, "MaxItemsPerBatchPath", loc, schema);
    b.max_bytes_path = StringField(o, "MaxInputBytesPerBatchPath", loc, schema);
  }
  if (!b.max_items && !b.max_bytes && b.max_items_path.empty() && b.max_bytes_path.empty()) {
    schema("ItemBatcher needs one of MaxItemsPerBatch(Path) or MaxInputBytesPerBatch(Path)", loc);
  }
  if (const auto* bi = o.if_contains("BatchInput")) {
    if (jsonata) {
      if (auto problem = ValidateQueryField(*bi)) schema(*problem, loc + "/BatchInput");
    } else if (!bi->is_object()) {
      schema("The value for the field 'BatchInput' must be an OBJECT", loc + "/BatchInput");
    }
    b.batch_input = *bi;
  }
  return b;
}

std::optional<ResultWriterSpec> ParseWriter(const json::object& o, bool jsonata,
                                            const std::string& loc, const SchemaFn& schema) {
  ResultWriterSpec w;
  const char* payload = jsonata ? "Arguments" : "Parameters";
  OnlyFields(o, {"Resource", payload, "WriterConfig"}, loc, schema);
  const json::object* config = ObjectField(o, "WriterConfig", loc, schema);
  if (o.contains("Resource")) {
    w.resource = StringField(o, "Resource", loc, schema);
    if (w.resource != kPutObject) {
      schema(fmt::format("The value for the field 'Resource' must be {}", kPutObject),
             loc + "/Resource");
    }
    w.parameters = PayloadField(o, jsonata, loc, schema);
    if (!w.parameters) schema(fmt::format("These fields are required: [{}]", payload), loc);
  } else if (o.contains(payload)) {
    schema("These fields are required: [Resource]", loc);
  } else if (!o.contains("WriterConfig")) {
    // Export (Resource and Parameters), preview (WriterConfig), or both; never empty.
    schema(fmt::format("ResultWriter needs Resource and {}, or WriterConfig", payload), loc);
  }
  w.transformation = o.contains("Resource") ? "NONE" : "COMPACT";
  w.output_type = "JSON";
  if (config) {
    std::string here = loc + "/WriterConfig";
    OnlyFields(*config, {"Transformation", "OutputType"}, here, schema);
    if (config->contains("Transformation")) {
      w.transformation = StringField(*config, "Transformation", here, schema);
      if (w.transformation != "NONE" && w.transformation != "COMPACT" &&
          w.transformation != "FLATTEN") {
        schema("The value for the field 'Transformation' must be NONE, COMPACT or FLATTEN",
               here + "/Transformation");
      }
    }
    if (config->contains("OutputType")) {
      w.output_type = StringField(*config, "OutputType", here, schema);
      if (w.output_type != "JSON" && w.output_type != "JSONL") {
        schema("The value for the field 'OutputType' must be JSON or JSONL", here + "/OutputType");
      }
    }
  }
  return w;
}

}  // namespace

std::optional<DistributedMapSpec> ParseDistributedMap(const json::object& o, bool jsonata,
                                                      bool top_jsonata, const std::string& loc,
                                                      const SchemaFn& schema) {
  const char* processor_field = o.contains("ItemProcessor") ? "ItemProcessor" : "Iterator";
  const auto* processor = o.if_contains(processor_field);
  const json::object* config = nullptr;
  if (processor && processor->is_object()) {
    const auto* pc = processor->get_object().if_contains("ProcessorConfig");
    if (pc && pc->is_object()) config = &pc->get_object();
  }
  std::string mode = "INLINE";
  std::string here = fmt::format("{}/{}/ProcessorConfig", loc, processor_field);
  if (config) {
    OnlyFields(*config, {"Mode", "ExecutionType"}, here, schema);
    if (config->contains("Mode")) mode = StringField(*config, "Mode", here, schema);
    if (mode != "INLINE" && mode != "DISTRIBUTED") {
      schema("The value for the field 'Mode' must be INLINE or DISTRIBUTED", here + "/Mode");
    }
  }
  if (mode != "DISTRIBUTED") {
    for (std::string_view f :
         {"ItemReader", "ItemBatcher", "ResultWriter", "ToleratedFailurePercentage",
          "ToleratedFailureCount", "ToleratedFailurePercentagePath", "ToleratedFailureCountPath",
          "Label"}) {
      if (o.contains(f)) {
        schema(fmt::format("Field \"{}\" is supported only in DISTRIBUTED mode", f), loc);
      }
    }
    if (config && config->contains("ExecutionType")) {
      schema("Field \"ExecutionType\" is supported only in DISTRIBUTED mode",
             here + "/ExecutionType");
    }
    return std::nullopt;
  }
  DistributedMapSpec d;
  d.execution_type = StringField(*config, "ExecutionType", here, schema);
  if (!config->contains("ExecutionType")) {
    schema("These fields are required: [ExecutionType]", here);
  } else if (d.execution_type != "STANDARD" && d.execution_type != "EXPRESS") {
    schema("The value for the field 'ExecutionType' must be STANDARD or EXPRESS",
           here + "/ExecutionType");
  }
  if (o.contains("Label")) {
    d.label = StringField(o, "Label", loc, schema);
    bool bad = d.label.empty() || d.label.size() > 40;
    for (char c : d.label) {
      bad = bad || static_cast<unsigned char>(c) < 0x21 ||
            std::string_view(" <>{}[]?*\"#%\\^|~`$&,;:/").find(c) != std::string_view::npos;
    }
    if (bad)
      schema(
          "The value for the field 'Label' must be 1-40 characters without spaces or "
          "any of <>{}[]?*\"#%\\^|~`$&,;:/",
          loc + "/Label");
  }
  if (const auto* r = ObjectField(o, "ItemReader", loc, schema)) {
    d.reader = ParseReader(*r, jsonata, loc + "/ItemReader", schema);
    if (o.contains(jsonata ? "Items" : "ItemsPath")) {
      schema(fmt::format("Only one of 'ItemReader' or '{}' may be set",
                         jsonata ? "Items" : "ItemsPath"),
             loc);
    }
  }
  if (const auto* b = ObjectField(o, "ItemBatcher", loc, schema)) {
    d.batcher = ParseBatcher(*b, jsonata, loc + "/ItemBatcher", schema);
  }
  if (const auto* w = ObjectField(o, "ResultWriter", loc, schema)) {
    d.writer = ParseWriter(*w, jsonata, loc + "/ResultWriter", schema);
  }
  d.tolerated_percentage =
      NumberField(o, "ToleratedFailurePercentage", jsonata, 0, 100, true, loc, schema);
  d.tolerated_count = NumberField(o, "ToleratedFailureCount", jsonata, 0, 1e18, false, loc, schema);
  if (!jsonata) {
    d.tolerated_percentage_path = StringField(o, "ToleratedFailurePercentagePath", loc, schema);
    d.tolerated_count_path = StringField(o, "ToleratedFailureCountPath", loc, schema);
  }
  if (d.tolerated_percentage && !d.tolerated_percentage_path.empty()) {
    schema(
        "Only one of 'ToleratedFailurePercentage' or 'ToleratedFailurePercentagePath' may be "
        "set",
        loc);
  }
  if (d.tolerated_count && !d.tolerated_count_path.empty()) {
    schema("Only one of 'ToleratedFailureCount' or 'ToleratedFailureCountPath' may be set", loc);
  }
  if (processor && processor->is_object()) {
    json::object child;
    for (const auto& kv : processor->get_object()) {
      if (kv.key() != "ProcessorConfig") child[kv.key()] = kv.value();
    }
    if (top_jsonata) child["QueryLanguage"] = "JSONata";
    d.processor_definition = json::serialize(child);
  }
  return d;
}

namespace {

// One CSV record starting at `*pos` (RFC 4180 quoting); advances past its line end.
std::vector<std::string> CsvRecord(std::string_view text, size_t* pos, char delimiter) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  size_t i = *pos;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        fields.back().push_back('"');
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        fields.back().push_back(c);
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == delimiter) {
      fields.emplace_back();
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      ++i;
      break;
    } else {
      fields.back().push_back(c);
    }
  }
  *pos = i;
  return fields;
}

Result<json::array> DecodeCsv(const ItemReaderSpec& reader, std::string_view body,
                              int64_t max_items) {
  json::array items;
  size_t pos = 0;
  std::vector<std::string> headers = reader.csv_headers;
  if (reader.csv_header_location == "FIRST_ROW") {
    if (body.empty()) return Status::InvalidArgument("The CSV file has no header row");
    headers = CsvRecord(body, &pos, reader.csv_delimiter);
  }
  while (pos < body.size()) {
    if (max_items > 0 && static_cast<int64_t>(items.size()) >= max_items) break;
    size_t line_start = pos;
    auto fields = CsvRecord(body, &pos, reader.csv_delimiter);
    if (fields.size() == 1 && fields[0].empty() && pos - line_start <= 2) continue;  // blank
    if (fields.size() > headers.size()) {
      return Status::InvalidArgument(
          fmt::format("CSV row {} has {} fields, more than the {} headers", items.size() + 1,
                      fields.size(), headers.size()));
    }
    json::object item;
    for (size_t i = 0; i < headers.size(); ++i) {
      item[headers[i]] = i < fields.size() ? json::string(fields[i]) : json::string();
    }
    items.push_back(std::move(item));
  }
  return items;
}

}  // namespace

Result<json::array> DecodeItems(const ItemReaderSpec& reader, std::string_view body,
                                int64_t max_items) {
  if (reader.input_type == "CSV") return DecodeCsv(reader, body, max_items);
  if (reader.input_type == "PARQUET") return ReadParquetRows(body, max_items);
  json::array items;
  boost::system::error_code ec;
  if (reader.input_type == "JSONL") {
    size_t pos = 0;
    size_t line_no = 0;
    while (pos < body.size()) {
      size_t end = body.find('\n', pos);
      if (end == std::string_view::npos) end = body.size();
      std::string_view line = body.substr(pos, end - pos);
      pos = end + 1;
      ++line_no;
      if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
      if (max_items > 0 && static_cast<int64_t>(items.size()) >= max_items) break;
      json::value v = json::parse(line, ec);
      if (ec) {
        return Status::InvalidArgument(
            fmt::format("Line {} of the JSONL file is not valid JSON: {}", line_no, ec.message()));
      }
      items.push_back(std::move(v));
    }
    return items;
  }
  json::value v = json::parse(body, ec);
  if (ec) {
    return Status::InvalidArgument(fmt::format("The file is not valid JSON: {}", ec.message()));
  }
  if (!reader.items_pointer.empty()) {
    json::value* target = v.find_pointer(reader.items_pointer, ec);
    if (!target || !target->is_array()) {
      return Status::InvalidArgument(
          fmt::format("The ItemsPointer '{}' does not point to an array in the JSON file",
                      reader.items_pointer));
    }
    json::value selected = std::move(*target);
    v = std::move(selected);
  }
  if (!v.is_array()) return Status::InvalidArgument("The JSON file does not hold an array");
  items = std::move(v.as_array());
  if (max_items > 0 && static_cast<int64_t>(items.size()) > max_items) {
    items.resize(static_cast<size_t>(max_items));
  }
  return items;
}

json::array TransformResults(const json::array& children, std::string_view transformation) {
  json::array out;
  for (const auto& c : children) {
    const json::object& o = c.as_object();
    const bool succeeded = o.at("status").as_string() == "SUCCEEDED";
    if (transformation == "NONE" || !succeeded) {
      out.push_back(o.at("entry"));
      continue;
    }
    const json::value& output = o.at("output");
    if (transformation == "FLATTEN" && output.is_array()) {
      for (const auto& v : output.get_array()) out.push_back(v);
    } else {
      out.push_back(output);
    }
  }
  return out;
}

std::string SerializeResults(const json::array& values, std::string_view output_type) {
  if (output_type != "JSONL") return json::serialize(values);
  std::string text;
  for (const auto& v : values) {
    text += json::serialize(v);
    text += '\n';
  }
  return text;
}

json::array BatchItems(json::array items, int64_t max_items, int64_t max_bytes,
                       const std::optional<json::value>& batch_input) {
  json::array batches;
  json::array current;
  size_t bytes = 0;
  auto flush = [&] {
    if (current.empty()) return;
    json::object b{{"Items", std::move(current)}};
    if (batch_input) b["BatchInput"] = *batch_input;
    batches.push_back(std::move(b));
    current = json::array();
    bytes = 0;
  };
  for (auto& item : items) {
    size_t size = json::serialize(item).size();
    if (!current.empty() && ((max_items > 0 && static_cast<int64_t>(current.size()) >= max_items) ||
                             (max_bytes > 0 && static_cast<int64_t>(bytes + size) > max_bytes))) {
      flush();
    }
    bytes += size;
    current.push_back(std::move(item));
  }
  flush();
  return batches;
}

}  // namespace tidepool::sfn::asl
