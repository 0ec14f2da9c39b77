// English number words for the "w" integer pictures: "three thousand, seven hundred and
// thirty", ordinals on the last word ("thirty-first"), and reading them back. Scales stop at
// trillion and repeat beyond it ("ten billion trillion trillion trillion"), as JSONata does.
#include <array>
#include <cctype>
#include <map>

#include "services/stepfunctions/jsonata/picture_integer.h"

namespace tidepool::sfn::jsonata {
namespace {

constexpr std::array<const char*, 20> kOnes = {
    "zero",     "one",     "two",     "three",     "four",     "five",    "six",
    "seven",    "eight",   "nine",    "ten",       "eleven",   "twelve",  "thirteen",
    "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"};
constexpr std::array<const char*, 10> kTens = {"",      "",      "twenty",  "thirty", "forty",
                                               "fifty", "sixty", "seventy", "eighty", "ninety"};
// Digits per scale word, largest first.
constexpr std::array<std::pair<size_t, const char*>, 4> kScales = {
    {{12, "trillion"}, {9, "billion"}, {6, "million"}, {3, "thousand"}}};

std::string_view StripZeros(std::string_view d) {
  size_t lead = d.find_first_not_of('0');
  return lead == std::string_view::npos ? std::string_view() : d.substr(lead);
}

// `d`: decimal digits without leading zeros, not empty.
std::string Words(std::string_view d) {
  if (d.size() <= 2) {
    int n = std::stoi(std::string(d));
    if (n < 20) return kOnes[static_cast<size_t>(n)];
    std::string out = kTens[static_cast<size_t>(n / 10)];
    if (n % 10 != 0) out += std::string("-") + kOnes[static_cast<size_t>(n % 10)];
    return out;
  }
  std::string out;
  std::string_view rest;
  if (d.size() == 3) {
    out = std::string(kOnes[static_cast<size_t>(d[0] - '0')]) + " hundred";
    rest = StripZeros(d.substr(1));
  } else {
    for (const auto& [digits, name] : kScales) {
      if (d.size() > digits) {
        out = Words(d.substr(0, d.size() - digits)) + " " + name;
        rest = StripZeros(d.substr(d.size() - digits));
        break;
      }
    }
  }
  if (rest.empty()) return out;
  return out + (rest.size() <= 2 ? " and " : ", ") + Words(rest);
}

std::string OrdinalWord(const std::string& word) {
  static const std::map<std::string, std::string> kIrregular = {
      {"one", "first"},    {"two", "second"}, {"three", "third"},   {"five", "fifth"},
      {"eight", "eighth"}, {"nine", "ninth"}, {"twelve", "twelfth"}};
  auto it = kIrregular.find(word);
  if (it != kIrregular.end()) return it->second;
  if (!word.empty() && word.back() == 'y') return word.substr(0, word.size() - 1) + "ieth";
  return word + "th";
}

// Every word the reader knows: cardinal and ordinal, with its value; scale words say so.
struct WordValue {
  long double value;
  bool scale;
};

const std::map<std::string, WordValue>& Vocabulary() {
  static const auto* vocabulary = [] {
    auto* v = new std::map<std::string, WordValue>();
    auto add = [&](const std::string& word, long double value, bool scale) {
      (*v)[word] = {value, scale};
      (*v)[OrdinalWord(word)] = {value, scale};
    };
    for (size_t i = 0; i < kOnes.size(); ++i) add(kOnes[i], static_cast<long double>(i), false);
    for (size_t i = 2; i < kTens.size(); ++i) {
      add(kTens[i], static_cast<long double>(i * 10), false);
    }
    add("hundred", 100, true);
    for (const auto& [digits, name] : kScales) {
      long double value = 1;
      for (size_t i = 0; i < digits; ++i) value *= 10;
      add(name, value, true);
    }
    return v;
  }();
  return *vocabulary;
}

}  // namespace

std::string IntegerWords(std::string_view digits, bool ordinal) {
  std::string_view d = StripZeros(digits);
  std::string out = d.empty() ? "zero" : Words(d);
  if (!ordinal) return out;
  size_t cut = out.find_last_of(" -");
  cut = cut == std::string::npos ? 0 : cut + 1;
  return out.substr(0, cut) + OrdinalWord(out.substr(cut));
}

// A scale word multiplies the terms after the last larger one ("two hundred and thirty-four
// billion"); one that follows another scale word multiplies what that made ("thousand
// trillion"). Long double keeps 10^46 exact enough to round to the double JSONata gives.
std::optional<double> ParseIntegerWords(std::string_view text) {
  std::vector<long double> terms;
  bool after_scale = false;
  size_t i = 0;
  while (i < text.size()) {
    if (text[i] == ' ' || text[i] == ',' || text[i] == '-') {
      ++i;
      continue;
    }
    size_t end = text.find_first_of(" ,-", i);
    if (end == std::string_view::npos) end = text.size();
    std::string word;
    for (size_t k = i; k < end; ++k) {
      word.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(text[k]))));
    }
    i = end;
    if (word == "and") continue;
    auto it = Vocabulary().find(word);
    if (it == Vocabulary().end()) return std::nullopt;
    const WordValue& w = it->second;
    if (!w.scale) {
      terms.push_back(w.value);
      after_scale = false;
      continue;
    }
    long double group = 0;
    bool took = false;
    while (!terms.empty() && terms.back() < w.value) {
      group += terms.back();
      terms.pop_back();
      took = true;
    }
    if (!took && after_scale && !terms.empty()) {
      group = terms.back();
      terms.pop_back();
      took = true;
    }
    terms.push_back((took ? group : 1) * w.value);
    after_scale = true;
  }
  if (terms.empty()) return std::nullopt;
  long double total = 0;
  for (long double t : terms) total += t;
  return static_cast<double>(total);
}

size_t MatchIntegerWords(std::string_view text) {
  size_t i = 0, matched = 0;
  while (i < text.size()) {
    if (text[i] == ' ' || text[i] == ',' || text[i] == '-') {
      ++i;
      continue;
    }
    size_t end = i;
    while (end < text.size() && std::isalpha(static_cast<unsigned char>(text[end]))) ++end;
    std::string word;
    for (size_t k = i; k < end; ++k) {
      word.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(text[k]))));
    }
    if (word == "and" && matched > 0) {
      i = end;
      continue;
    }
    if (word.empty() || Vocabulary().find(word) == Vocabulary().end()) break;
    matched = i = end;
  }
  return matched;
}

}  // namespace tidepool::sfn::jsonata
