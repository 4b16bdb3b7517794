// `sockscope interfaces`: interfaces and every address, for people (default view) and for
// scripts (--json in the shape of `ip -j addr`). Exit 0 listed, 1 unknown interface, 2 usage.
#include <linux/if.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "core/program_name.h"
#include "interfaces/collect.h"
#include "output/interfaces_ifconfig.h"
#include "output/interfaces_render.h"

namespace sockscope::cli {
namespace {

enum class Selection { kUpOnly, kAll, kDownOnly };

struct InterfacesOptions {
  Selection selection = Selection::kUpOnly;
  bool names_only = false;
  bool counters = false;
  bool json = false;
  bool ifconfig_format = false;
  std::vector<std::string> names;
};

void complain(const std::string& line) { fmt::print(stderr, "{} interfaces: {}\n", program_name(), line); }

}  // namespace

void print_interfaces_help() {
  fmt::print(
      "usage: {} interfaces [-a|-u|-d] [-l] [-s] [--json] [NAME...]\n\n"
      "Lists network interfaces with their flags, MTU, state, link address and every IPv4 and\n"
      "IPv6 address (IPv6 scope named, link-local addresses as addr%interface).\n\n"
      "  -a        all interfaces (default: those that are up; naming interfaces shows them in any state)\n"
      "  -u        only interfaces that are up\n"
      "  -d        only interfaces that are down\n"
      "  -l        names only, on one line\n"
      "  -s        add packet and byte counters\n"
      "  --json    the structure and field names of `ip -j addr`\n"
      "  --format=ifconfig  the layout of net-tools ifconfig, for scripts that parse it\n\n"
      "Exit status: 0 listed, 1 an interface named does not exist, 2 bad usage or a netlink error.\n",
      program_name());
}

int run_interfaces(int argc, char** argv) {
  InterfacesOptions options;
  bool explicit_selection = false;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--json") {
      options.json = true;
    } else if (arg == "--format=ifconfig") {
      options.ifconfig_format = true;
    } else if (arg == "-h" || arg == "--help") {
      print_interfaces_help();
      return kExitOk;
    } else if (arg.size() > 1 && arg[0] == '-' && arg[1] != '-') {
      for (char letter : arg.substr(1)) {
        switch (letter) {
          case 'a': options.selection = Selection::kAll; explicit_selection = true; break;
          case 'u': options.selection = Selection::kUpOnly; explicit_selection = true; break;
          case 'd': options.selection = Selection::kDownOnly; explicit_selection = true; break;
          case 'l': options.names_only = true; break;
          case 's': options.counters = true; break;
          default:
            complain(fmt::format("unknown option -{}; see '{} help interfaces'", letter, program_name()));
            return kExitUsage;
        }
      }
    } else if (arg.starts_with("--")) {
      complain(fmt::format("unknown option {}; see '{} help interfaces'", arg, program_name()));
      return kExitUsage;
    } else {
      options.names.emplace_back(arg);
    }
  }

  Result<netlink::Channel> channel = netlink::Channel::open(NETLINK_ROUTE);
  if (!channel) {
    complain(channel.error().message());
    return kExitUsage;
  }
  Result<std::vector<interfaces::Interface>> all = interfaces::collect_interfaces(*channel);
  if (!all) {
    complain(all.error().message());
    return kExitUsage;
  }

  std::vector<interfaces::Interface> shown;
  for (const std::string& name : options.names) {
    auto found = std::find_if(all->begin(), all->end(), [&](const interfaces::Interface& i) { return i.name == name; });
    if (found == all->end()) {
      complain(fmt::format("no interface named \"{}\"", name));
      return kExitNegative;
    }
  }
  for (const interfaces::Interface& interface : *all) {
    bool named = std::find(options.names.begin(), options.names.end(), interface.name) != options.names.end();
    if (!options.names.empty() && !named) continue;
    bool up = interface.flags & IFF_UP;
    // Naming an interface shows it whatever its state, unless a selection was asked for.
    if (options.names.empty() || explicit_selection) {
      if (options.selection == Selection::kUpOnly && !up) continue;
      if (options.selection == Selection::kDownOnly && up) continue;
    }
    shown.push_back(interface);
  }

  if (options.json) {
    fmt::print("{}\n", output::render_interfaces_json(shown).dump());
  } else if (options.ifconfig_format) {
    fmt::print("{}", output::render_interfaces_ifconfig(shown));
  } else if (options.names_only) {
    std::string line;
    for (const interfaces::Interface& interface : shown) line += (line.empty() ? "" : " ") + interface.name;
    fmt::print("{}\n", line);
  } else {
    fmt::print("{}", output::render_interfaces_text(shown, options.counters));
  }
  return kExitOk;
}

}  // namespace sockscope::cli
