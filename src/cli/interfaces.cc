#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "core/program_name.h"

namespace sockscope::cli {

void print_interfaces_help() { fmt::print("usage: {} interfaces ...\n", program_name()); }

int run_interfaces(int, char**) {
  fmt::print(stderr, "{}: interfaces: not implemented yet\n", program_name());
  return kExitUsage;
}

}  // namespace sockscope::cli
