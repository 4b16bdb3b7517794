#include "cli/commands.h"

#include <algorithm>
#include <array>
#include <string>
#include <vector>

namespace sockscope::cli {
namespace {

constexpr std::array kCommands = {
    Command{"nc", "read and write bytes over TCP, UDP and UNIX sockets (netcat)", run_nc, print_nc_help},
    Command{"sockets", "list sockets and the processes that hold them (lsof -i)", run_sockets,
            print_sockets_help},
    Command{"interfaces", "list network interfaces and their addresses (ifconfig, ip addr)", run_interfaces,
            print_interfaces_help},
    Command{"explain", "say which socket gets a connection, and whether a bind would succeed", run_explain,
            print_explain_help},
    Command{"tour", "replay the sockets lesson on real sockets in a private network namespace", run_tour,
            print_tour_help},
    Command{"help", "show help for sockscope or for one command", run_help, print_help_help},
    Command{"version", "print the version and git revision", run_version, print_version_help},
};

// Levenshtein distance, small strings only.
size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

std::span<const Command> commands() { return kCommands; }

const Command* find_command(std::string_view name) {
  for (const Command& command : kCommands) {
    if (command.name == name) return &command;
  }
  return nullptr;
}

const Command* closest_command(std::string_view name) {
  const Command* best = nullptr;
  size_t best_distance = 0;
  for (const Command& command : kCommands) {
    size_t distance = edit_distance(name, command.name);
    // A prefix ("sock", "iface"-like abbreviations) counts as close as well.
    if (command.name.starts_with(name) && !name.empty()) distance = std::min<size_t>(distance, 1);
    if (best == nullptr || distance < best_distance) {
      best = &command;
      best_distance = distance;
    }
  }
  // Allow roughly one typo per three letters, at least two.
  size_t allowed = std::max<size_t>(2, name.size() / 3);
  return best_distance <= allowed ? best : nullptr;
}

}  // namespace sockscope::cli
