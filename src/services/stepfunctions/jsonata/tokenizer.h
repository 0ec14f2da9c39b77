// The tokenizer of JSONata expressions: names, $variables, literals, operators, /regex/
// (only where an operand is expected), comments; and the binding powers of the operators.
// Internal to parser.cc. Throws JsonataError (S01xx) on a malformed token.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "services/stepfunctions/jsonata/error.h"
#include "services/stepfunctions/jsonata/regex.h"
#include "services/stepfunctions/jsonata/value.h"

namespace tidepool::sfn::jsonata {

inline constexpr std::string_view kStopChars = ".[]{}(),@#;:?+-*/%|=<>^&!~";

inline bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v'; }

struct Token {
  enum class Kind : uint8_t { kEnd, kName, kVariable, kOperator, kString, kNumber, kValue, kRegex };
  Kind kind = Kind::kEnd;
  std::string value;
  double number = 0;
  Value literal;
  int position = 0;
  std::shared_ptr<Regex> regex;
};

// Binding powers of the operators that have a left denotation (0 for the others).
inline int BindingPower(const Token& t) {
  if (t.kind != Token::Kind::kOperator) return 0;
  const std::string& v = t.value;
  if (v == ".") return 75;
  if (v == "[" || v == "(" || v == "@" || v == "#") return 80;
  if (v == "{") return 70;
  if (v == "?") return 20;
  if (v == "+" || v == "-" || v == "&") return 50;
  if (v == "*" || v == "/" || v == "%") return 60;
  if (v == "=" || v == "<" || v == ">" || v == "^" || v == "!=" || v == "<=" || v == ">=" ||
      v == "~>" || v == "in")
    return 40;
  if (v == ":=") return 10;
  if (v == "and") return 30;
  if (v == "or") return 25;
  return 0;
}

inline bool IsKnownOperator(std::string_view v) {
  static const char* const kOps[] = {
      ".",  "[",  "]",  "{",  "}",  "(",  ")",   ",",  "@",  "#", ";", ":",
      "?",  "+",  "-",  "*",  "/",  "%",  "|",   "=",  "<",  ">", "^", "**",
      "..", ":=", "!=", "<=", ">=", "~>", "and", "or", "in", "&"};
  for (const char* op : kOps) {
    if (v == op) return true;
  }
  return false;
}

class Tokenizer {
 public:
  explicit Tokenizer(std::string_view text) : s_(text) {}

  std::optional<Token> Next(bool infix) {
    while (pos_ < s_.size() && IsSpace(s_[pos_])) ++pos_;
    if (pos_ >= s_.size()) return std::nullopt;
    if (s_[pos_] == '/' && At(pos_ + 1) == '*') {
      size_t start = pos_;
      size_t end = s_.find("*/", pos_ + 2);
      if (end == std::string_view::npos) ThrowError("S0106", static_cast<int>(start));
      pos_ = end + 2;
      return Next(infix);
    }
    Token t;
    t.position = static_cast<int>(pos_);
    char c = s_[pos_];
    if (!infix && c == '/') {
      ++pos_;
      return ScanRegex(t);
    }
    auto two = [&](char a, char b, const char* op) -> bool {
      if (c == a && At(pos_ + 1) == b) {
        pos_ += 2;
        t.kind = Token::Kind::kOperator;
        t.value = op;
        return true;
      }
      return false;
    };
    if (two('.', '.', "..") || two(':', '=', ":=") || two('!', '=', "!=") || two('>', '=', ">=") ||
        two('<', '=', "<=") || two('*', '*', "**") || two('~', '>', "~>")) {
      t.position = static_cast<int>(pos_);
      return t;
    }
    if (kStopChars.find(c) != std::string_view::npos) {
      ++pos_;
      t.kind = Token::Kind::kOperator;
      t.value = std::string(1, c);
      t.position = static_cast<int>(pos_);
      return t;
    }
    if (c == '"' || c == '\'') return ScanString(t, c);
    if (c >= '0' && c <= '9') return ScanNumber(t);
    if (c == '`') {
      size_t end = s_.find('`', pos_ + 1);
      if (end == std::string_view::npos) {
        pos_ = s_.size();
        ThrowError("S0105", static_cast<int>(pos_));
      }
      t.kind = Token::Kind::kName;
      t.value = std::string(s_.substr(pos_ + 1, end - pos_ - 1));
      pos_ = end + 1;
      return t;
    }
    size_t i = pos_;
    while (i < s_.size() && !IsSpace(s_[i]) && kStopChars.find(s_[i]) == std::string_view::npos) {
      ++i;
    }
    if (s_[pos_] == '$') {
      t.kind = Token::Kind::kVariable;
      t.value = std::string(s_.substr(pos_ + 1, i - pos_ - 1));
      pos_ = i;
      return t;
    }
    std::string name(s_.substr(pos_, i - pos_));
    pos_ = i;
    if (name == "or" || name == "in" || name == "and") {
      t.kind = Token::Kind::kOperator;
      t.value = name;
    } else if (name == "true" || name == "false") {
      t.kind = Token::Kind::kValue;
      t.literal = Value::Bool(name == "true");
      t.value = name;
    } else if (name == "null") {
      t.kind = Token::Kind::kValue;
      t.literal = Value::Null();
      t.value = name;
    } else {
      t.kind = Token::Kind::kName;
      t.value = std::move(name);
    }
    return t;
  }

