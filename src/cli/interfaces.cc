// `sockscope interfaces`: interfaces and every address, for people (default view) and for
// scripts (--json in the shape of `ip -j addr`, --format=ifconfig byte for byte as net-tools).
// Exit 0 listed, 1 unknown interface, 2 usage or netlink error.
#include <linux/if.h>
#include <linux/netlink.h>
#include <netinet/tcp.h>

#include <algorithm>
#include <optional>
#include <cstdio>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "core/program_name.h"
#include "interfaces/collect.h"
#include "interfaces/ipv6_order.h"
#include "output/interfaces_ifconfig.h"
#include "output/interfaces_json.h"
#include "output/interfaces_render.h"
#include "procfs/if_inet6.h"
#include "procfs/read_text.h"
#include "sockets/collect.h"
#include "sockets/owners.h"

namespace sockscope::cli {
namespace {

enum class Selection { kUpOnly, kAll, kDownOnly };
enum class Format { kText, kJson, kIfconfig };

struct InterfacesOptions {
  Selection selection = Selection::kUpOnly;
  bool explicit_selection = false;
  bool names_only = false;
  bool listeners = false;     // under each address, the sockets that accept connections to it
  int counters = 0;  // -s once: counters; twice: every error counter (JSON, as `ip -s -s`)
  Format format = Format::kText;
  std::string record_prefix;  // --record: save the dumps for golden tests
  std::string replay_prefix;  // --replay: read them back instead of asking the kernel
  std::vector<std::string> names;
};

void complain(const std::string& line) { fmt::print(stderr, "{} interfaces: {}\n", program_name(), line); }

// Parses argv; returns an exit code when the command is done (help) or wrong (usage).
std::optional<int> parse_options(int argc, char** argv, InterfacesOptions& options) {
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--json" || arg == "--format=json") {
      options.format = Format::kJson;
    } else if (arg == "--format=ifconfig") {
      options.format = Format::kIfconfig;
    } else if (arg == "--format=text") {
      options.format = Format::kText;
    } else if (arg == "--listeners") {
      options.listeners = true;
    } else if (arg.starts_with("--record=") && arg.size() > 9) {
      options.record_prefix = arg.substr(9);
    } else if (arg.starts_with("--replay=") && arg.size() > 9) {
      options.replay_prefix = arg.substr(9);
    } else if (arg == "-h" || arg == "--help") {
      print_interfaces_help();
      return kExitOk;
    } else if (arg == "--") {
      for (++i; i < argc; ++i) options.names.emplace_back(argv[i]);
    } else if (arg.size() > 1 && arg[0] == '-' && arg[1] != '-') {
      for (char letter : arg.substr(1)) {
        switch (letter) {
          case 'a': options.selection = Selection::kAll; break;
          case 'u': options.selection = Selection::kUpOnly; break;
          case 'd': options.selection = Selection::kDownOnly; break;
          case 'l': options.names_only = true; break;
          case 's': ++options.counters; break;
          default:
            complain(fmt::format("unknown option -{}; see '{} help interfaces'", letter, program_name()));
            return kExitUsage;
        }
        if (letter == 'a' || letter == 'u' || letter == 'd') options.explicit_selection = true;
      }
    } else if (arg.starts_with("-")) {
      complain(fmt::format("unknown option {}; see '{} help interfaces'", arg, program_name()));
      return kExitUsage;
    } else {
      options.names.emplace_back(arg);
    }
  }
  if (options.listeners && (options.format == Format::kIfconfig || options.names_only)) {
    complain("--listeners goes with the default view or --json, not with --format=ifconfig or -l");
    return kExitUsage;
  }
  if (options.listeners && !options.replay_prefix.empty()) {
    complain("--listeners needs the live kernel: a replayed dump has no sockets");
    return kExitUsage;
  }
  return std::nullopt;
}

