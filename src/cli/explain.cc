#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "core/program_name.h"

namespace sockscope::cli {

void print_explain_help() { fmt::print("usage: {} explain ...\n", program_name()); }

int run_explain(int, char**) {
  fmt::print(stderr, "{}: explain: not implemented yet\n", program_name());
  return kExitUsage;
}

}  // namespace sockscope::cli
