#include "sockets/command_pattern.h"

#include <memory>

#include <fmt/format.h>

namespace sockscope::sockets {

Result<CommandPattern> CommandPattern::parse(std::string_view text, bool regex) {
  CommandPattern pattern;
  pattern.text_ = text;
  size_t close = text.rfind('/');
  if (!regex || text.size() < 2 || text.front() != '/' || close == 0) return pattern;
  int flags = REG_EXTENDED | REG_NOSUB;
  for (char modifier : text.substr(close + 1)) {
    switch (modifier) {
      case 'b': flags &= ~REG_EXTENDED; break;
      case 'i': flags |= REG_ICASE; break;
      case 'x': flags |= REG_EXTENDED; break;
      default: return fail(fmt::format("invalid regexp modifier: {}", modifier));
    }
  }
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
