#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "core/program_name.h"

namespace sockscope::cli {

void print_tour_help() { fmt::print("usage: {} tour ...\n", program_name()); }

int run_tour(int, char**) {
  fmt::print(stderr, "{}: tour: not implemented yet\n", program_name());
  return kExitUsage;
}

}  // namespace sockscope::cli
