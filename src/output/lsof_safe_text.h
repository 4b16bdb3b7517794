// Names as lsof prints them: a byte that is not printable ASCII, and the backslash, is
// written as an escape (\t, \n, \b, \f, \r; ^A for other control bytes; \\; \xNN for the
// rest), so that a command or socket name can neither break a line nor shift a column.
// The COMMAND column also writes the space as \x20. Elsewhere, where the locale has
// multibyte characters (run_sockets sets LC_CTYPE from the environment, as lsof does), a
// printable one is written as it is; the COMMAND column escapes its bytes all the same.
//
// lsof sizes its columns with a count that takes a byte above 0x7f for two characters,
// though it prints four (its char is signed there); safe_width() counts as lsof does, so the
// columns come out as wide as lsof's.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace sockscope::output {

struct SafeTextStyle {
  bool escape_space = false;   // the COMMAND column's way
  bool keep_multibyte = true;  // not the COMMAND column's way
};

// Whether text would be written as it is.
bool is_plain_text(std::string_view text, SafeTextStyle style = {});

// The width lsof reserves for text.
size_t safe_width(std::string_view text, SafeTextStyle style = {});

// text with its escapes, at most limit characters, an escape never cut in two.
std::string safe_text(std::string_view text, SafeTextStyle style = {}, size_t limit = std::string::npos);

}  // namespace sockscope::output
