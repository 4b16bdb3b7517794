#include "output/interfaces_ifconfig.h"

#include <arpa/inet.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/if_arp.h>
#include <linux/rtnetlink.h>

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

namespace sockscope::output {
namespace {

struct FlagName {
  uint32_t flag;
  const char* name;
};

// net-tools' order, which differs from ip's.
constexpr FlagName kIfconfigFlags[] = {
    {IFF_UP, "UP"},           {IFF_BROADCAST, "BROADCAST"}, {IFF_DEBUG, "DEBUG"},   {IFF_LOOPBACK, "LOOPBACK"},
    {IFF_POINTOPOINT, "POINTOPOINT"}, {IFF_NOTRAILERS, "NOTRAILERS"}, {IFF_RUNNING, "RUNNING"},
    {IFF_NOARP, "NOARP"},     {IFF_PROMISC, "PROMISC"},     {IFF_ALLMULTI, "ALLMULTI"}, {IFF_SLAVE, "SLAVE"},
    {IFF_MASTER, "MASTER"},   {IFF_MULTICAST, "MULTICAST"}, {IFF_DYNAMIC, "DYNAMIC"},
};

// ifconfig sorts names the way people count: eth2 before eth10.
bool natural_less(const std::string& a, const std::string& b) {
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (std::isdigit(static_cast<unsigned char>(a[i])) && std::isdigit(static_cast<unsigned char>(b[j]))) {
      size_t end_a = i, end_b = j;
      while (end_a < a.size() && std::isdigit(static_cast<unsigned char>(a[end_a]))) ++end_a;
      while (end_b < b.size() && std::isdigit(static_cast<unsigned char>(b[end_b]))) ++end_b;
      unsigned long long na = std::stoull(a.substr(i, end_a - i)), nb = std::stoull(b.substr(j, end_b - j));
      if (na != nb) return na < nb;
      i = end_a;
      j = end_b;
    } else {
      if (a[i] != b[j]) return a[i] < b[j];
      ++i;
      ++j;
    }
  }
  return a.size() - i < b.size() - j;
}

std::string netmask(uint8_t prefix_length) {
  uint32_t mask = prefix_length == 0 ? 0 : htonl(~uint32_t{0} << (32 - prefix_length));
  char text[INET_ADDRSTRLEN] = {};
  inet_ntop(AF_INET, &mask, text, sizeof text);
  return text;
}

// The scope as net-tools prints it: its IPV6_ADDR_* value in hex and a name.
std::string scope_id(uint8_t scope) {
  switch (scope) {
    case RT_SCOPE_HOST: return "0x10<host>";
    case RT_SCOPE_LINK: return "0x20<link>";
    case RT_SCOPE_SITE: return "0x40<site>";
    default: return "0x0<global>";
  }
}

std::string scaled_bytes(uint64_t bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  double value = static_cast<double>(bytes);
  size_t unit = 0;
  while (value >= 1024 && unit + 1 < std::size(units)) {
    value /= 1024;
    ++unit;
  }
  return fmt::format("{:.1f} {}", value, units[unit]);
}

std::string link_line(const interfaces::Interface& interface) {
  switch (interface.link_type) {
    case ARPHRD_ETHER:
      return fmt::format("        ether {}  txqueuelen {}  (Ethernet)\n", interface.hardware_address, interface.txqueuelen);
    case ARPHRD_LOOPBACK:
      return fmt::format("        loop  txqueuelen {}  (Local Loopback)\n", interface.txqueuelen);
    default:
      // Links without a hardware address: net-tools prints sixteen zero bytes.
      return fmt::format("        unspec 00-00-00-00-00-00-00-00-00-00-00-00-00-00-00-00  txqueuelen {}  (UNSPEC)\n",
                         interface.txqueuelen);
  }
}

}  // namespace

std::string render_interfaces_ifconfig(const std::vector<interfaces::Interface>& interfaces) {
  std::vector<const interfaces::Interface*> sorted;
  for (const interfaces::Interface& interface : interfaces) sorted.push_back(&interface);
  std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return natural_less(a->name, b->name); });

  std::string out;
  for (const interfaces::Interface* interface : sorted) {
    std::string names;
    for (const FlagName& flag : kIfconfigFlags) {
      if (interface->flags & flag.flag) names += (names.empty() ? "" : ",") + std::string(flag.name);
    }
    out += fmt::format("{}: flags={}<{}>  mtu {}\n", interface->name, interface->flags & 0xffff, names, interface->mtu);
    // ifconfig shows the primary IPv4 address only (the first one without "secondary").
    for (const interfaces::InterfaceAddress& address : interface->addresses) {
      if (address.address.family != AF_INET || (address.flags & IFA_F_SECONDARY)) continue;
      out += fmt::format("        inet {}  netmask {}", address.address.to_string(), netmask(address.prefix_length));
      if (interface->flags & IFF_POINTOPOINT) {
        out += fmt::format("  destination {}", address.address.to_string());
      } else if (interface->flags & IFF_BROADCAST) {
        out += fmt::format("  broadcast {}", address.broadcast.empty() ? "0.0.0.0" : address.broadcast);
      }
      out += "\n";
      break;
    }
    for (const interfaces::InterfaceAddress& address : interface->addresses) {
      if (address.address.family != AF_INET6) continue;
      IpAddress bare = address.address;
      bare.scope_id = 0;
      out += fmt::format("        inet6 {}  prefixlen {}  scopeid {}\n", bare.to_string(), address.prefix_length,
                         scope_id(address.scope));
    }
    out += link_line(*interface);
    const interfaces::Counters& c = interface->counters;
    out += fmt::format("        RX packets {}  bytes {} ({})\n", c.rx_packets, c.rx_bytes, scaled_bytes(c.rx_bytes));
    out += fmt::format("        RX errors {}  dropped {}  overruns {}  frame {}\n", c.rx_errors,
                       c.rx_dropped + c.rx_missed, c.rx_fifo, c.rx_frame);
    out += fmt::format("        TX packets {}  bytes {} ({})\n", c.tx_packets, c.tx_bytes, scaled_bytes(c.tx_bytes));
    out += fmt::format("        TX errors {}  dropped {} overruns {}  carrier {}  collisions {}\n", c.tx_errors,
                       c.tx_dropped, c.tx_fifo, c.tx_carrier, c.collisions);
    out += "\n";
  }
  return out;
}

}  // namespace sockscope::output
