#include "output/interfaces_render.h"

#include <arpa/inet.h>
#include <linux/if.h>

#include <fmt/format.h>

#include "output/interface_fields.h"

namespace sockscope::output {
namespace {

std::string join(const std::vector<std::string>& parts, const char* separator) {
  std::string out;
  for (const std::string& part : parts) out += (out.empty() ? "" : separator) + part;
  return out;
}

std::string seconds(uint32_t value) { return value == interfaces::kForever ? "forever" : fmt::format("{}s", value); }

std::string lifetime_text(const interfaces::InterfaceAddress& address) {
  if (address.valid_lifetime == interfaces::kForever && address.preferred_lifetime == interfaces::kForever) {
    return "lifetime forever";
  }
  return fmt::format("valid {} preferred {}", seconds(address.valid_lifetime), seconds(address.preferred_lifetime));
}

std::string netmask(uint8_t prefix_length) {
  uint32_t mask = prefix_length == 0 ? 0 : htonl(~uint32_t{0} << (32 - std::min<uint8_t>(prefix_length, 32)));
  char text[INET_ADDRSTRLEN] = {};
  inet_ntop(AF_INET, &mask, text, sizeof text);
  return text;
}

// The address as people should read it: a link-local IPv6 address names the interface it
// belongs to, since without it the address means nothing.
std::string scoped_address(const interfaces::InterfaceAddress& address, const interfaces::Interface& interface) {
  std::string text = bare_address(address.address);
  if (address.address.scope_id == 0) return text;
  if (address.address.scope_id == static_cast<uint32_t>(interface.index)) return text + "%" + interface.name;
  return fmt::format("{}%{}", text, address.address.scope_id);
}

std::string address_line(const interfaces::InterfaceAddress& address, const interfaces::Interface& interface) {
  bool v4 = address.address.family == AF_INET;
  std::string line = fmt::format("\t{} {}/{}", v4 ? "inet" : "inet6", scoped_address(address, interface),
                                 address.prefix_length);
  if (v4) line += " netmask " + netmask(address.prefix_length);
  if (address.peer) line += " peer " + bare_address(*address.peer);
  if (address.broadcast) line += " broadcast " + bare_address(*address.broadcast);
  if (address.anycast) line += " anycast " + bare_address(*address.anycast);
  line += " scope " + scope_name(address.scope);
  for (const std::string& flag : address_flag_names(address)) line += " " + flag;
  if (uint32_t rest = unnamed_address_flags(address)) line += fmt::format(" flags 0x{:x}", rest);
  if (!address.label.empty() && address.label != interface.name) line += " label " + address.label;
  if (address.metric) line += fmt::format(" metric {}", *address.metric);
  if (address.has_lifetimes) line += " " + lifetime_text(address);
  return line + "\n";
}

std::string state_line(const interfaces::Interface& interface) {
  std::vector<std::string> parts;
  if (interface.operstate) {
    std::string state = operstate_name(*interface.operstate);
    parts.push_back("state " + (state.empty() ? fmt::format("{}", *interface.operstate) : state));
  }
  if (interface.carrier) parts.push_back(*interface.carrier ? "carrier on" : "no carrier");
  if (interface.proto_down) parts.emplace_back("protocol down");
  if (interface.txqueuelen) parts.push_back(fmt::format("txqueuelen {}", *interface.txqueuelen));
  if (!interface.qdisc.empty()) parts.push_back("qdisc " + interface.qdisc);
  if (interface.group) parts.push_back("group " + group_name(*interface.group));
  return parts.empty() ? "" : "\t" + join(parts, ", ") + "\n";
}

std::string link_line(const interfaces::Interface& interface) {
  std::string line = "\t" + link_type_name(interface.link_type);
  if (!interface.hardware_address.empty()) {
    line += " " + hardware_address_text(interface.hardware_address, interface.link_type);
  }
  if (!interface.hardware_broadcast.empty()) {
    line += (interface.flags & IFF_POINTOPOINT) ? " peer " : " broadcast ";
    line += hardware_address_text(interface.hardware_broadcast, interface.link_type);
  }
  if (!interface.permanent_address.empty() && interface.permanent_address != interface.hardware_address) {
    line += " permanent " + hardware_address_text(interface.permanent_address, interface.link_type);
  }
  return line + "\n";
}

// Which devices this one is tied to: its lower device or veth peer, its bridge, its other names.
std::string relations_line(const interfaces::Interface& interface) {
  std::vector<std::string> parts;
  if (interface.link_index && *interface.link_index != 0) {
    if (interface.link_netnsid) {
      parts.push_back(fmt::format("link index {} in namespace id {}", *interface.link_index, *interface.link_netnsid));
    } else if (!interface.link_name.empty()) {
      parts.push_back("link " + interface.link_name + (interface.link_is_down ? " (down)" : ""));
    } else {
      parts.push_back(fmt::format("link index {}", *interface.link_index));
    }
  }
  if (interface.master_index) {
    parts.push_back("master " + (interface.master_name.empty() ? fmt::format("index {}", *interface.master_index)
                                                               : interface.master_name));
  }
  if (!interface.altnames.empty()) parts.push_back("altnames " + join(interface.altnames, " "));
  return parts.empty() ? "" : "\t" + join(parts, ", ") + "\n";
}

}  // namespace

std::string human_bytes(uint64_t bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  double value = static_cast<double>(bytes);
  size_t unit = 0;
  while (value >= 1024 && unit + 1 < std::size(units)) {
    value /= 1024;
    ++unit;
  }
  return unit == 0 ? fmt::format("{} B", bytes) : fmt::format("{:.1f} {}", value, units[unit]);
}

std::string render_interfaces_text(const std::vector<interfaces::Interface>& interfaces, bool with_counters,
                                   const ListenerMap* listeners) {
  std::string out;
  for (const interfaces::Interface& interface : interfaces) {
    out += fmt::format("{}: index {} flags 0x{:x}<{}> mtu {}\n", interface.name, interface.index, interface.flags,
                       join(interface_flag_names(interface), ","), interface.mtu);
    out += state_line(interface);
    out += link_line(interface);
    out += relations_line(interface);
    for (size_t position = 0; position < interface.addresses.size(); ++position) {
      out += address_line(interface.addresses[position], interface);
      if (listeners == nullptr) continue;
      auto found = listeners->by_address.find({interface.index, position});
      if (found == listeners->by_address.end()) continue;
      for (const AddressListener& listener : found->second) out += "\t\t" + listener_line(listener, *listeners) + "\n";
    }
    if (with_counters && interface.counters) {
      const rtnl_link_stats64& s = *interface.counters;
      out += fmt::format("\tRX packets {} bytes {} ({}) errors {} dropped {}\n", s.rx_packets, s.rx_bytes,
                         human_bytes(s.rx_bytes), s.rx_errors, s.rx_dropped);
      out += fmt::format("\tTX packets {} bytes {} ({}) errors {} dropped {}\n", s.tx_packets, s.tx_bytes,
                         human_bytes(s.tx_bytes), s.tx_errors, s.tx_dropped);
    }
    out += "\n";
  }
  if (listeners != nullptr) {
    out += "Wildcard listeners, on every address:" + std::string(listeners->wildcards.empty() ? " none\n" : "\n");
    for (const sockets::SocketRecord* socket : listeners->wildcards) {
      out += fmt::format("\t{} {}: {}\n", socket_text(*socket, *listeners), owners_text(*socket),
                         wildcard_coverage(*socket, *listeners));
    }
    if (!listeners->elsewhere.empty()) out += "Listeners on addresses no interface has:\n";
    for (const sockets::SocketRecord* socket : listeners->elsewhere) {
      out += fmt::format("\t{} {}\n", socket_text(*socket, *listeners), owners_text(*socket));
    }
  }
  return out;
}

std::string render_interface_names(const std::vector<interfaces::Interface>& interfaces) {
  std::string line;
  for (const interfaces::Interface& interface : interfaces) line += (line.empty() ? "" : " ") + interface.name;
  return line + "\n";
}

}  // namespace sockscope::output
