#include "services/stepfunctions/asl/query.h"

#include <fmt/format.h>
#include <openssl/evp.h>
#include <boost/json.hpp>

#include <cmath>
#include <random>

#include "core/encoding.h"
#include "services/stepfunctions/jsonata/jsonata.h"

namespace tidepool::sfn::asl {
namespace json = boost::json;
namespace jn = tidepool::sfn::jsonata;

namespace {

constexpr std::string_view kQueryEvaluationError = "States.QueryEvaluationError";

std::string_view ExpressionText(std::string_view s) {
  s.remove_prefix(2);
  s.remove_suffix(2);
  return s;
}

[[noreturn]] void Fail(const char* code, std::string message) {
  throw jn::JsonataError{code, -1, "", std::move(message), jn::Value()};
}

std::string Uuid4() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  uint64_t a = rng(), b = rng();
  a = (a & 0xFFFFFFFFFFFF0FFFULL) | 0x0000000000004000ULL;
  b = (b & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;
  std::string h = fmt::format("{:016x}{:016x}", a, b);
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) +
         "-" + h.substr(20);
}

std::vector<std::pair<std::string, jn::Value>> StatesFunctions() {
  std::vector<std::pair<std::string, jn::Value>> fns;
  fns.emplace_back(
      "partition",
      jn::MakeNative("partition", "<an:a>", [](jn::CallContext&, std::vector<jn::Value>& a) {
        if (a[0].undefined()) return jn::Value();
        double size = a[1].number();
        if (size <= 0 || std::floor(size) != size)
          Fail("D3200", "$partition: the size must be a positive integer");
        jn::Value out = jn::Value::NewArray();
        const auto& items = a[0].array().items;
        for (size_t i = 0; i < items.size(); i += static_cast<size_t>(size)) {
          jn::Value chunk = jn::Value::NewArray();
          for (size_t j = i; j < items.size() && j < i + static_cast<size_t>(size); ++j) {
            chunk.array().items.push_back(items[j]);
          }
          out.array().items.push_back(chunk);
        }
        return out;
      }));
  fns.emplace_back(
      "range", jn::MakeNative("range", "<nnn:a>", [](jn::CallContext&, std::vector<jn::Value>& a) {
        double start = a[0].number(), end = a[1].number(), step = a[2].number();
        if (step == 0 || std::floor(start) != start || std::floor(end) != end ||
            std::floor(step) != step) {
          Fail("D3201", "$range: start, end and step must be integers and step not zero");
        }
        if (std::fabs((end - start) / step) > 1000) Fail("D3202", "$range: at most 1000 items");
        jn::Value out = jn::Value::NewArray();
        for (double x = start; step > 0 ? x <= end : x >= end; x += step) {
          out.array().items.push_back(jn::Value::Number(x));
        }
        return out;
      }));
  fns.emplace_back(
      "hash", jn::MakeNative("hash", "<ss?:s>", [](jn::CallContext&, std::vector<jn::Value>& a) {
        if (a[0].undefined()) return jn::Value();
        std::string alg = a.size() > 1 && a[1].is_string() ? a[1].str() : "SHA-256";
        const EVP_MD* md = alg == "MD5"       ? EVP_md5()
                           : alg == "SHA-1"   ? EVP_sha1()
                           : alg == "SHA-256" ? EVP_sha256()
                           : alg == "SHA-384" ? EVP_sha384()
                           : alg == "SHA-512" ? EVP_sha512()
                                              : nullptr;
        if (!md)
          Fail("D3203",
               "$hash: the algorithm must be one of MD5, SHA-1, SHA-256, SHA-384, SHA-512");
        unsigned char out[EVP_MAX_MD_SIZE];
        unsigned int len = 0;
        EVP_Digest(a[0].str().data(), a[0].str().size(), out, &len, md, nullptr);
        return jn::Value::String(HexEncode(std::string_view(reinterpret_cast<char*>(out), len)));
      }));
  fns.emplace_back(
      "random", jn::MakeNative("random", "<n?:n>", [](jn::CallContext&, std::vector<jn::Value>& a) {
        if (!a.empty() && a[0].is_number()) {
          std::mt19937_64 seeded(static_cast<uint64_t>(a[0].number()));
          return jn::Value::Number(std::uniform_real_distribution<double>(0, 1)(seeded));
        }
        thread_local std::mt19937_64 rng{std::random_device{}()};
        return jn::Value::Number(std::uniform_real_distribution<double>(0, 1)(rng));
      }));
  fns.emplace_back("uuid",
                   jn::MakeNative("uuid", "<:s>", [](jn::CallContext&, std::vector<jn::Value>&) {
                     return jn::Value::String(Uuid4());
                   }));
  fns.emplace_back(
      "parse", jn::MakeNative("parse", "<s-:j>", [](jn::CallContext&, std::vector<jn::Value>& a) {
        if (a[0].undefined()) return jn::Value();
        boost::system::error_code ec;
        json::value v = json::parse(a[0].str(), ec);
        if (ec) Fail("D3204", "$parse: the string is not JSON");
        return jn::FromJson(v);
      }));
  return fns;
}

const std::vector<std::pair<std::string, jn::Value>>& Functions() {
  static const auto* fns = new std::vector<std::pair<std::string, jn::Value>>(StatesFunctions());
  return *fns;
}

std::optional<json::value> EvaluateExpression(std::string_view text, const QueryScope& scope,
                                              std::string_view field_name, StatesError* error,
                                              bool* undefined) {
  jn::JsonataError perr;
  auto expr = jn::Expression::Compile(text, &perr);
  if (!expr) {
    *error = {std::string(kQueryEvaluationError),
              fmt::format("The JSONata expression '{}' specified for the field '{}' is invalid: "
                          "{} ({})",
                          text, field_name, jn::ErrorMessage(perr), perr.code)};
    return std::nullopt;
  }
  jn::EvaluateOptions options;
  options.allow_eval = false;
  json::object states;
  if (scope.input) states["input"] = *scope.input;
  if (scope.context) states["context"] = *scope.context;
  if (scope.result) states["result"] = *scope.result;
  if (scope.error_output) states["errorOutput"] = *scope.error_output;
  if (scope.variables) {
    for (const auto& [k, v] : *scope.variables) options.bindings.emplace_back(std::string(k), v);
  }
  options.bindings.emplace_back("states", std::move(states));
  options.values = Functions();
  jn::Outcome out = expr->Evaluate(nullptr, options);
  if (!out.ok) {
    *error = {std::string(kQueryEvaluationError),
              fmt::format("An error occurred while evaluating the expression '{}' specified for "
                          "the field '{}': {} ({})",
                          text, field_name, out.error.message, out.error.code)};
    return std::nullopt;
  }
  *undefined = !out.value.has_value();
  if (!out.value) return json::value(nullptr);
  return std::move(*out.value);
}

std::optional<json::value> EvaluateMember(const json::value& field, const QueryScope& scope,
                                          std::string_view field_name, StatesError* error,
                                          bool* undefined) {
  *undefined = false;
  if (IsQueryExpression(field)) {
    return EvaluateExpression(ExpressionText(field.get_string()), scope, field_name, error,
                              undefined);
  }
  if (field.is_object()) {
    json::object out;
    for (const auto& [k, v] : field.get_object()) {
      bool u = false;
      auto r = EvaluateMember(v, scope, field_name, error, &u);
      if (!r) return std::nullopt;
      if (!u) out[k] = std::move(*r);
    }
    return out;
  }
  if (field.is_array()) {
    json::array out;
    for (const auto& v : field.get_array()) {
      bool u = false;
      auto r = EvaluateMember(v, scope, field_name, error, &u);
      if (!r) return std::nullopt;
      if (!u) out.push_back(std::move(*r));
    }
    return out;
  }
  return field;
}

}  // namespace

bool IsQueryExpression(const json::value& v) {
  if (!v.is_string()) return false;
  std::string_view s = v.get_string();
  return s.size() >= 4 && s.starts_with("{%") && s.ends_with("%}");
}

std::optional<std::string> ValidateQueryField(const json::value& field) {
  if (IsQueryExpression(field)) {
    std::string_view text = ExpressionText(field.get_string());
    jn::JsonataError err;
    if (!jn::Expression::Compile(text, &err)) {
      return fmt::format("The JSONata expression '{}' is invalid: {} ({})", text,
                         jn::ErrorMessage(err), err.code);
    }
    return std::nullopt;
  }
  if (field.is_object()) {
    for (const auto& [k, v] : field.get_object()) {
      if (auto e = ValidateQueryField(v)) return e;
    }
  } else if (field.is_array()) {
    for (const auto& v : field.get_array()) {
      if (auto e = ValidateQueryField(v)) return e;
    }
  }
  return std::nullopt;
}

std::optional<json::value> EvaluateQueryField(const json::value& field, const QueryScope& scope,
                                              std::string_view field_name, StatesError* error) {
  bool undefined = false;
  return EvaluateMember(field, scope, field_name, error, &undefined);
}

}  // namespace tidepool::sfn::asl
