#include "services/stepfunctions/asl/intrinsics.h"

#include <fmt/format.h>
#include <openssl/evp.h>
#include <boost/json.hpp>

#include <array>
#include <charconv>
#include <cmath>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "core/encoding.h"
#include "services/stepfunctions/asl/json_path.h"

namespace tidepool::sfn::asl {
namespace json = boost::json;

namespace {

struct Node {
  enum class Kind { kLiteral, kPath, kCall } kind = Kind::kLiteral;
  json::value literal;
  std::string text;  // path text, or function name
  std::vector<Node> args;
};

constexpr std::array<std::string_view, 18> kFunctions = {
    "States.Array",          "States.ArrayContains", "States.ArrayGetItem", "States.ArrayLength",
    "States.ArrayPartition", "States.ArrayRange",    "States.ArrayUnique",  "States.Base64Decode",
    "States.Base64Encode",   "States.Format",        "States.Hash",         "States.JsonMerge",
    "States.JsonToString",   "States.MathAdd",       "States.MathRandom",   "States.StringSplit",
    "States.StringToJson",   "States.UUID",
};

class Parser {
 public:
  explicit Parser(std::string_view s) : s_(s) {}

  Status ParseCall(Node* out) {
    SkipSpace();
    size_t b = i_;
    while (i_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[i_])) || s_[i_] == '.'))
      ++i_;
    std::string name(s_.substr(b, i_ - b));
    if (std::find(kFunctions.begin(), kFunctions.end(), name) == kFunctions.end()) {
      return Fail(fmt::format("unknown intrinsic function '{}'", name));
    }
    SkipSpace();
    if (!Eat('(')) return Fail("expected '('");
    out->kind = Node::Kind::kCall;
    out->text = std::move(name);
    SkipSpace();
    if (Eat(')')) return Status::Ok();
    while (true) {
      Node arg;
      TP_RETURN_IF_ERROR(ParseArg(&arg));
      out->args.push_back(std::move(arg));
      SkipSpace();
      if (Eat(')')) return Status::Ok();
      if (!Eat(',')) return Fail("expected ',' or ')'");
    }
  }

  Status ParseTop(Node* out) {
    TP_RETURN_IF_ERROR(ParseCall(out));
    SkipSpace();
    if (i_ != s_.size()) return Fail("unexpected text after the call");
    return Status::Ok();
  }

 private:
  Status Fail(std::string why) {
    return Status::InvalidArgument(fmt::format("Invalid intrinsic function '{}': {}", s_, why));
  }
  void SkipSpace() {
    while (i_ < s_.size() && s_[i_] == ' ') ++i_;
  }
  bool Eat(char c) {
    if (i_ < s_.size() && s_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }
  Status ParseArg(Node* out) {
    SkipSpace();
    if (i_ >= s_.size()) return Fail("unexpected end");
    char c = s_[i_];
    if (c == '\'') {
      ++i_;
      std::string str;
      while (i_ < s_.size() && s_[i_] != '\'') {
        if (s_[i_] == '\\' && i_ + 1 < s_.size()) {
          // \' \{ \} \\ keep the escaped character; other escapes keep the backslash
          // (States.Format sees "\{" as a literal brace).
          char n = s_[i_ + 1];
          if (n == '\'' || n == '\\') {
            str.push_back(n);
          } else {
            str.push_back('\\');
            str.push_back(n);
          }
          i_ += 2;
          continue;
        }
        str.push_back(s_[i_++]);
      }
      if (!Eat('\'')) return Fail("unterminated string");
      out->literal = json::string(str);
      return Status::Ok();
    }
    if (c == '$') {
      size_t b = i_;
      int depth = 0;
      while (i_ < s_.size()) {
        char d = s_[i_];
        if (d == '[') ++depth;
        if (d == ']') --depth;
        if (depth == 0 && (d == ',' || d == ')' || d == ' ')) break;
        ++i_;
      }
      out->kind = Node::Kind::kPath;
      out->text = std::string(s_.substr(b, i_ - b));
      std::string_view p = out->text;
      if (p.starts_with("$$")) p.remove_prefix(1);
      auto parsed = JsonPath::Parse(p);
      if (!parsed.ok()) return Fail(parsed.status().message());
      return Status::Ok();
    }
    if (s_.substr(i_).starts_with("States.")) return ParseCall(out);
    size_t b = i_;
    while (i_ < s_.size() && s_[i_] != ',' && s_[i_] != ')' && s_[i_] != ' ') ++i_;
    std::string_view tok = s_.substr(b, i_ - b);
    if (tok == "true") {
      out->literal = true;
    } else if (tok == "false") {
      out->literal = false;
    } else if (tok == "null") {
      out->literal = nullptr;
    } else {
      int64_t iv;
      auto [p, ec] = std::from_chars(tok.data(), tok.data() + tok.size(), iv);
      if (ec == std::errc() && p == tok.data() + tok.size()) {
        out->literal = iv;
      } else {
        double dv;
        auto [p2, ec2] = std::from_chars(tok.data(), tok.data() + tok.size(), dv);
        if (ec2 != std::errc() || p2 != tok.data() + tok.size() || tok.empty()) {
          return Fail(fmt::format("invalid argument '{}'", tok));
        }
        out->literal = dv;
      }
    }
    return Status::Ok();
  }

  std::string_view s_;
  size_t i_ = 0;
};

