#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "core/program_name.h"

namespace sockscope::cli {

void print_sockets_help() { fmt::print("usage: {} sockets ...\n", program_name()); }

int run_sockets(int, char**) {
  fmt::print(stderr, "{}: sockets: not implemented yet\n", program_name());
  return kExitUsage;
}

}  // namespace sockscope::cli
