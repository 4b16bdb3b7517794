#include "output/json_text.h"

#include <fmt/format.h>

namespace sockscope::output {

void JsonText::separate() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (!empty_.empty()) {
    if (!empty_.back()) out_ += ',';
    empty_.back() = false;
  }
}

void JsonText::begin_object() {
  separate();
  out_ += '{';
  empty_.push_back(true);
}

void JsonText::end_object() {
  out_ += '}';
  empty_.pop_back();
}

void JsonText::begin_array() {
  separate();
  out_ += '[';
  empty_.push_back(true);
}

void JsonText::end_array() {
  out_ += ']';
  empty_.pop_back();
}

JsonText& JsonText::key(std::string_view name) {
  value(name);
  out_ += ':';
  after_key_ = true;
  return *this;
}

// Escapes what JSON requires; other bytes, UTF-8 or not, pass through as `ip -j` passes them.
void JsonText::value(std::string_view text) {
  separate();
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
