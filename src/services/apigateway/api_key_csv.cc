#include "services/apigateway/api_key_csv.h"

#include <cctype>
#include <map>

#include "services/apigateway/apigateway_errors.h"

namespace tidepool::apigateway {

namespace {

struct Row {
  std::vector<std::string> fields;
  size_t line = 0;
};

std::string Lower(std::string_view s) {
  std::string out;
  for (char c : s) out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Splits `text` into rows of fields; a quote opens only at the start of a field.
Result<std::vector<Row>> SplitRows(std::string_view text) {
  std::vector<Row> rows;
  Row row;
  std::string field;
  size_t line = 1;
  row.line = line;
  bool blank = true;  // the row has nothing yet
  size_t i = 0;
  auto end_field = [&] {
    row.fields.push_back(std::string(Trim(field)));
    field.clear();
  };
  while (i < text.size()) {
    char c = text[i];
    if ((c == '"' || c == '\'') && Trim(field).empty()) {
      const char quote = c;
      const size_t opened = line;
      field.clear();
      blank = false;
      ++i;
      while (true) {
        if (i >= text.size()) {
          return BadRequest("Invalid API key file: unterminated quote on line " +
                            std::to_string(opened));
        }
        if (text[i] == quote) {
          if (i + 1 < text.size() && text[i + 1] == quote) {
            field.push_back(quote);
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        if (text[i] == '\n') ++line;
        field.push_back(text[i++]);
      }
      continue;
    }
    if (c == ',') {
      end_field();
      blank = false;
      ++i;
      continue;
    }
    if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      ++i;
      continue;
    }
    if (c == '\n') {
      if (!blank || !Trim(field).empty()) {
        end_field();
        rows.push_back(std::move(row));
      }
      row = Row{};
      row.line = ++line;
      field.clear();
      blank = true;
      ++i;
      continue;
    }
    field.push_back(c);
    if (c != ' ' && c != '\t') blank = false;
    ++i;
  }
  if (!blank || !Trim(field).empty()) {
    end_field();
    rows.push_back(std::move(row));
  }
  return rows;
}

std::vector<std::string> SplitPlanIds(std::string_view value) {
  std::vector<std::string> ids;
  while (!value.empty()) {
    size_t comma = value.find(',');
    std::string_view id = Trim(value.substr(0, comma));
    if (!id.empty()) ids.emplace_back(id);
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return ids;
}

}  // namespace

Result<ApiKeyFile> ParseApiKeyCsv(std::string_view text) {
  auto rows = SplitRows(text);
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return BadRequest("Invalid API key file: no header row");
  std::map<std::string, size_t> columns;  // lower-case name -> index
  const Row& header = rows->front();
  for (size_t i = 0; i < header.fields.size(); ++i) columns.emplace(Lower(header.fields[i]), i);
  if (!columns.contains("name") || !columns.contains("key")) {
    return BadRequest("Invalid API key file: the header must name the Name and Key columns");
  }
  ApiKeyFile file;
  for (size_t r = 1; r < rows->size(); ++r) {
    const Row& row = (*rows)[r];
    const std::string where = "Line " + std::to_string(row.line) + ": ";
    if (row.fields.size() > header.fields.size()) {
      file.warnings.push_back(where + "more fields than the header has columns");
      continue;
    }
    auto field = [&](const char* name) -> std::string {
      auto it = columns.find(name);
      return it != columns.end() && it->second < row.fields.size() ? row.fields[it->second]
                                                                   : std::string();
    };
    ImportedApiKey key;
    key.line = row.line;
    key.name = field("name");
    key.value = field("key");
    key.description = field("description");
    std::string enabled = Lower(field("enabled"));
    key.usage_plan_ids = SplitPlanIds(field("usageplanids"));
    if (key.value.size() < 20 || key.value.size() > 128) {
      file.warnings.push_back(where + "a Key must have 20 to 128 characters");
      continue;
    }
    if (key.name.size() > 1024) {
      file.warnings.push_back(where + "a Name must have at most 1024 characters");
      continue;
    }
    if (!enabled.empty() && enabled != "true" && enabled != "false") {
      file.warnings.push_back(where + "Enabled must be true or false");
      continue;
    }
    key.enabled = enabled != "false";
    file.keys.push_back(std::move(key));
  }
  return file;
}

}  // namespace tidepool::apigateway
