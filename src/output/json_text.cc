#include "output/json_text.h"

#include <fmt/format.h>

namespace sockscope::output {

void JsonText::new_line(size_t depth) {
  out_ += '\n';
  out_.append(depth * static_cast<size_t>(indent_), ' ');
}

void JsonText::separate() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (!empty_.empty()) {
    if (!empty_.back()) out_ += ',';
    empty_.back() = false;
    if (indent_ > 0) new_line(empty_.size());
  }
}

void JsonText::close(char bracket) {
  // An empty container stays on one line: [] and {}.
  if (indent_ > 0 && !empty_.back()) new_line(empty_.size() - 1);
  out_ += bracket;
  empty_.pop_back();
}

void JsonText::begin_object() {
  separate();
  out_ += '{';
  empty_.push_back(true);
}

void JsonText::end_object() { close('}'); }

void JsonText::begin_array() {
  separate();
  out_ += '[';
  empty_.push_back(true);
}

void JsonText::end_array() { close(']'); }

JsonText& JsonText::key(std::string_view name) {
  separate();
  quoted(name);
  out_ += indent_ > 0 ? ": " : ":";
  after_key_ = true;
  return *this;
}

void JsonText::value(std::string_view text) {
  separate();
  quoted(text);
}

// Escapes what JSON requires; other bytes, UTF-8 or not, pass through as `ip -j` passes them.
void JsonText::quoted(std::string_view text) {
  out_ += '"';
  for (char c : text) {
    switch (c) {
      case '"': out_ += "\\\""; break;
      case '\\': out_ += "\\\\"; break;
      case '\n': out_ += "\\n"; break;
      case '\t': out_ += "\\t"; break;
      case '\r': out_ += "\\r"; break;
      case '\b': out_ += "\\b"; break;
      case '\f': out_ += "\\f"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out_ += fmt::format("\\u{:04x}", static_cast<unsigned char>(c));
        } else {
          out_ += c;
        }
    }
  }
  out_ += '"';
}

void JsonText::value(uint64_t number) {
  separate();
  fmt::format_to(std::back_inserter(out_), "{}", number);
}

void JsonText::value(int64_t number) {
  separate();
  fmt::format_to(std::back_inserter(out_), "{}", number);
}

void JsonText::value(bool flag) {
  separate();
  out_ += flag ? "true" : "false";
}

void JsonText::null() {
  separate();
  out_ += "null";
}

}  // namespace sockscope::output
