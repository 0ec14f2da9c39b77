#include "services/stepfunctions/jsonata/signature.h"

#include "services/stepfunctions/jsonata/error.h"

namespace tidepool::sfn::jsonata {
namespace {

char Symbol(const Value& v) {
  switch (v.type()) {
    case Value::Type::kFunction:
      return 'f';
    case Value::Type::kString:
      return 's';
    case Value::Type::kNumber:
      return 'n';
    case Value::Type::kBool:
      return 'b';
    case Value::Type::kNull:
      return 'l';
    case Value::Type::kArray:
      return 'a';
    case Value::Type::kObject:
      return 'o';
    case Value::Type::kUndefined:
      return 'm';
  }
  return 'm';
}

}  // namespace

std::shared_ptr<Signature> Signature::Parse(std::string_view text, int position) {
  auto sig = std::make_shared<Signature>();
  size_t i = 1;  // skip '<'
  auto add = [&](char type, std::string regex) {
    Param p;
    p.type = type;
    p.regex = std::move(regex);
    sig->params_.push_back(std::move(p));
  };
  while (i < text.size()) {
    char c = text[i];
    if (c == ':' || c == '>') break;
    switch (c) {
      case 's':
      case 'n':
      case 'b':
      case 'l':
        add(c, std::string("[") + c + "m]");
        break;
      case 'a':
        add('a', "[asnblfom]");
        break;
      case 'f':
        add('f', "f");
        break;
      case 'j':
        add('j', "[asnblom]");
        break;
      case 'o':
        add('o', "[om]");
        break;
      case 'x':
        add('x', "[asnblfom]");
        break;
      case 'u':
        add('u', "[bnslm]");
        break;
      case '(': {
        size_t end = text.find(')', i);
        if (end == std::string_view::npos) ThrowError("S0401", position + static_cast<int>(i));
        std::string choice(text.substr(i + 1, end - i - 1));
        add('(', "[" + choice + "m]");
        i = end;
        break;
      }
      case '<': {
        if (sig->params_.empty() ||
            (sig->params_.back().type != 'a' && sig->params_.back().type != 'f')) {
          ThrowError("S0401", position + static_cast<int>(i));
        }
        int depth = 1;
        size_t j = i + 1;
        while (j < text.size() && depth > 0) {
          if (text[j] == '<') ++depth;
          if (text[j] == '>') --depth;
          ++j;
        }
        if (sig->params_.back().type == 'a') {
          sig->params_.back().subtype = std::string(text.substr(i + 1, j - i - 2));
        }
        i = j - 1;
        break;
      }
      case '?':
      case '+':
        if (sig->params_.empty()) ThrowError("S0401", position + static_cast<int>(i));
        sig->params_.back().regex += c;
        break;
      case '-':
        if (sig->params_.empty()) ThrowError("S0401", position + static_cast<int>(i));
        sig->params_.back().context = true;
        sig->params_.back().regex += '?';
        break;
      default:
        ThrowError("S0401", position + static_cast<int>(i), std::string(1, c));
    }
    ++i;
  }
  std::string full = "^";
  for (const auto& p : sig->params_) full += "(" + p.regex + ")";
  full += "$";
  sig->regex_ = std::regex(full);
  return sig;
}

std::vector<Value> Signature::Validate(const std::vector<Value>& args, const Value& context) const {
  std::string supplied;
  for (const auto& a : args) supplied.push_back(Symbol(a));
  std::smatch m;
  if (!std::regex_match(supplied, m, regex_)) {
    std::string partial = "^";
    size_t good_to = 0;
    for (const auto& p : params_) {
      partial += p.regex;
      std::smatch pm;
      if (!std::regex_search(supplied, pm, std::regex(partial))) break;
      good_to = static_cast<size_t>(pm.length(0));
    }
    JsonataError e{"T0410", -1, "", "", Value()};
    e.message = "Argument " + std::to_string(good_to + 1) + " of function does not match";
    if (good_to < args.size()) e.value = args[good_to];
    throw e;
  }
  std::vector<Value> out;
  size_t arg_index = 0;
  for (size_t pi = 0; pi < params_.size(); ++pi) {
    const Param& p = params_[pi];
    std::string match = m[static_cast<int>(pi) + 1].str();
    if (match.empty()) {
      if (p.context) {
        char ct = Symbol(context);
        std::string base = p.regex.substr(0, p.regex.size() - 1);
        if (std::regex_match(std::string(1, ct), std::regex(base))) {
          out.push_back(context);
        } else {
          JsonataError e{"T0411", -1, "", "", context};
          e.message = "Context value is not a compatible type with argument " +
                      std::to_string(arg_index + 1);
          throw e;
        }
      } else {
        out.push_back(arg_index < args.size() ? args[arg_index] : Value());
        ++arg_index;
      }
      continue;
    }
    for (char single : match) {
      Value arg = arg_index < args.size() ? args[arg_index] : Value();
      if (p.type == 'a') {
        if (single == 'm') {
          arg = Value();
        } else {
          bool ok = true;
          if (!p.subtype.empty()) {
            if (single != 'a' && match != p.subtype) {
              ok = false;
            } else if (single == 'a' && !arg.array().items.empty()) {
              char item_type = Symbol(arg.array().items[0]);
              if (item_type != p.subtype[0]) {
                ok = false;
              } else {
                for (const auto& item : arg.array().items) {
                  if (Symbol(item) != item_type) ok = false;
                }
              }
            }
          }
          if (!ok) {
            JsonataError e{"T0412", -1, "", "", arg};
            e.message =
                "Argument " + std::to_string(arg_index + 1) + " must be an array of " + p.subtype;
            throw e;
          }
          if (single != 'a') {
            Value wrapped = Value::NewArray();
            wrapped.array().items.push_back(arg);
            arg = wrapped;
          }
        }
      }
      out.push_back(arg);
      ++arg_index;
    }
  }
  return out;
}

}  // namespace tidepool::sfn::jsonata