std::optional<double> AsNumber(const json::value& v) {
  if (v.is_int64()) return static_cast<double>(v.get_int64());
  if (v.is_uint64()) return static_cast<double>(v.get_uint64());
  if (v.is_double()) return v.get_double();
  return std::nullopt;
}

std::optional<int64_t> AsInteger(const json::value& v) {
  if (v.is_int64()) return v.get_int64();
  if (v.is_uint64()) return static_cast<int64_t>(v.get_uint64());
  if (v.is_double() && std::floor(v.get_double()) == v.get_double()) {
    return static_cast<int64_t>(v.get_double());
  }
  return std::nullopt;
}

json::value Number(double d) {
  if (std::floor(d) == d && std::fabs(d) < 9e15) return static_cast<int64_t>(d);
  return d;
}

std::string FormatArg(const json::value& v) {
  if (v.is_string()) return std::string(v.get_string());
  return json::serialize(v);
}

std::mt19937_64& Rng() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return rng;
}

class Evaluator {
 public:
  Evaluator(const json::value& input, const json::value& context, StatesError* error)
      : input_(input), context_(context), error_(error) {}

  std::optional<json::value> Eval(const Node& n) {
    switch (n.kind) {
      case Node::Kind::kLiteral:
        return n.literal;
      case Node::Kind::kPath: {
        bool ctx = n.text.starts_with("$$");
        auto path = JsonPath::Parse(ctx ? std::string_view(n.text).substr(1) : n.text);
        if (!path.ok()) return Fail(errors::kIntrinsicFailure, path.status().message());
        auto v = path->Evaluate(ctx ? context_ : input_);
        if (!v) {
          return Fail(errors::kRuntime,
                      fmt::format("The JsonPath argument for the field '{}' could not be found "
                                  "in the input '{}'",
                                  n.text, json::serialize(ctx ? context_ : input_)));
        }
        return v;
      }
      case Node::Kind::kCall:
        break;
    }
    std::vector<json::value> args;
    for (const auto& a : n.args) {
      auto v = Eval(a);
      if (!v) return std::nullopt;
      args.push_back(std::move(*v));
    }
    return Call(n.text, args);
  }

 private:
  std::nullopt_t Fail(std::string_view error, std::string cause) {
    *error_ = {std::string(error), std::move(cause)};
    return std::nullopt;
  }
  std::nullopt_t Bad(std::string_view fn, std::string_view why) {
    return Fail(errors::kIntrinsicFailure,
                fmt::format("Invalid arguments in {}: {}", fn.substr(7), why));
  }

