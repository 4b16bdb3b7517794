#include "core/program_name.h"

namespace sockscope {
namespace {
std::string& stored_name() {
  static std::string name = "sockscope";
  return name;
}
}  // namespace

void set_program_name(std::string_view argv0) {
  std::string_view::size_type slash = argv0.rfind('/');
  if (slash != std::string_view::npos) argv0.remove_prefix(slash + 1);
  if (!argv0.empty()) stored_name() = std::string(argv0);
}

const std::string& program_name() { return stored_name(); }

}  // namespace sockscope
