#include "protocol/codec/xml_reader.h"

#include <cstdint>

namespace tidepool::protocol::xml {
namespace {

constexpr int kMaxDepth = 64;
constexpr size_t kMaxElements = 100'000;

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

bool IsNameChar(char c) {
  return !IsSpace(c) && c != '>' && c != '/' && c != '=' && c != '<' && c != '"' && c != '\'';
}

void AppendUtf8(uint32_t cp, std::string& out) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

class Parser {
 public:
  explicit Parser(std::string_view doc) : doc_(doc) {}

  Result<XmlElement> Document() {
    if (doc_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;  // a UTF-8 byte order mark
    if (Status s = SkipMisc(); !s.ok()) return s;
    if (pos_ >= doc_.size() || doc_[pos_] != '<') return Fail("no root element");
    XmlElement root;
    if (Status s = Element(&root, 0); !s.ok()) return s;
    if (Status s = SkipMisc(); !s.ok()) return s;
    if (pos_ != doc_.size()) return Fail("content after the root element");
    return root;
  }

 private:
  Status Fail(std::string_view why) const {
    return Status::InvalidArgument(std::string(why) + " at offset " + std::to_string(pos_));
  }

  bool StartsWith(std::string_view s) const { return doc_.substr(pos_, s.size()) == s; }

  // Whitespace, comments and the XML declaration.
  Status SkipMisc() {
    while (pos_ < doc_.size()) {
      if (IsSpace(doc_[pos_])) {
        ++pos_;
      } else if (StartsWith("<!--")) {
        if (Status s = SkipPast("-->"); !s.ok()) return s;
      } else if (StartsWith("<?xml") && !seen_declaration_) {
        seen_declaration_ = true;
        if (Status s = SkipPast("?>"); !s.ok()) return s;
      } else if (StartsWith("<!") || StartsWith("<?")) {
        return Fail("DTDs and processing instructions are not allowed");
      } else {
        break;
      }
    }
    return Status::Ok();
  }

  Status SkipPast(std::string_view end) {
    size_t at = doc_.find(end, pos_);
    if (at == std::string_view::npos) return Fail("unterminated markup");
    pos_ = at + end.size();
    return Status::Ok();
  }

  std::string_view Name() {
    size_t start = pos_;
    while (pos_ < doc_.size() && IsNameChar(doc_[pos_])) ++pos_;
    return doc_.substr(start, pos_ - start);
  }

  static std::string_view LocalName(std::string_view name) {
    size_t colon = name.find(':');
    return colon == std::string_view::npos ? name : name.substr(colon + 1);
  }

  // Character data up to the next '<', entities decoded into `out`.
  Status Text(std::string& out) {
    while (pos_ < doc_.size() && doc_[pos_] != '<') {
      char c = doc_[pos_];
      if (c != '&') {
        out.push_back(c);
        ++pos_;
        continue;
      }
      size_t semi = doc_.find(';', pos_);
      if (semi == std::string_view::npos || semi - pos_ > 12) return Fail("bad entity");
      std::string_view entity = doc_.substr(pos_ + 1, semi - pos_ - 1);
      if (entity == "lt") {
        out.push_back('<');
      } else if (entity == "gt") {
        out.push_back('>');
      } else if (entity == "amp") {
        out.push_back('&');
      } else if (entity == "quot") {
        out.push_back('"');
      } else if (entity == "apos") {
        out.push_back('\'');
      } else if (entity.size() >= 2 && entity[0] == '#') {
        bool hex = entity[1] == 'x' || entity[1] == 'X';
        std::string_view digits = entity.substr(hex ? 2 : 1);
        if (digits.empty()) return Fail("bad character reference");
        uint32_t cp = 0;
        for (char d : digits) {
          int v = d >= '0' && d <= '9'          ? d - '0'
                  : hex && d >= 'a' && d <= 'f' ? d - 'a' + 10
                  : hex && d >= 'A' && d <= 'F' ? d - 'A' + 10
                                                : -1;
          if (v < 0) return Fail("bad character reference");
          cp = cp * (hex ? 16 : 10) + static_cast<uint32_t>(v);
          if (cp > 0x10FFFF) return Fail("bad character reference");
        }
        if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF)) return Fail("bad character reference");
        AppendUtf8(cp, out);
      } else {
        return Fail("unknown entity");
      }
      pos_ = semi + 1;
    }
    return Status::Ok();
  }

  // An element starting at '<'.
  Status Element(XmlElement* out, int depth) {
    if (depth >= kMaxDepth) return Fail("elements nested too deeply");
    if (++elements_ > kMaxElements) return Fail("too many elements");
    ++pos_;  // '<'
    std::string_view name = Name();
    if (name.empty()) return Fail("element without a name");
    out->name = std::string(LocalName(name));
    // Attributes: name="value" or name='value', dropped.
    while (true) {
      while (pos_ < doc_.size() && IsSpace(doc_[pos_])) ++pos_;
      if (pos_ >= doc_.size()) return Fail("unterminated start tag");
      if (doc_[pos_] == '>') {
        ++pos_;
        break;
      }
      if (StartsWith("/>")) {
        pos_ += 2;
        return Status::Ok();
      }
      if (Name().empty()) return Fail("bad attribute");
      while (pos_ < doc_.size() && IsSpace(doc_[pos_])) ++pos_;
      if (pos_ >= doc_.size() || doc_[pos_] != '=') return Fail("attribute without a value");
      ++pos_;
      while (pos_ < doc_.size() && IsSpace(doc_[pos_])) ++pos_;
      if (pos_ >= doc_.size() || (doc_[pos_] != '"' && doc_[pos_] != '\'')) {
        return Fail("unquoted attribute value");
      }
      size_t close = doc_.find(doc_[pos_], pos_ + 1);
      if (close == std::string_view::npos) return Fail("unterminated attribute value");
      pos_ = close + 1;
    }
    // Content: text, child elements, comments, CDATA, then the end tag.
    while (true) {
      if (Status s = Text(out->text); !s.ok()) return s;
      if (pos_ >= doc_.size()) return Fail("unterminated element " + out->name);
      if (StartsWith("</")) {
        pos_ += 2;
        std::string_view end = Name();
        if (LocalName(end) != out->name) return Fail("mismatched end tag");
        while (pos_ < doc_.size() && IsSpace(doc_[pos_])) ++pos_;
        if (pos_ >= doc_.size() || doc_[pos_] != '>') return Fail("bad end tag");
        ++pos_;
        return Status::Ok();
      }
      if (StartsWith("<!--")) {
        if (Status s = SkipPast("-->"); !s.ok()) return s;
      } else if (StartsWith("<![CDATA[")) {
        size_t end = doc_.find("]]>", pos_ + 9);
        if (end == std::string_view::npos) return Fail("unterminated CDATA");
        out->text.append(doc_.substr(pos_ + 9, end - pos_ - 9));
        pos_ = end + 3;
      } else if (StartsWith("<!") || StartsWith("<?")) {
        return Fail("DTDs and processing instructions are not allowed");
      } else {
        out->children.emplace_back();
        if (Status s = Element(&out->children.back(), depth + 1); !s.ok()) return s;
      }
    }
  }

  std::string_view doc_;
  size_t pos_ = 0;
  size_t elements_ = 0;
  bool seen_declaration_ = false;
};

}  // namespace

const XmlElement* XmlElement::Child(std::string_view child_name) const {
  for (const XmlElement& c : children) {
    if (c.name == child_name) return &c;
  }
  return nullptr;
}

Result<XmlElement> ParseXml(std::string_view document) { return Parser(document).Document(); }

}  // namespace tidepool::protocol::xml
