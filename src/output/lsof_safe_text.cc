#include "output/lsof_safe_text.h"

#include <cstdlib>
#include <cwchar>
#include <cwctype>

#include <fmt/format.h>

namespace sockscope::output {
namespace {

bool plain(unsigned char c, SafeTextStyle style) {
  return c >= 0x20 && c < 0x7f && c != '\\' && !(c == ' ' && style.escape_space);
}

std::string escape(unsigned char c) {
  switch (c) {
    case '\b': return "\\b";
    case '\f': return "\\f";
    case '\n': return "\\n";
    case '\r': return "\\r";
    case '\t': return "\\t";
    case '\\': return "\\\\";
    default: break;
  }
  if (c < 0x20) return std::string{'^', static_cast<char>(c + 0x40)};
  return fmt::format("\\x{:02x}", c);
}

// The length of the printable multibyte character at the start of text, or 0.
size_t printable_multibyte(std::string_view text) {
  if (MB_CUR_MAX == 1 || static_cast<unsigned char>(text.front()) < 0x80) return 0;
  std::mbstate_t state{};
  wchar_t character = 0;
  size_t length = std::mbrtowc(&character, text.data(), text.size(), &state);
  if (length == static_cast<size_t>(-1) || length == static_cast<size_t>(-2) || length < 2) return 0;
  return std::iswprint(static_cast<wint_t>(character)) ? length : 0;
}

}  // namespace

bool is_plain_text(std::string_view text, SafeTextStyle style) {
  for (char c : text) {
    if (!plain(static_cast<unsigned char>(c), style)) return false;
  }
  return true;
}

size_t safe_width(std::string_view text, SafeTextStyle style) {
  size_t width = 0;
  for (char byte : text) {
    auto c = static_cast<unsigned char>(byte);
    if (plain(c, style)) {
      width += 1;
    } else {
      // Two for control bytes, the backslash and (lsof's signed char) every byte above 0x7f.
      width += c < 0x20 || c >= 0x80 || c == '\\' ? 2 : 4;
    }
  }
  return width;
}

std::string safe_text(std::string_view text, SafeTextStyle style, size_t limit) {
  std::string out;
  for (size_t at = 0; at < text.size(); ++at) {
    char byte = text[at];
    auto c = static_cast<unsigned char>(byte);
    if (size_t length = style.keep_multibyte ? printable_multibyte(text.substr(at)) : 0; length != 0) {
      if (out.size() + length > limit) break;
      out += text.substr(at, length);
      at += length - 1;
      continue;
    }
    if (plain(c, style)) {
      if (out.size() + 1 > limit) break;
      out += byte;
      continue;
    }
    std::string piece = escape(c);
    if (out.size() + piece.size() > limit) break;
    out += piece;
  }
  return out;
}

}  // namespace sockscope::output
