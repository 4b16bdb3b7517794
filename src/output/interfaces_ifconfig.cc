#include "output/interfaces_ifconfig.h"

#include <arpa/inet.h>
#include <linux/if.h>
#include <linux/if_arp.h>
#include <linux/rtnetlink.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <set>

#include <fmt/format.h>

#include "output/interface_fields.h"

namespace sockscope::output {
namespace {

struct FlagName {
  uint32_t flag;
  const char* name;
};

// net-tools' order, which differs from ip's. ifconfig reads the flags through a 16-bit
// field, so LOWER_UP and the bits above it never show.
constexpr FlagName kIfconfigFlags[] = {
    {IFF_UP, "UP"},           {IFF_BROADCAST, "BROADCAST"}, {IFF_DEBUG, "DEBUG"},   {IFF_LOOPBACK, "LOOPBACK"},
    {IFF_POINTOPOINT, "POINTOPOINT"}, {IFF_NOTRAILERS, "NOTRAILERS"}, {IFF_RUNNING, "RUNNING"},
    {IFF_NOARP, "NOARP"},     {IFF_PROMISC, "PROMISC"},     {IFF_ALLMULTI, "ALLMULTI"}, {IFF_SLAVE, "SLAVE"},
    {IFF_MASTER, "MASTER"},   {IFF_MULTICAST, "MULTICAST"}, {IFF_DYNAMIC, "DYNAMIC"},
};

// The letters of `ifconfig -s`, in its order (P twice: PROMISC, then POINTOPOINT).
constexpr struct {
  uint32_t flag;
  char letter;
} kShortFlags[] = {
    {IFF_ALLMULTI, 'A'}, {IFF_BROADCAST, 'B'}, {IFF_DEBUG, 'D'},    {IFF_LOOPBACK, 'L'}, {IFF_MULTICAST, 'M'},
    {IFF_DYNAMIC, 'd'},  {IFF_PROMISC, 'P'},   {IFF_NOTRAILERS, 'N'}, {IFF_NOARP, 'O'},  {IFF_POINTOPOINT, 'P'},
    {IFF_SLAVE, 's'},    {IFF_MASTER, 'm'},    {IFF_RUNNING, 'R'},  {IFF_UP, 'U'},
};

// IPV6_ADDR_* scope bits, as /proc/net/if_inet6 and ifconfig print them.
constexpr unsigned kScopeHost = 0x10, kScopeLink = 0x20, kScopeSite = 0x40, kScopeCompatV4 = 0x80;

struct NameKey {
  std::string base;     // the name with a ":digits" alias cut off
  std::string prefix;   // base without its trailing digits
  int number = 0;       // those digits; 0 when there are none
  std::string alias;    // the digits after a final ':'; empty when there is no such alias
  int alias_number = -1;  // their value; -1 when there is no alias
};

// atoi's value, including its wrap-around on absurdly long digit runs (":4294967295" is -1,
// the value of no alias at all).
int digits_value(const std::string& digits) { return static_cast<int>(std::strtol(digits.c_str(), nullptr, 10)); }

NameKey name_key(const std::string& name) {
  NameKey key;
  key.base = name;
  size_t colon = key.base.find_last_of(':');
  if (colon != std::string::npos && colon + 1 < key.base.size() &&
      std::all_of(key.base.begin() + static_cast<long>(colon) + 1, key.base.end(),
                  [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
    key.alias = key.base.substr(colon + 1);
    key.alias_number = digits_value(key.alias);
    key.base.resize(colon);
  }
  size_t digits = key.base.size();
  while (digits > 0 && std::isdigit(static_cast<unsigned char>(key.base[digits - 1]))) --digits;
  key.prefix = key.base.substr(0, digits);
  key.number = digits_value(key.base.substr(digits));
  return key;
}

std::string ipv4_netmask(uint8_t prefix_length) {
  uint32_t mask = prefix_length == 0 ? 0 : htonl(~uint32_t{0} << (32 - std::min<uint8_t>(prefix_length, 32)));
  char text[INET_ADDRSTRLEN] = {};
  inet_ntop(AF_INET, &mask, text, sizeof text);
  return text;
}

unsigned ifconfig_scope(const interfaces::InterfaceAddress& address) {
  unsigned scope = 0;
  if (address.scope == RT_SCOPE_HOST) scope = kScopeHost;
  if (address.scope == RT_SCOPE_LINK) scope = kScopeLink;
  if (address.scope == RT_SCOPE_SITE) scope = kScopeSite;
  // ::a.b.c.d (IPv4-compatible) carries a scope bit of its own that rtnetlink folds away.
  const std::array<uint8_t, 16>& b = address.address.bytes;
  bool zero_top = std::all_of(b.begin(), b.begin() + 12, [](uint8_t byte) { return byte == 0; });
  bool any_or_loopback = std::all_of(b.begin() + 12, b.begin() + 15, [](uint8_t byte) { return byte == 0; }) && b[15] <= 1;
  if (zero_top && !any_or_loopback) scope |= kScopeCompatV4;
  return scope;
}

std::string scope_words(unsigned scope) {
  std::string words = "<";
  if (scope & kScopeCompatV4) {
    words += "compat,";
    scope -= kScopeCompatV4;
  }
  if (scope == 0) words += "global,";
  if (scope & kScopeLink) words += "link,";
  if (scope & kScopeSite) words += "site,";
  if (scope & kScopeHost) words += "host,";
  // net-tools closes the list by turning the last comma into '>' or dropping a lone '<'.
  if (words.back() == ',') {
    words.back() = '>';
  } else {
    words.pop_back();
  }
  return words;
}

// Bytes with a binary unit, truncated to one decimal as net-tools does in integer arithmetic.
std::string scaled_bytes(uint64_t bytes) {
  constexpr uint64_t kKi = 1024, kMi = kKi * 1024, kGi = kMi * 1024, kTi = kGi * 1024, kPi = kTi * 1024,
                     kEi = kPi * 1024;
  uint64_t tenths = bytes * 10;
  const char* unit = "B";
  if (bytes > kEi) {
    tenths = bytes / (kEi / 10);
    unit = "EiB";
  } else if (bytes > kPi) {
    tenths /= kPi;
    unit = "PiB";
  } else if (bytes > kTi) {
    tenths /= kTi;
    unit = "TiB";
  } else if (bytes > kGi) {
    tenths /= kGi;
    unit = "GiB";
  } else if (bytes > kMi) {
    tenths /= kMi;
    unit = "MiB";
  } else if (bytes > kKi) {
    tenths /= kKi;
    unit = "KiB";
  }
  return fmt::format("{}.{} {}", tenths / 10, tenths % 10, unit);
}

std::string hardware_line(const interfaces::Interface& device) {
  std::string queue = device.txqueuelen ? fmt::format("  txqueuelen {}", *device.txqueuelen) : "";
  if (device.link_type == ARPHRD_ETHER) {
    std::vector<uint8_t> bytes = device.hardware_address;
    bytes.resize(6);
    return fmt::format("        ether {}{}  (Ethernet)\n", hardware_address_text(bytes, ARPHRD_ETHER), queue);
  }
  if (device.link_type == ARPHRD_LOOPBACK) return fmt::format("        loop{}  (Local Loopback)\n", queue);
  // Types net-tools has no name for: sixteen bytes of sockaddr, of which the kernel fills eight.
  std::string bytes;
  for (size_t i = 0; i < 16; ++i) {
    uint8_t byte = i < 8 && i < device.hardware_address.size() ? device.hardware_address[i] : 0;
    bytes += fmt::format("{}{:02X}", i == 0 ? "" : "-", byte);
  }
  return fmt::format("        unspec {}{}  (UNSPEC)\n", bytes, queue);
}

// The address ifconfig's SIOCGIFADDR finds: the first IPv4 address labelled with the name.
const interfaces::InterfaceAddress* labelled_ipv4(const IfconfigEntry& entry) {
  for (const interfaces::InterfaceAddress& address : entry.device->addresses) {
    if (address.address.family == AF_INET && address.label == entry.name) return &address;
  }
  return nullptr;
}

std::string render_block(const IfconfigEntry& entry) {
  const interfaces::Interface& device = *entry.device;
  uint16_t flags = static_cast<uint16_t>(device.flags);
  std::string flag_text = fmt::format("flags={}<", static_cast<int16_t>(flags));
  if (flags == 0) flag_text += ">";
  for (const FlagName& flag : kIfconfigFlags) {
    if (flags & flag.flag) flag_text += fmt::format("{},", flag.name);
  }
  if (flag_text.back() == ',') {
    flag_text.back() = '>';
  } else {
    flag_text.pop_back();
  }
  std::string out = fmt::format("{}: {}  mtu {}\n", entry.name, flag_text, device.mtu);

  if (const interfaces::InterfaceAddress* address = labelled_ipv4(entry)) {
    out += fmt::format("        inet {}  netmask {}", address->address.to_string(), ipv4_netmask(address->prefix_length));
    if (flags & IFF_BROADCAST) {
      out += fmt::format("  broadcast {}", address->broadcast ? address->broadcast->to_string() : "0.0.0.0");
    }
    if (flags & IFF_POINTOPOINT) {
      out += fmt::format("  destination {}", (address->peer ? *address->peer : address->address).to_string());
    }
    out += "\n";
  }
  if (!entry.alias) {
    for (const interfaces::InterfaceAddress& address : device.addresses) {
      if (address.address.family != AF_INET6) continue;
      unsigned scope = ifconfig_scope(address);
      // net-tools shows an IPv4-mapped address as the IPv4 address alone.
      std::string text = address.address.is_v4_mapped() ? address.address.unmapped().to_string() : bare_address(address.address);
      out += fmt::format("        inet6 {}  prefixlen {}  scopeid 0x{:x}{}\n", text,
                         address.prefix_length, scope, scope_words(scope));
    }
  }
  out += hardware_line(device);

  if (!entry.alias && device.counters) {
    const rtnl_link_stats64& s = *device.counters;
    // The sums /proc/net/dev makes, which is where ifconfig reads them.
    uint64_t rx_dropped = s.rx_dropped + s.rx_missed_errors;
    uint64_t rx_frame = s.rx_length_errors + s.rx_over_errors + s.rx_crc_errors + s.rx_frame_errors;
    uint64_t tx_carrier = s.tx_carrier_errors + s.tx_aborted_errors + s.tx_window_errors + s.tx_heartbeat_errors;
    out += fmt::format("        RX packets {}  bytes {} ({})\n", s.rx_packets, s.rx_bytes, scaled_bytes(s.rx_bytes));
    out += fmt::format("        RX errors {}  dropped {}  overruns {}  frame {}\n", s.rx_errors, rx_dropped,
                       s.rx_fifo_errors, rx_frame);
    out += fmt::format("        TX packets {}  bytes {} ({})\n", s.tx_packets, s.tx_bytes, scaled_bytes(s.tx_bytes));
    out += fmt::format("        TX errors {}  dropped {} overruns {}  carrier {}  collisions {}\n", s.tx_errors,
                       s.tx_dropped, s.tx_fifo_errors, tx_carrier, s.collisions);
  }
  out += "\n";
  return out;
}

}  // namespace

int ifconfig_name_compare(const std::string& a, const std::string& b) {
  NameKey ka = name_key(a), kb = name_key(b);
  if (int order = ka.prefix.compare(kb.prefix); order != 0) return order;
  if (ka.number != kb.number) return ka.number < kb.number ? -1 : 1;
  if (int order = ka.base.compare(kb.base); order != 0) return order;
  if (ka.alias_number != kb.alias_number) return ka.alias_number < kb.alias_number ? -1 : 1;
  if (ka.alias.empty() || kb.alias.empty()) return 0;
  return ka.alias.compare(kb.alias);
}

bool ifconfig_name_less(const std::string& a, const std::string& b) { return ifconfig_name_compare(a, b) < 0; }

std::vector<IfconfigEntry> ifconfig_entries(const std::vector<interfaces::Interface>& interfaces) {
  std::vector<IfconfigEntry> entries;
  std::set<std::string> seen;
  for (const interfaces::Interface& interface : interfaces) {
    entries.push_back({interface.name, &interface, false});
    seen.insert(interface.name);
  }
  // ifconfig adds every IPv4 label the kernel's SIOCGIFCONF reports; the kernel answers
  // for "en0:1" as for "en0", cutting the name at the colon. A label that ifconfig's name
  // comparison finds equal to one it has (the devices come first) is not added: "en0:4294967295"
  // reads as en0 without an alias.
  for (const interfaces::Interface& interface : interfaces) {
    for (const interfaces::InterfaceAddress& address : interface.addresses) {
      if (address.address.family != AF_INET || seen.count(address.label)) continue;
      if (address.label.substr(0, address.label.find(':')) != interface.name) continue;
      if (std::any_of(entries.begin(), entries.end(),
                      [&](const IfconfigEntry& entry) { return ifconfig_name_compare(entry.name, address.label) == 0; })) {
        continue;
      }
      entries.push_back({address.label, &interface, true});
      seen.insert(address.label);
    }
  }
  std::stable_sort(entries.begin(), entries.end(),
                   [](const IfconfigEntry& a, const IfconfigEntry& b) { return ifconfig_name_less(a.name, b.name); });
  return entries;
}

std::optional<IfconfigEntry> ifconfig_entry_for_name(const std::vector<interfaces::Interface>& interfaces,
                                                     const std::string& name) {
  std::string device_name = name.substr(0, name.find(':'));
  for (const interfaces::Interface& interface : interfaces) {
    bool answers = interface.name == device_name ||
                   std::find(interface.altnames.begin(), interface.altnames.end(), device_name) != interface.altnames.end();
    if (answers) return IfconfigEntry{name, &interface, true};
  }
  return std::nullopt;
}

std::string render_ifconfig(const std::vector<IfconfigEntry>& entries) {
  std::string out;
  for (const IfconfigEntry& entry : entries) out += render_block(entry);
  return out;
}

std::string render_ifconfig_short(const std::vector<IfconfigEntry>& entries) {
  std::string out = "Iface      MTU    RX-OK RX-ERR RX-DRP RX-OVR    TX-OK TX-ERR TX-DRP TX-OVR Flg\n";
  for (const IfconfigEntry& entry : entries) {
    const interfaces::Interface& device = *entry.device;
    // Padded by bytes, as printf pads: a UTF-8 name takes its byte count, not its width.
    std::string_view name = std::string_view(entry.name).substr(0, 15);
    out += name;
    out.append(15 - name.size(), ' ');
    out += fmt::format(" {:5} ", device.mtu);
    if (!entry.alias && device.counters) {
      const rtnl_link_stats64& s = *device.counters;
      out += fmt::format("{:8} {:6} {:6} {:<6} ", s.rx_packets, s.rx_errors, s.rx_dropped + s.rx_missed_errors,
                         s.rx_fifo_errors);
      out += fmt::format("{:8} {:6} {:6} {:6} ", s.tx_packets, s.tx_errors, s.tx_dropped, s.tx_fifo_errors);
    } else {
      out += fmt::format("{:<56}", "     - no statistics available -");
    }
    uint16_t flags = static_cast<uint16_t>(device.flags);
    if (flags == 0) out += "[NO FLAGS]";
    for (const auto& flag : kShortFlags) {
      if (flags & flag.flag) out += flag.letter;
    }
    out += "\n";
  }
  return out;
}

}  // namespace sockscope::output
