#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "core/program_name.h"
#include "core/version.h"

namespace sockscope::cli {

void print_version_help() { fmt::print("usage: {} version\n\nPrints the version and the git revision.\n", program_name()); }

int run_version(int, char**) {
  fmt::print("sockscope {} (git {})\n", kVersion, kGitRevision);
  return kExitOk;
}

}  // namespace sockscope::cli
