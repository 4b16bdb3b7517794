#include "output/interfaces_render.h"

#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/if_arp.h>
#include <linux/rtnetlink.h>

#include <fmt/format.h>

namespace sockscope::output {
namespace {

constexpr uint32_t kForever = 0xffffffff;

// A flag bit and the name `ip` gives it.
struct FlagName {
  uint32_t flag;
  const char* name;
};

// The order `ip` prints flags in.
constexpr FlagName kFlagNames[] = {
    {IFF_LOOPBACK, "LOOPBACK"},   {IFF_BROADCAST, "BROADCAST"}, {IFF_POINTOPOINT, "POINTOPOINT"},
    {IFF_MULTICAST, "MULTICAST"}, {IFF_NOARP, "NOARP"},         {IFF_ALLMULTI, "ALLMULTI"},
    {IFF_PROMISC, "PROMISC"},     {IFF_MASTER, "MASTER"},       {IFF_SLAVE, "SLAVE"},
    {IFF_DEBUG, "DEBUG"},         {IFF_DYNAMIC, "DYNAMIC"},     {IFF_AUTOMEDIA, "AUTOMEDIA"},
    {IFF_PORTSEL, "PORTSEL"},     {IFF_NOTRAILERS, "NOTRAILERS"}, {IFF_UP, "UP"},
    {IFF_LOWER_UP, "LOWER_UP"},   {IFF_DORMANT, "DORMANT"},     {IFF_ECHO, "ECHO"},
};

constexpr FlagName kAddressFlags[] = {
    {IFA_F_SECONDARY, "secondary"}, {IFA_F_NODAD, "nodad"},       {IFA_F_OPTIMISTIC, "optimistic"},
    {IFA_F_DADFAILED, "dadfailed"}, {IFA_F_HOMEADDRESS, "home"},  {IFA_F_DEPRECATED, "deprecated"},
    {IFA_F_TENTATIVE, "tentative"}, {IFA_F_PERMANENT, "permanent"}, {IFA_F_MANAGETEMPADDR, "mngtmpaddr"},
    {IFA_F_NOPREFIXROUTE, "noprefixroute"}, {IFA_F_MCAUTOJOIN, "autojoin"}, {IFA_F_STABLE_PRIVACY, "stable-privacy"},
};

std::string address_text(const interfaces::InterfaceAddress& address) {
  // ip prints link-local addresses without the scope; the interface is the context.
  IpAddress bare = address.address;
  bare.scope_id = 0;
  return bare.to_string();
}

std::string lifetime(uint32_t seconds) { return seconds == kForever ? "forever" : fmt::format("{}sec", seconds); }

std::string human_bytes(uint64_t bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  double value = static_cast<double>(bytes);
  size_t unit = 0;
  while (value >= 1024 && unit + 1 < std::size(units)) {
    value /= 1024;
    ++unit;
  }
  return unit == 0 ? fmt::format("{} B", bytes) : fmt::format("{:.1f} {}", value, units[unit]);
}

}  // namespace

std::vector<std::string> interface_flag_names(const interfaces::Interface& interface) {
  std::vector<std::string> names;
  if ((interface.flags & IFF_UP) && !(interface.flags & IFF_RUNNING)) names.emplace_back("NO-CARRIER");
  for (const FlagName& flag : kFlagNames) {
    if (interface.flags & flag.flag) names.emplace_back(flag.name);
  }
  return names;
}

std::string link_type_name(uint16_t link_type) {
  switch (link_type) {
    case ARPHRD_ETHER: return "ether";
    case ARPHRD_LOOPBACK: return "loopback";
    case ARPHRD_NONE: return "none";
    case ARPHRD_TUNNEL: return "ipip";
    case ARPHRD_SIT: return "sit";
    case ARPHRD_IPGRE: return "gre";
    case ARPHRD_VOID: return "void";
    default: return fmt::format("[{}]", link_type);
  }
}

std::string operstate_name(uint8_t operstate) {
  constexpr const char* kNames[] = {"UNKNOWN", "NOTPRESENT", "DOWN", "LOWERLAYERDOWN", "TESTING", "DORMANT", "UP"};
  return operstate < std::size(kNames) ? kNames[operstate] : fmt::format("{}", operstate);
}

std::string scope_name(uint8_t scope) {
  switch (scope) {
    case RT_SCOPE_UNIVERSE: return "global";
    case RT_SCOPE_SITE: return "site";
    case RT_SCOPE_LINK: return "link";
    case RT_SCOPE_HOST: return "host";
    case RT_SCOPE_NOWHERE: return "nowhere";
    default: return fmt::format("{}", scope);
  }
}

std::string render_interfaces_text(const std::vector<interfaces::Interface>& interfaces, bool with_counters) {
  std::string out;
  for (const interfaces::Interface& interface : interfaces) {
    std::string flags;
    for (const std::string& name : interface_flag_names(interface)) flags += (flags.empty() ? "" : ",") + name;
    out += fmt::format("{}: index {} flags={:x}<{}> mtu {}\n", interface.name, interface.index, interface.flags, flags,
                       interface.mtu);
    out += fmt::format("\tstate {}{} txqueuelen {}\n", operstate_name(interface.operstate),
                       interface.carrier ? "" : " (no carrier)", interface.txqueuelen);
    if (!interface.hardware_address.empty()) {
      out += fmt::format("\t{} {}\n", link_type_name(interface.link_type), interface.hardware_address);
    } else {
      out += fmt::format("\t{}\n", link_type_name(interface.link_type));
    }
    for (const interfaces::InterfaceAddress& address : interface.addresses) {
      std::string extra;
      for (const FlagName& flag : kAddressFlags) {
        if ((address.flags & flag.flag) && flag.flag != IFA_F_PERMANENT) extra += fmt::format(" {}", flag.name);
      }
      if (address.valid_lifetime != kForever || address.preferred_lifetime != kForever) {
        extra += fmt::format(" valid {} preferred {}", lifetime(address.valid_lifetime), lifetime(address.preferred_lifetime));
      }
      if (address.address.family == AF_INET) {
        out += fmt::format("\tinet {}/{}{} scope {}{}{}\n", address_text(address), address.prefix_length,
                           address.broadcast.empty() ? "" : " broadcast " + address.broadcast, scope_name(address.scope),
                           address.label.empty() || address.label == interface.name ? "" : " label " + address.label,
                           extra);
      } else {
        std::string shown = address.address.scope_id != 0 ? address.address.to_string() : address_text(address);
        out += fmt::format("\tinet6 {}/{} scope {}{}\n", shown, address.prefix_length, scope_name(address.scope), extra);
      }
    }
    if (with_counters) {
      const interfaces::Counters& c = interface.counters;
      out += fmt::format("\tRX packets {} bytes {} ({}) errors {} dropped {}\n", c.rx_packets, c.rx_bytes,
                         human_bytes(c.rx_bytes), c.rx_errors, c.rx_dropped);
      out += fmt::format("\tTX packets {} bytes {} ({}) errors {} dropped {}\n", c.tx_packets, c.tx_bytes,
                         human_bytes(c.tx_bytes), c.tx_errors, c.tx_dropped);
    }
    out += "\n";
  }
  return out;
}

nlohmann::ordered_json render_interfaces_json(const std::vector<interfaces::Interface>& interfaces) {
  nlohmann::ordered_json all = nlohmann::ordered_json::array();
  for (const interfaces::Interface& interface : interfaces) {
    nlohmann::ordered_json entry;
    entry["ifindex"] = interface.index;
    entry["ifname"] = interface.name;
    entry["flags"] = interface_flag_names(interface);
    entry["mtu"] = interface.mtu;
    entry["operstate"] = operstate_name(interface.operstate);
    entry["txqlen"] = interface.txqueuelen;
    entry["link_type"] = link_type_name(interface.link_type);
    if (!interface.hardware_address.empty()) entry["address"] = interface.hardware_address;
    if (!interface.hardware_broadcast.empty()) entry["broadcast"] = interface.hardware_broadcast;
    nlohmann::ordered_json addresses = nlohmann::ordered_json::array();
    for (const interfaces::InterfaceAddress& address : interface.addresses) {
      nlohmann::ordered_json info;
      info["family"] = address.address.family == AF_INET ? "inet" : "inet6";
      info["local"] = address_text(address);
      info["prefixlen"] = address.prefix_length;
      if (!address.broadcast.empty()) info["broadcast"] = address.broadcast;
      info["scope"] = scope_name(address.scope);
      for (const FlagName& flag : kAddressFlags) {
        if ((address.flags & flag.flag) && flag.flag != IFA_F_PERMANENT) info[flag.name] = true;
      }
      if (!(address.flags & IFA_F_PERMANENT)) info["dynamic"] = true;
      if (!address.label.empty()) info["label"] = address.label;
      info["valid_life_time"] = address.valid_lifetime;
      info["preferred_life_time"] = address.preferred_lifetime;
      addresses.push_back(info);
    }
    entry["addr_info"] = addresses;
    all.push_back(entry);
  }
  return all;
}

}  // namespace sockscope::output
