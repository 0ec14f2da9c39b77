#include "protocol/codec/xml_writer.h"

#include <cstdint>

namespace tidepool::protocol::xml {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// Length of the well-formed UTF-8 sequence at s[i] whose code point XML 1.0 allows, or 0.
size_t ValidXmlChar(std::string_view s, size_t i) {
  auto c = static_cast<uint8_t>(s[i]);
  if (c < 0x80) return c >= 0x20 || c == '\t' || c == '\n' || c == '\r' ? 1 : 0;
  size_t len = (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
  if (len == 0 || i + len > s.size()) return 0;
  uint32_t cp = c & (0x7F >> len);
  for (size_t k = 1; k < len; ++k) {
    auto b = static_cast<uint8_t>(s[i + k]);
    if ((b & 0xC0) != 0x80) return 0;
    cp = cp << 6 | (b & 0x3F);
  }
  static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[len] || cp > 0x10FFFF) return 0;  // overlong or out of range
  if (cp >= 0xD800 && cp <= 0xDFFF) return 0;     // surrogates
  if (cp == 0xFFFE || cp == 0xFFFF) return 0;
  return len;
}

}  // namespace

void XmlWriter::AppendEscaped(std::string_view s, std::string& out) {
  out.reserve(out.size() + s.size());
  size_t run = 0;  // start of the pending run of bytes copied as they are
  for (size_t i = 0; i < s.size();) {
    char c = s[i];
    std::string_view entity;
    switch (c) {
      case '&':
        entity = "&amp;";
        break;
      case '<':
        entity = "&lt;";
        break;
      case '>':
        entity = "&gt;";
        break;
      case '"':
        entity = "&quot;";
        break;
      case '\r':
        entity = "&#xD;";  // a raw CR would be normalised away by the reader
        break;
      default:
        break;
    }
    if (!entity.empty()) {
      out.append(s.data() + run, i - run);
      out += entity;
      run = ++i;
      continue;
    }
    size_t len = ValidXmlChar(s, i);
    if (len == 0) {
      out.append(s.data() + run, i - run);
      out += kReplacement;
      run = ++i;
      continue;
    }
    i += len;
  }
  out.append(s.data() + run, s.size() - run);
}

void XmlWriter::Declaration() {
  out_ += pretty_ ? "<?xml version=\"1.0\"?>\n" : "<?xml version=\"1.0\"?>";
}

void XmlWriter::StartLine() {
  if (open_.empty()) return;
  open_.back().has_children = true;
  if (!pretty_) return;
  out_ += '\n';
  out_.append(2 * open_.size(), ' ');
}

void XmlWriter::Open(std::string_view name, std::string_view xmlns) {
  StartLine();
  out_ += '<';
  out_ += name;
  if (!xmlns.empty()) {
    out_ += " xmlns=\"";
    AppendEscaped(xmlns, out_);
    out_ += '"';
  }
  out_ += '>';
  open_.push_back(OpenElement{name, false});
}

void XmlWriter::Close() {
  if (open_.empty()) return;
  OpenElement element = open_.back();
  open_.pop_back();
  if (!element.has_children) {
    out_.pop_back();  // the '>' of the opening tag, the last byte written
    out_ += "/>";
    return;
  }
  // Text only goes through Element(), so an element with children closes on its own line.
  if (pretty_) {
    out_ += '\n';
    out_.append(2 * open_.size(), ' ');
  }
  out_ += "</";
  out_ += element.name;
  out_ += '>';
}

void XmlWriter::Element(std::string_view name, std::string_view text) {
  StartLine();
  out_ += '<';
  out_ += name;
  out_ += '>';
  AppendEscaped(text, out_);
  out_ += "</";
  out_ += name;
  out_ += '>';
}

void XmlWriter::Empty(std::string_view name) {
  StartLine();
  out_ += '<';
  out_ += name;
  out_ += "/>";
}

void XmlWriter::Finish() {
  while (!open_.empty()) Close();
  if (pretty_) out_ += '\n';
}

}  // namespace tidepool::protocol::xml
