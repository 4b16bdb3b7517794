#include "procfs/sysctl.h"

#include <charconv>
#include <fstream>
#include <sstream>

namespace sockscope::procfs {

std::optional<long> read_sysctl(const std::string& name, const std::string& root) {
  std::ifstream file(root + "/sys/" + name);
  if (!file) return std::nullopt;
  std::string text;
  std::getline(file, text);
  long value = 0;
  const char* end = text.data() + text.size();
  std::from_chars_result parsed = std::from_chars(text.data(), end, value);
  if (parsed.ec != std::errc() || text.empty()) return std::nullopt;
  return value;
}

}  // namespace sockscope::procfs
