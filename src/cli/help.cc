#include <cstdio>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "core/program_name.h"

namespace sockscope::cli {

void print_overview() {
  fmt::print("usage: {} COMMAND [ARGS...]\n\n", program_name());
  fmt::print("One tool for sockets: netcat, lsof -i and ifconfig, and the answers they cannot give.\n\n");
  fmt::print("commands:\n");
  for (const Command& command : commands()) fmt::print("  {:<12}{}\n", command.name, command.summary);
  fmt::print("\nRun '{} help COMMAND' for one command's options. Invoked as 'nc', the binary is '{} nc'.\n",
             program_name(), "sockscope");
}

void print_help_help() { fmt::print("usage: {} help [COMMAND]\n\nShows the overview, or one command's help.\n", program_name()); }

int run_help(int argc, char** argv) {
  if (argc < 2) {
    print_overview();
    return kExitOk;
  }
  const Command* command = find_command(argv[1]);
  if (command == nullptr) {
    const Command* suggestion = closest_command(argv[1]);
    if (suggestion != nullptr) {
      fmt::print(stderr, "{}: unknown command '{}'; did you mean '{}'?\n", program_name(), argv[1], suggestion->name);
    } else {
      fmt::print(stderr, "{}: unknown command '{}'; run '{} help' for the list\n", program_name(), argv[1],
                 program_name());
    }
    return kExitUsage;
  }
  command->print_help();
  return kExitOk;
}

}  // namespace sockscope::cli