// TCP listeners and bound UDP sockets, with the processes that hold them.
Result<std::vector<sockets::SocketRecord>> collect_listeners() {
  Result<netlink::Channel> channel = netlink::Channel::open(NETLINK_SOCK_DIAG);
  if (!channel) return tl::unexpected(channel.error());
  sockets::CollectRequest request;
  request.states = (1u << TCP_LISTEN) | (1u << TCP_CLOSE);
  Result<std::vector<sockets::SocketRecord>> records = sockets::collect_sockets(*channel, request);
  if (records) sockets::attach_owners(*records);
  return records;
}

// Whether a listing without names shows an interface with these flags.
bool selected(const InterfacesOptions& options, uint32_t flags) {
  bool up = flags & IFF_UP;
  if (options.selection == Selection::kUpOnly) return up;
  if (options.selection == Selection::kDownOnly) return !up;
  return true;
}

// Keeps the items to show. Naming an interface shows it whatever its state, unless a
// selection was asked for too. False (after saying so) when a name matches nothing.
template <class Item, class Named, class FlagsOf>
bool choose(const InterfacesOptions& options, std::vector<Item>& items, Named named, FlagsOf flags_of) {
  for (const std::string& name : options.names) {
    if (std::none_of(items.begin(), items.end(), [&](const Item& item) { return named(item, name); })) {
      complain(fmt::format("no interface named \"{}\"", name));
      return false;
    }
  }
  std::erase_if(items, [&](const Item& item) {
    bool is_named = std::any_of(options.names.begin(), options.names.end(), [&](const std::string& name) { return named(item, name); });
    if (!options.names.empty() && !is_named) return true;
    return (options.names.empty() || options.explicit_selection) && !selected(options, flags_of(item));
  });
  return true;
}

// As ip takes a device: by its name or any of its altnames.
bool interface_named(const interfaces::Interface& interface, const std::string& name) {
  return interface.name == name || std::find(interface.altnames.begin(), interface.altnames.end(), name) != interface.altnames.end();
}

}  // namespace

void print_interfaces_help() {
  fmt::print(
      "usage: {} interfaces [-a|-u|-d] [-l] [-s] [--listeners] [--json | --format=ifconfig] [NAME...]\n\n"
      "Lists network interfaces: index, flags (hex and names), MTU, operational state and\n"
      "carrier, link type and hardware address, queue length, and every IPv4 address (prefix,\n"
      "netmask, broadcast, label, secondary) and IPv6 address (prefix length, scope, the\n"
      "interface a link-local address belongs to as addr%interface, flags such as tentative,\n"
      "deprecated or temporary, and lifetimes); with -s, counters; with --listeners, the\n"
      "sockets that accept connections to each address.\n\n"
      "  -a        all interfaces (default: those that are up; a NAME is shown in any state)\n"
      "  -u        only interfaces that are up\n"
      "  -d        only interfaces that are down\n"
      "  -l        names only, on one line\n"
      "  -s        add packet, byte, error and drop counters; with --json, -ss adds every\n"
      "            error counter (as `ip -s -s`)\n"
      "  --listeners\n"
      "            under each address, the TCP listeners and bound UDP sockets that accept\n"
      "            connections to it, with their processes: those bound to the address itself\n"
      "            and the wildcard ones (0.0.0.0, [::]) that cover it, marked when a specific\n"
      "            listener on the same port takes the address's connections instead; then the\n"
      "            wildcard listeners, and listeners on addresses no interface has. With --json,\n"
      "            a \"listeners\" array in each addr_info object\n"
      "  --json    one JSON array with the fields, names and order of `ip -j addr`\n"
      "            (with -s, \"stats64\" as `ip -j -s addr`)\n"
      "  --format=ifconfig\n"
      "            the output of net-tools ifconfig, byte for byte, for scripts that parse it\n"
      "            (its name order, alias labels such as en0:1 as their own blocks, IPv6\n"
      "            addresses in the kernel's /proc/net/if_inet6 order); with -s, `ifconfig -s`\n"
      "  --record=PREFIX  also save the netlink replies to PREFIX.nl and /proc/net/if_inet6\n"
      "            to PREFIX.if_inet6 (for golden tests)\n"
      "  --replay=PREFIX  read those files instead of asking the kernel\n\n"
      "Exit status: 0 listed, 1 an interface named does not exist, 2 bad usage or a netlink error.\n",
      program_name());
}

