#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "core/program_name.h"

namespace sockscope::cli {

void print_nc_help() { fmt::print("usage: {} nc ...\n", program_name()); }

int run_nc(int, char**) {
  fmt::print(stderr, "{}: nc: not implemented yet\n", program_name());
  return kExitUsage;
}

}  // namespace sockscope::cli
