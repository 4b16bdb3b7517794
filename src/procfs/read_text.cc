#include "procfs/read_text.h"

#include <fstream>
#include <sstream>

namespace sockscope::procfs {

std::string read_text(const std::string& path) {
  std::ifstream file(path);
  if (!file) return {};
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

}  // namespace sockscope::procfs