int run_interfaces(int argc, char** argv) {
  InterfacesOptions options;
  if (std::optional<int> done = parse_options(argc, argv, options)) return *done;

  Result<netlink::Channel> channel = options.replay_prefix.empty()
                                         ? netlink::Channel::open(NETLINK_ROUTE)
                                         : netlink::Channel::replay(options.replay_prefix + ".nl");
  if (channel && !options.record_prefix.empty()) {
    Result<void> recording = channel->record_to(options.record_prefix + ".nl");
    if (!recording) channel = tl::unexpected(recording.error());
  }
  if (!channel) {
    complain(channel.error().message());
    return kExitUsage;
  }
  bool want_counters = options.counters > 0 || options.format == Format::kIfconfig || !options.record_prefix.empty();
  Result<std::vector<interfaces::Interface>> all = interfaces::collect_interfaces(*channel, {.counters = want_counters});
  if (!all) {
    complain(all.error().message());
    return kExitUsage;
  }

  if (options.format == Format::kIfconfig || !options.record_prefix.empty()) {
    std::string if_inet6 = procfs::read_text(options.replay_prefix.empty() ? "/proc/net/if_inet6" : options.replay_prefix + ".if_inet6");
    if (!options.record_prefix.empty()) std::ofstream(options.record_prefix + ".if_inet6") << if_inet6;
    if (options.format == Format::kIfconfig) interfaces::order_ipv6_as_listed(*all, procfs::parse_if_inet6(if_inet6));
  }

  if (options.format == Format::kIfconfig) {
    std::vector<output::IfconfigEntry> entries = output::ifconfig_entries(*all);
    // ifconfig finds a named block with its own name comparison ("en0:4294967295" is en0), and
    // a name it has no block for may still be one the kernel answers for.
    auto named = [](const output::IfconfigEntry& entry, const std::string& name) {
      return output::ifconfig_name_compare(entry.name, name) == 0;
    };
    for (const std::string& name : options.names) {
      bool listed = std::any_of(entries.begin(), entries.end(), [&](const output::IfconfigEntry& entry) { return named(entry, name); });
      if (listed) continue;
      if (std::optional<output::IfconfigEntry> entry = output::ifconfig_entry_for_name(*all, name)) entries.push_back(*entry);
    }
    bool known = choose(options, entries, named, [](const output::IfconfigEntry& entry) { return entry.device->flags; });
    if (!known) {
      // `ifconfig -s` has printed its header before it finds that a name does not exist.
      if (options.counters > 0) fmt::print("{}", output::render_ifconfig_short({}));
      return kExitNegative;
    }
    fmt::print("{}", options.counters > 0 ? output::render_ifconfig_short(entries) : output::render_ifconfig(entries));
    return kExitOk;
  }

  // Listeners are matched against every interface, so that an address on an interface left
  // out of the listing does not look like an address no interface has.
  std::vector<sockets::SocketRecord> sockets;
  std::optional<output::ListenerMap> listeners;
  if (options.listeners) {
    Result<std::vector<sockets::SocketRecord>> collected = collect_listeners();
    if (!collected) {
      complain(collected.error().message());
      return kExitUsage;
    }
    sockets = std::move(*collected);
    listeners = output::match_listeners(*all, sockets);
  }

  bool known = choose(options, *all, interface_named, [](const interfaces::Interface& interface) { return interface.flags; });
  if (!known) return kExitNegative;
  if (options.format == Format::kJson) {
    fmt::print("{}", output::render_interfaces_json(*all, options.counters, listeners ? &*listeners : nullptr));
  } else if (options.names_only) {
    fmt::print("{}", output::render_interface_names(*all));
  } else {
    fmt::print("{}", output::render_interfaces_text(*all, options.counters > 0, listeners ? &*listeners : nullptr));
  }
  return kExitOk;
}

}  // namespace sockscope::cli
