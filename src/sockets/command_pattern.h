// One -c argument as lsof reads it: a prefix of the command name, or /regex/ with optional
// modifiers b (basic syntax), i (ignore case) and x (extended, the default).
#pragma once

#include <regex.h>

#include <memory>
#include <string>
#include <string_view>

#include "core/error.h"

namespace sockscope::sockets {

class CommandPattern {
 public:
  // The text after -c (without a leading ^); errors are lsof's ("invalid regexp modifier: q").
  // An exclusion (-c ^...) is always a prefix in lsof, even between slashes: regex = false.
  static Result<CommandPattern> parse(std::string_view text, bool regex = true);

  bool matches(const std::string& command) const;
  const std::string& text() const { return text_; }
  bool is_regex() const { return regex_ != nullptr; }

 private:
  std::string text_;
  std::shared_ptr<regex_t> regex_;  // null for a prefix; shared so that selections copy cheaply
};

}  // namespace sockscope::sockets