  std::optional<json::value> Call(const std::string& fn, std::vector<json::value>& a) {
    auto want = [&](size_t n) { return a.size() == n; };
    if (fn == "States.Format") {
      if (a.empty() || !a[0].is_string()) return Bad(fn, "the first argument must be a string");
      std::string_view t = a[0].get_string();
      std::string out;
      size_t next = 1;
      for (size_t i = 0; i < t.size(); ++i) {
        if (t[i] == '\\' && i + 1 < t.size()) {
          out.push_back(t[++i]);
        } else if (t[i] == '{' && i + 1 < t.size() && t[i + 1] == '}') {
          if (next >= a.size()) return Bad(fn, "more placeholders than arguments");
          if (a[next].is_object() || a[next].is_array())
            return Bad(fn, "arguments must be strings, numbers, booleans or null");
          out += FormatArg(a[next++]);
          ++i;
        } else {
          out.push_back(t[i]);
        }
      }
      if (next != a.size()) return Bad(fn, "more arguments than placeholders");
      return json::value(json::string(out));
    }
    if (fn == "States.StringToJson") {
      if (!want(1) || !a[0].is_string()) return Bad(fn, "expects one string");
      boost::system::error_code ec;
      json::value v = json::parse(a[0].get_string(), ec);
      if (ec) return Bad(fn, "the string is not valid JSON");
      return v;
    }
    if (fn == "States.JsonToString") {
      if (!want(1)) return Bad(fn, "expects one argument");
      return json::value(json::string(json::serialize(a[0])));
    }
    if (fn == "States.Array") return json::value(json::array(a.begin(), a.end()));
    if (fn == "States.ArrayPartition") {
      if (!want(2) || !a[0].is_array()) return Bad(fn, "expects an array and a chunk size");
      auto size = AsInteger(a[1]);
      if (!size || *size <= 0) return Bad(fn, "the chunk size must be a positive integer");
      json::array out;
      const auto& arr = a[0].get_array();
      for (size_t i = 0; i < arr.size(); i += *size) {
        json::array chunk;
        for (size_t k = i; k < arr.size() && k < i + static_cast<size_t>(*size); ++k)
          chunk.push_back(arr[k]);
        out.push_back(std::move(chunk));
      }
      return json::value(std::move(out));
    }
    if (fn == "States.ArrayContains") {
      if (!want(2) || !a[0].is_array()) return Bad(fn, "expects an array and a value");
      for (const auto& e : a[0].get_array()) {
        if (e == a[1]) return json::value(true);
      }
      return json::value(false);
    }
    if (fn == "States.ArrayRange") {
      if (!want(3)) return Bad(fn, "expects start, end and step");
      auto s = AsInteger(a[0]), e = AsInteger(a[1]), st = AsInteger(a[2]);
      if (!s || !e || !st) return Bad(fn, "arguments must be integers");
      if (*st == 0) return Bad(fn, "the step must not be 0");
      json::array out;
      for (int64_t v = *s; *st > 0 ? v <= *e : v >= *e; v += *st) {
        if (out.size() >= 1000) return Bad(fn, "the range has more than 1000 items");
        out.push_back(v);
      }
      return json::value(std::move(out));
    }
    if (fn == "States.ArrayGetItem") {
      if (!want(2) || !a[0].is_array()) return Bad(fn, "expects an array and an index");
      auto i = AsInteger(a[1]);
      if (!i || *i < 0 || *i >= static_cast<int64_t>(a[0].get_array().size()))
        return Bad(fn, "the index is out of range");
      return a[0].get_array()[*i];
    }
    if (fn == "States.ArrayLength") {
      if (!want(1) || !a[0].is_array()) return Bad(fn, "expects an array");
      return json::value(static_cast<int64_t>(a[0].get_array().size()));
    }
    if (fn == "States.ArrayUnique") {
      if (!want(1) || !a[0].is_array()) return Bad(fn, "expects an array");
      json::array out;
      for (const auto& e : a[0].get_array()) {
        if (std::find(out.begin(), out.end(), e) == out.end()) out.push_back(e);
      }
      return json::value(std::move(out));
    }
    if (fn == "States.Base64Encode") {
      if (!want(1) || !a[0].is_string()) return Bad(fn, "expects one string");
      if (a[0].get_string().size() > 10000) return Bad(fn, "the input exceeds 10000 characters");
      return json::value(json::string(Base64Encode(a[0].get_string())));
    }
    if (fn == "States.Base64Decode") {
      if (!want(1) || !a[0].is_string()) return Bad(fn, "expects one string");
      auto d = Base64Decode(a[0].get_string());
      if (!d) return Bad(fn, "the input is not valid base64");
      return json::value(json::string(*d));
    }
    if (fn == "States.Hash") {
      if (!want(2) || !a[1].is_string()) return Bad(fn, "expects data and an algorithm");
      std::string_view alg = a[1].get_string();
      const EVP_MD* md = alg == "MD5"       ? EVP_md5()
                         : alg == "SHA-1"   ? EVP_sha1()
                         : alg == "SHA-256" ? EVP_sha256()
                         : alg == "SHA-384" ? EVP_sha384()
                         : alg == "SHA-512" ? EVP_sha512()
                                            : nullptr;
      if (md == nullptr) {
        return Bad(fn, "the algorithm must be one of MD5, SHA-1, SHA-256, SHA-384, SHA-512");
      }
      std::string data = FormatArg(a[0]);
      unsigned char out[EVP_MAX_MD_SIZE];
      unsigned int len = 0;
      EVP_Digest(data.data(), data.size(), out, &len, md, nullptr);
      return json::value(
          json::string(HexEncode(std::string_view(reinterpret_cast<char*>(out), len))));
    }
    if (fn == "States.JsonMerge") {
      if (!want(3) || !a[0].is_object() || !a[1].is_object() || !a[2].is_bool())
        return Bad(fn, "expects two objects and a boolean");
      if (a[2].get_bool()) return Bad(fn, "deep merge is not supported; the flag must be false");
      json::object out = a[0].get_object();
      for (const auto& kv : a[1].get_object()) out[kv.key()] = kv.value();
      return json::value(std::move(out));
    }
    if (fn == "States.MathRandom") {
      if (a.size() != 2 && a.size() != 3) return Bad(fn, "expects start, end and an optional seed");
      auto s = AsInteger(a[0]), e = AsInteger(a[1]);
      if (!s || !e || *s >= *e) return Bad(fn, "start and end must be integers, start < end");
      if (a.size() == 3) {
        auto seed = AsInteger(a[2]);
        if (!seed) return Bad(fn, "the seed must be an integer");
        std::mt19937_64 seeded(static_cast<uint64_t>(*seed));
        return json::value(*s + static_cast<int64_t>(seeded() % static_cast<uint64_t>(*e - *s)));
      }
      return json::value(*s + static_cast<int64_t>(Rng()() % static_cast<uint64_t>(*e - *s)));
    }
    if (fn == "States.MathAdd") {
      if (!want(2)) return Bad(fn, "expects two numbers");
      auto x = AsNumber(a[0]), y = AsNumber(a[1]);
      if (!x || !y) return Bad(fn, "expects two numbers");
      return Number(*x + *y);
    }
    if (fn == "States.StringSplit") {
      if (!want(2) || !a[0].is_string() || !a[1].is_string())
        return Bad(fn, "expects a string and a delimiter");
      std::string_view s = a[0].get_string(), d = a[1].get_string();
      json::array out;
      size_t b = 0;
      for (size_t i = 0; i <= s.size(); ++i) {
        if (i == s.size() || d.find(s[i]) != std::string_view::npos) {
          if (i > b) out.push_back(json::string(s.substr(b, i - b)));
          b = i + 1;
        }
      }
      return json::value(std::move(out));
    }
    if (fn == "States.UUID") {
      if (!a.empty()) return Bad(fn, "takes no arguments");
      return json::value(json::string(NewUuid()));
    }
    return Bad(fn, "unknown function");
  }

  const json::value& input_;
  const json::value& context_;
  StatesError* error_;
};

}  // namespace

bool IsIntrinsic(std::string_view text) { return text.starts_with("States."); }

Status ValidateIntrinsic(std::string_view text) {
  Node n;
  return Parser(text).ParseTop(&n);
}

std::optional<json::value> EvaluateIntrinsic(std::string_view text, const json::value& input,
                                             const json::value& context, StatesError* error) {
  Node n;
  if (Status s = Parser(text).ParseTop(&n); !s.ok()) {
    *error = {std::string(errors::kIntrinsicFailure), s.message()};
    return std::nullopt;
  }
  return Evaluator(input, context, error).Eval(n);
}

}  // namespace tidepool::sfn::asl
