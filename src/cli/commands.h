// The subcommand table: each entry is a name, a one-line summary, the function that runs
// it (argv[0] is the subcommand's name) and the function that prints its help.
#pragma once

#include <span>
#include <string_view>

namespace sockscope::cli {

struct Command {
  std::string_view name;
  std::string_view summary;
  int (*run)(int argc, char** argv);
  void (*print_help)();
};

std::span<const Command> commands();
const Command* find_command(std::string_view name);

// The entry closest to a mistyped name, or nullptr when nothing is close.
const Command* closest_command(std::string_view name);

// Entry points, one file each.
int run_nc(int argc, char** argv);
int run_sockets(int argc, char** argv);
int run_interfaces(int argc, char** argv);
int run_explain(int argc, char** argv);
int run_tour(int argc, char** argv);
int run_help(int argc, char** argv);
int run_version(int argc, char** argv);

void print_nc_help();
void print_sockets_help();
void print_interfaces_help();
void print_explain_help();
void print_tour_help();
void print_help_help();
void print_version_help();

// The top-level usage: every command and its summary.
void print_overview();

}  // namespace sockscope::cli
