// Runs the JSONata reference implementation's own test suite (../shared/testdata/jsonata-2.0.6,
// 1,600+ cases) against this evaluator. Every case must pass except those listed, with a
// reason, in jsonata_suite_skips.txt beside this file. Prints the pass count.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "services/stepfunctions/jsonata/jsonata.h"

namespace tidepool::sfn::jsonata {
namespace {

namespace fs = std::filesystem;

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::optional<fs::path> SuiteDir() {
  if (const char* env = std::getenv("JSONATA_SUITE_DIR")) return fs::path(env);
  fs::path src(TIDEPOOL_SOURCE_DIR);
  for (const char* up : {"..", "../.."}) {
    fs::path p = src / up / "shared/testdata/jsonata-2.0.6";
    if (fs::exists(p / "groups")) return p;
  }
  return std::nullopt;
}

// A JSON reader with correctly rounded numbers (strtod) and lenient \u escapes (a lone
// surrogate is kept as its 3-byte encoding), because the suite relies on both.
class SuiteJson {
 public:
  static boost::json::value Parse(const std::string& text) {
    SuiteJson p{text};
    p.Space();
    return p.ParseValue();
  }

 private:
  explicit SuiteJson(const std::string& t) : s_(t) {}
  void Space() {
    while (i_ < s_.size() && isspace(static_cast<unsigned char>(s_[i_]))) ++i_;
  }
  boost::json::value ParseValue() {
    Space();
    char c = s_.at(i_);
    if (c == '{') {
      boost::json::object o;
      ++i_;
      Space();
      if (s_[i_] == '}') return ++i_, o;
      for (;;) {
        Space();
        std::string k = ParseString();
        Space();
        ++i_;  // ':'
        o[k] = ParseValue();
        Space();
        if (s_[i_++] == '}') return o;
      }
    }
    if (c == '[') {
      boost::json::array a;
      ++i_;
      Space();
      if (s_[i_] == ']') return ++i_, a;
      for (;;) {
        a.push_back(ParseValue());
        Space();
        if (s_[i_++] == ']') return a;
      }
    }
    if (c == '"') return boost::json::string(ParseString());
    if (s_.compare(i_, 4, "true") == 0) return i_ += 4, true;
    if (s_.compare(i_, 5, "false") == 0) return i_ += 5, false;
    if (s_.compare(i_, 4, "null") == 0) return i_ += 4, nullptr;
    size_t start = i_;
    while (i_ < s_.size() &&
           (isdigit(static_cast<unsigned char>(s_[i_])) || strchr("+-.eE", s_[i_])))
      ++i_;
    std::string num = s_.substr(start, i_ - start);
    if (num.find_first_of(".eE") == std::string::npos && num.size() < 16) {
      return static_cast<int64_t>(std::stoll(num));
    }
    return std::strtod(num.c_str(), nullptr);
  }
  uint32_t Hex4() {
    uint32_t v = static_cast<uint32_t>(std::stoul(s_.substr(i_, 4), nullptr, 16));
    i_ += 4;
    return v;
  }
  std::string ParseString() {
    ++i_;  // '"'
    std::string out;
    while (s_[i_] != '"') {
      char c = s_[i_++];
      if (c != '\\') {
        out.push_back(c);
        continue;
      }
      char e = s_[i_++];
      switch (e) {
        case 'n':
          out.push_back('\n');
          break;
        case 't':
          out.push_back('\t');
          break;
        case 'r':
          out.push_back('\r');
          break;
        case 'b':
          out.push_back('\b');
          break;
        case 'f':
          out.push_back('\f');
          break;
        case 'u': {
          uint32_t cp = Hex4();
          if (cp >= 0xD800 && cp <= 0xDBFF && s_.compare(i_, 2, "\\u") == 0) {
            size_t save = i_;
            i_ += 2;
            uint32_t low = Hex4();
            if (low >= 0xDC00 && low <= 0xDFFF) {
              cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
            } else {
              i_ = save;
            }
          }
          AppendUtf8(&out, cp);
          break;
        }
        default:
          out.push_back(e);
      }
    }
    ++i_;
    return out;
  }
  const std::string& s_;
  size_t i_ = 0;
};

// Numbers compare by value; objects ignore key order; `unordered` arrays compare as multisets.
bool JsonEqual(const boost::json::value& a, const boost::json::value& b, bool unordered) {
  if (a.is_number() && b.is_number()) return a.to_number<double>() == b.to_number<double>();
  if (a.kind() != b.kind()) return false;
  if (a.is_object()) {
    const auto& x = a.get_object();
    const auto& y = b.get_object();
    if (x.size() != y.size()) return false;
    for (const auto& [k, v] : x) {
      auto it = y.find(k);
      if (it == y.end() || !JsonEqual(v, it->value(), false)) return false;
    }
    return true;
  }
  if (a.is_array()) {
    const auto& x = a.get_array();
    const auto& y = b.get_array();
    if (x.size() != y.size()) return false;
    if (!unordered) {
      for (size_t i = 0; i < x.size(); ++i) {
        if (!JsonEqual(x[i], y[i], false)) return false;
      }
      return true;
    }
    std::vector<bool> used(y.size());
    for (const auto& e : x) {
      bool found = false;
      for (size_t j = 0; j < y.size() && !found; ++j) {
        if (!used[j] && JsonEqual(e, y[j], false)) used[j] = found = true;
      }
      if (!found) return false;
    }
    return true;
  }
  return a == b;
}

struct CaseResult {
  bool pass = false;
  std::string detail;
};

CaseResult RunCase(const boost::json::object& c, const fs::path& suite, const fs::path& group) {
  std::string expr;
  if (c.contains("expr")) {
    expr = std::string(c.at("expr").as_string());
  } else if (c.contains("expr-file")) {
    expr = ReadFile(group / std::string(c.at("expr-file").as_string()));
  }
  std::optional<boost::json::value> input;
  if (c.contains("data")) {
    input = c.at("data");
  } else if (c.contains("dataset") && !c.at("dataset").is_null()) {
    input = SuiteJson::Parse(
        ReadFile(suite / "datasets" / (std::string(c.at("dataset").as_string()) + ".json")));
  }
  EvaluateOptions options;
  if (c.contains("bindings") && c.at("bindings").is_object()) {
    for (const auto& [k, v] : c.at("bindings").as_object()) {
      options.bindings.emplace_back(std::string(k), v);
    }
  }
  if (c.contains("depth"))
    options.max_depth = static_cast<int>(c.at("depth").to_number<double>()) * 8;
  if (c.contains("timelimit")) {
    options.time_limit_millis = static_cast<int64_t>(c.at("timelimit").to_number<double>()) * 4;
  }
  JsonataError err;
  auto compiled = Expression::Compile(expr, &err);
  Outcome out;
  if (!compiled) {
    out.ok = false;
    out.error = err;
  } else {
    out = compiled->Evaluate(input ? &*input : nullptr, options);
  }
  std::string expected_code;
  if (c.contains("code")) expected_code = std::string(c.at("code").as_string());
  if (c.contains("error") && c.at("error").is_object() &&
      c.at("error").as_object().contains("code")) {
    expected_code = std::string(c.at("error").as_object().at("code").as_string());
  }
  if (!expected_code.empty()) {
    if (!out.ok && out.error.code == expected_code) return {true, ""};
    return {false, "expected error " + expected_code + ", got " +
                       (out.ok ? (out.value ? boost::json::serialize(*out.value) : "undefined")
                               : "error " + out.error.code)};
  }
  if (!out.ok) return {false, "unexpected error " + out.error.code + ": " + out.error.message};
  if (c.contains("undefinedResult") || (c.contains("result") && false)) {
    if (!out.value) return {true, ""};
    return {false, "expected undefined, got " + boost::json::serialize(*out.value)};
  }
  if (c.contains("result")) {
    bool unordered =
        c.contains("unordered") && c.at("unordered").is_bool() && c.at("unordered").as_bool();
    if (out.value && JsonEqual(*out.value, c.at("result"), unordered)) return {true, ""};
    return {false, "expected " + boost::json::serialize(c.at("result")) + ", got " +
                       (out.value ? boost::json::serialize(*out.value) : "undefined")};
  }
  if (!out.value) return {true, ""};
  return {false, "case has no expectation"};
}

// "group/case007" or "group/case007#2" -> reason.
std::map<std::string, std::string> LoadSkips() {
  std::map<std::string, std::string> skips;
  std::ifstream in(fs::path(TIDEPOOL_SOURCE_DIR) /
                   "src/services/stepfunctions/jsonata/jsonata_suite_skips.txt");
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    size_t space = line.find(' ');
    skips[line.substr(0, space)] = space == std::string::npos ? "" : line.substr(space + 1);
  }
  return skips;
}

TEST(JsonataSuite, ReferenceCasesPass) {
  auto suite = SuiteDir();
  ASSERT_TRUE(suite.has_value())
      << "the JSONata suite is missing: expected ../shared/testdata/jsonata-2.0.6 beside the "
         "source tree (or JSONATA_SUITE_DIR)";
  auto skips = LoadSkips();
  std::vector<fs::path> files;
  for (const auto& g : fs::directory_iterator(*suite / "groups")) {
    for (const auto& f : fs::directory_iterator(g.path())) {
      if (f.path().extension() == ".json") files.push_back(f.path());
    }
  }
  std::sort(files.begin(), files.end());
  int total = 0, passed = 0, skipped = 0, skipped_but_pass = 0;
  std::vector<std::string> failures;
  const bool list_all = std::getenv("JSONATA_SUITE_LIST") != nullptr;
  for (const auto& file : files) {
    std::string id = file.parent_path().filename().string() + "/" + file.stem().string();
    boost::json::value doc = SuiteJson::Parse(ReadFile(file));
    std::vector<std::pair<std::string, boost::json::object>> cases;
    if (doc.is_array()) {
      for (size_t i = 0; i < doc.as_array().size(); ++i) {
        cases.emplace_back(id + "#" + std::to_string(i), doc.as_array()[i].as_object());
      }
    } else {
      cases.emplace_back(id, doc.as_object());
    }
    for (auto& [case_id, c] : cases) {
      ++total;
      CaseResult r = RunCase(c, *suite, file.parent_path());
      bool skip = skips.count(case_id) > 0;
      if (r.pass) {
        ++passed;
        if (skip) ++skipped_but_pass;
      } else if (skip) {
        ++skipped;
      } else {
        failures.push_back(case_id + ": " + r.detail);
      }
      if (list_all && !r.pass) std::printf("FAIL %s %s\n", case_id.c_str(), r.detail.c_str());
    }
  }
  std::printf("JSONata suite: %d of %d cases pass; %d skipped (listed in jsonata_suite_skips.txt)",
              passed, total, skipped);
  if (skipped_but_pass > 0) std::printf("; %d listed cases now pass", skipped_but_pass);
  std::printf("\n");
  for (const auto& f : failures) ADD_FAILURE() << f;
}

}  // namespace
}  // namespace tidepool::sfn::jsonata
