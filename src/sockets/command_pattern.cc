#include "sockets/command_pattern.h"

#include <memory>

#include <fmt/format.h>

namespace sockscope::sockets {

Result<CommandPattern> CommandPattern::parse(std::string_view text, bool regex) {
  CommandPattern pattern;
  pattern.text_ = text;
  if (!regex || text.empty() || text.front() != '/') return pattern;
  // The expression ends at the next slash (lsof has no escape for one); modifiers follow.
  size_t close = text.find('/', 1);
  if (close == std::string_view::npos) return fail(fmt::format("regexp doesn't end with '/': {}", text));
  int flags = REG_EXTENDED | REG_NOSUB;
  bool basic = false, extended = false, ignore_case = false;
  for (char modifier : text.substr(close + 1)) {
    bool* used = modifier == 'b' ? &basic : modifier == 'x' ? &extended : modifier == 'i' ? &ignore_case : nullptr;
    if (used == nullptr) return fail(fmt::format("invalid regexp modifier: {}", modifier));
    if (*used) return fail(fmt::format("{} regexp modifier already used: {}", modifier, text));
    if ((modifier == 'b' && extended) || (modifier == 'x' && basic)) {
      return fail(fmt::format("b and x regexp modifiers conflict: {}", text));
    }
    *used = true;
  }
  if (basic) flags &= ~REG_EXTENDED;
  if (ignore_case) flags |= REG_ICASE;
  std::string expression(text.substr(1, close - 1));
  auto compiled = std::make_unique<regex_t>();
  if (int status = regcomp(compiled.get(), expression.c_str(), flags); status != 0) {
    char reason[256];
    regerror(status, compiled.get(), reason, sizeof reason);
    return fail(fmt::format("regexp error: {}: {}", text, reason));
  }
  pattern.regex_ = std::shared_ptr<regex_t>(compiled.release(), [](regex_t* r) {
    regfree(r);
    delete r;
  });
  return pattern;
}

bool CommandPattern::matches(const std::string& command) const {
  if (regex_) return regexec(regex_.get(), command.c_str(), 0, nullptr, 0) == 0;
  return command.starts_with(text_);
}

}  // namespace sockscope::sockets
