// Whole-string decimal parsing without locale, exceptions or errno: "42" yes; "", "4x", "-1"
// for an unsigned type, or a value out of range, no.
#pragma once

#include <charconv>
#include <string_view>

namespace sockscope {

template <class Number>
bool parse_decimal(std::string_view text, Number& value) {
  if (text.empty()) return false;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return error == std::errc() && end == text.data() + text.size();
}

}  // namespace sockscope
