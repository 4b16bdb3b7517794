// The net-tools `ifconfig` layout, byte for byte, for scripts that parse it: one block per
// device and per IPv4 alias label ("en0:1"), in ifconfig's name order, the first IPv4 address
// whose label is the block's name, every IPv6 address in the order the records carry (use
// interfaces::order_ipv6_as_listed first), and the counters of /proc/net/dev.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "interfaces/interface_record.h"

namespace sockscope::output {

// One block ifconfig would print.
struct IfconfigEntry {
  std::string name;                          // "en0" or an alias label "en0:1"
  const interfaces::Interface* device = nullptr;
  bool alias = false;                        // an alias has no counters and no IPv6 addresses
};

// Every device and IPv4 alias label, sorted as ifconfig sorts them (eth2 before eth10,
// en0:2 before en0:10). The entries point into interfaces.
std::vector<IfconfigEntry> ifconfig_entries(const std::vector<interfaces::Interface>& interfaces);

// The block ifconfig shows for a name that is no device and no alias label but that the
// kernel's ioctls still answer for: an altname, or a device name or altname followed by ':'
// and anything (the kernel cuts the name at its first ':'). No address is labelled with such
// a name, so the block has flags, MTU and hardware only, as an alias's (and no counters).
std::optional<IfconfigEntry> ifconfig_entry_for_name(const std::vector<interfaces::Interface>& interfaces,
                                                     const std::string& name);

// `ifconfig` blocks.
std::string render_ifconfig(const std::vector<IfconfigEntry>& entries);

// `ifconfig -s`: the one-line-per-interface table, header included.
std::string render_ifconfig_short(const std::vector<IfconfigEntry>& entries);

// ifconfig's comparison (<0, 0, >0): the name without its alias and trailing digits, then
// those digits as a number, then the name without its alias, then the alias number after
// ':', then the alias digits as text. Names it finds equal are one interface to ifconfig.
int ifconfig_name_compare(const std::string& a, const std::string& b);
bool ifconfig_name_less(const std::string& a, const std::string& b);

}  // namespace sockscope::output
