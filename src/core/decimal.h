// Decimal text without locale, exceptions or errno. Parsing takes whole strings only: "42"
// yes; "", "4x", "-1" for an unsigned type, or a value out of range, no.
#pragma once

#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>

namespace sockscope {

template <class Number>
bool parse_decimal(std::string_view text, Number& value) {
  if (text.empty()) return false;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return error == std::errc() && end == text.data() + text.size();
}

// Appends the digits of `value` (listings write a few per row, 100k rows at a time).
inline void append_decimal(std::string& out, uint64_t value) {
  char digits[20];
  out.append(digits, std::to_chars(digits, digits + sizeof digits, value).ptr);
}

}  // namespace sockscope
