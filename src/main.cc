// sockscope: dispatch to a subcommand. Invoked through a link named "nc", it is `sockscope nc`.
#include <cstdio>
#include <cstring>
#include <exception>
#include <string_view>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "core/program_name.h"
#include "sys/process.h"

namespace {

int dispatch(int argc, char** argv) {
  using namespace sockscope;
  set_program_name(argv[0] != nullptr ? argv[0] : "sockscope");
  if (program_name() == "nc") {
    // Started under another file name with argv[0] "nc" (as the tour does), be "nc" in ps and lsof too.
    sys::set_process_name("nc");
    return cli::run_nc(argc, argv);
  }

  if (argc < 2) {
    cli::print_overview();
    return cli::kExitUsage;
  }
  std::string_view name = argv[1];
  if (name == "-h" || name == "--help") return cli::run_help(1, argv);
  if (name == "-V" || name == "--version") return cli::run_version(1, argv);

  const cli::Command* command = cli::find_command(name);
  if (command == nullptr) {
    const cli::Command* suggestion = cli::closest_command(name);
    if (suggestion != nullptr) {
      fmt::print(stderr, "{}: unknown command '{}'; did you mean '{}'?\n", program_name(), name, suggestion->name);
    } else {
      fmt::print(stderr, "{}: unknown command '{}'; run '{} help' for the list\n", program_name(), name,
                 program_name());
    }
    return cli::kExitUsage;
  }
  return command->run(argc - 1, argv + 1);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return dispatch(argc, argv);
  } catch (const std::exception& error) {
    // Last resort: library exceptions (std::bad_alloc, json) must not crash silently.
    std::fprintf(stderr, "%s: %s\n", sockscope::program_name().c_str(), error.what());
    return sockscope::cli::kExitUsage;
  }
}