  size_t position() const { return pos_; }

 private:
  char At(size_t i) const { return i < s_.size() ? s_[i] : '\0'; }

  Token ScanString(Token t, char quote) {
    ++pos_;
    std::string out;
    while (pos_ < s_.size()) {
      char c = s_[pos_];
      if (c == '\\') {
        ++pos_;
        c = At(pos_);
        switch (c) {
          case '"':
          case '\\':
          case '/':
          case '\'':
            if (c == '\'') ThrowError("S0103", static_cast<int>(pos_), std::string(1, c));
            out.push_back(c);
            break;
          case 'b':
            out.push_back('\b');
            break;
          case 'f':
            out.push_back('\f');
            break;
          case 'n':
            out.push_back('\n');
            break;
          case 'r':
            out.push_back('\r');
            break;
          case 't':
            out.push_back('\t');
            break;
          case 'u': {
            uint32_t cp = 0;
            if (!Hex4(pos_ + 1, &cp)) ThrowError("S0104", static_cast<int>(pos_));
            pos_ += 4;
            if (cp >= 0xD800 && cp <= 0xDBFF && At(pos_ + 1) == '\\' && At(pos_ + 2) == 'u') {
              uint32_t low = 0;
              if (Hex4(pos_ + 3, &low) && low >= 0xDC00 && low <= 0xDFFF) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                pos_ += 6;
              }
            }
            AppendUtf8(&out, cp);
            break;
          }
          default:
            ThrowError("S0103", static_cast<int>(pos_), std::string(1, c));
        }
      } else if (c == quote) {
        ++pos_;
        t.kind = Token::Kind::kString;
        t.value = std::move(out);
        return t;
      } else {
        out.push_back(c);
      }
      ++pos_;
    }
    ThrowError("S0101", static_cast<int>(pos_));
  }

  bool Hex4(size_t at, uint32_t* cp) const {
    if (at + 4 > s_.size()) return false;
    uint32_t v = 0;
    for (size_t i = at; i < at + 4; ++i) {
      char c = s_[i];
      v <<= 4;
      if (c >= '0' && c <= '9') {
        v |= static_cast<uint32_t>(c - '0');
      } else if (c >= 'a' && c <= 'f') {
        v |= static_cast<uint32_t>(c - 'a' + 10);
      } else if (c >= 'A' && c <= 'F') {
        v |= static_cast<uint32_t>(c - 'A' + 10);
      } else {
        return false;
      }
    }
    *cp = v;
    return true;
  }

  Token ScanNumber(Token t) {
    size_t i = pos_;
    if (s_[i] == '0') {
      ++i;
    } else {
      while (i < s_.size() && s_[i] >= '0' && s_[i] <= '9') ++i;
    }
    if (At(i) == '.' && At(i + 1) >= '0' && At(i + 1) <= '9') {
      ++i;
      while (i < s_.size() && s_[i] >= '0' && s_[i] <= '9') ++i;
    }
    if (At(i) == 'e' || At(i) == 'E') {
      size_t j = i + 1;
      if (At(j) == '+' || At(j) == '-') ++j;
      if (At(j) >= '0' && At(j) <= '9') {
        while (j < s_.size() && s_[j] >= '0' && s_[j] <= '9') ++j;
        i = j;
      }
    }
    std::string text(s_.substr(pos_, i - pos_));
    double d = std::strtod(text.c_str(), nullptr);
    if (!std::isfinite(d)) ThrowError("S0102", static_cast<int>(pos_), text);
    pos_ = i;
    t.kind = Token::Kind::kNumber;
    t.number = d;
    t.value = text;
    return t;
  }

  Token ScanRegex(Token t) {
    size_t start = pos_;
    int depth = 0;
    while (pos_ < s_.size()) {
      char c = s_[pos_];
      if (c == '/' && depth == 0) {
        size_t backslashes = 0;
        while (pos_ >= backslashes + 1 && s_[pos_ - backslashes - 1] == '\\') ++backslashes;
        if (backslashes % 2 == 0) {
          std::string pattern(s_.substr(start, pos_ - start));
          if (pattern.empty()) ThrowError("S0301", static_cast<int>(pos_));
          ++pos_;
          bool icase = false, multiline = false;
          std::string flag_text;
          while (At(pos_) == 'i' || At(pos_) == 'm') {
            if (At(pos_) == 'i') icase = true;
            if (At(pos_) == 'm') multiline = true;
            flag_text.push_back(At(pos_));
            ++pos_;
          }
          try {
            t.regex = std::make_shared<Regex>(CompileRegex(pattern, icase, multiline));
          } catch (const boost::regex_error&) {
            ThrowError("S0302", static_cast<int>(pos_), pattern);
          }
          t.kind = Token::Kind::kRegex;
          t.value = pattern;
          return t;
        }
      }
      if ((c == '(' || c == '[' || c == '{') && (pos_ == 0 || s_[pos_ - 1] != '\\')) ++depth;
      if ((c == ')' || c == ']' || c == '}') && (pos_ == 0 || s_[pos_ - 1] != '\\')) --depth;
      ++pos_;
    }
    ThrowError("S0302", static_cast<int>(pos_));
  }

  std::string_view s_;
  size_t pos_ = 0;
};

}  // namespace tidepool::sfn::jsonata
