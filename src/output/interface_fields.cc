#include "output/interface_fields.h"

#include <arpa/inet.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/if_arp.h>
#include <linux/rtnetlink.h>

#include <fmt/format.h>

namespace sockscope::output {
namespace {

struct Named {
  uint32_t value;
  const char* name;
};

// The order `ip` prints link flags in (it differs from ifconfig's). IFF_RUNNING is never
// printed by name: its absence on an UP link is what NO-CARRIER says.
constexpr Named kLinkFlags[] = {
    {IFF_LOOPBACK, "LOOPBACK"},     {IFF_BROADCAST, "BROADCAST"}, {IFF_POINTOPOINT, "POINTOPOINT"},
    {IFF_MULTICAST, "MULTICAST"},   {IFF_NOARP, "NOARP"},         {IFF_ALLMULTI, "ALLMULTI"},
    {IFF_PROMISC, "PROMISC"},       {IFF_MASTER, "MASTER"},       {IFF_SLAVE, "SLAVE"},
    {IFF_DEBUG, "DEBUG"},           {IFF_DYNAMIC, "DYNAMIC"},     {IFF_AUTOMEDIA, "AUTOMEDIA"},
    {IFF_PORTSEL, "PORTSEL"},       {IFF_NOTRAILERS, "NOTRAILERS"}, {IFF_UP, "UP"},
    {IFF_LOWER_UP, "LOWER_UP"},     {IFF_DORMANT, "DORMANT"},     {IFF_ECHO, "ECHO"},
};

// ARPHRD_* numbers and iproute2's names for them.
constexpr Named kLinkTypes[] = {
    {0, "generic"},
    {ARPHRD_ETHER, "ether"},
    {ARPHRD_EETHER, "eether"},
    {ARPHRD_AX25, "ax25"},
    {ARPHRD_PRONET, "pronet"},
    {ARPHRD_CHAOS, "chaos"},
    {ARPHRD_IEEE802, "ieee802"},
    {ARPHRD_ARCNET, "arcnet"},
    {ARPHRD_APPLETLK, "atalk"},
    {ARPHRD_DLCI, "dlci"},
    {ARPHRD_ATM, "atm"},
    {ARPHRD_METRICOM, "metricom"},
    {ARPHRD_IEEE1394, "ieee1394"},
    {ARPHRD_INFINIBAND, "infiniband"},
    {ARPHRD_SLIP, "slip"},
    {ARPHRD_CSLIP, "cslip"},
    {ARPHRD_SLIP6, "slip6"},
    {ARPHRD_CSLIP6, "cslip6"},
    {ARPHRD_RSRVD, "rsrvd"},
    {ARPHRD_ADAPT, "adapt"},
    {ARPHRD_ROSE, "rose"},
    {ARPHRD_X25, "x25"},
    {ARPHRD_HWX25, "hwx25"},
    {ARPHRD_CAN, "can"},
    {ARPHRD_PPP, "ppp"},
    {ARPHRD_HDLC, "hdlc"},
    {ARPHRD_LAPB, "lapb"},
    {ARPHRD_DDCMP, "ddcmp"},
    {ARPHRD_RAWHDLC, "rawhdlc"},
    {ARPHRD_TUNNEL, "ipip"},
    {ARPHRD_TUNNEL6, "tunnel6"},
    {ARPHRD_FRAD, "frad"},
    {ARPHRD_SKIP, "skip"},
    {ARPHRD_LOOPBACK, "loopback"},
    {ARPHRD_LOCALTLK, "ltalk"},
    {ARPHRD_FDDI, "fddi"},
    {ARPHRD_BIF, "bif"},
    {ARPHRD_SIT, "sit"},
    {ARPHRD_IPDDP, "ip/ddp"},
    {ARPHRD_IPGRE, "gre"},
    {ARPHRD_PIMREG, "pimreg"},
    {ARPHRD_HIPPI, "hippi"},
    {ARPHRD_ASH, "ash"},
    {ARPHRD_ECONET, "econet"},
    {ARPHRD_IRDA, "irda"},
    {ARPHRD_FCPP, "fcpp"},
    {ARPHRD_FCAL, "fcal"},
    {ARPHRD_FCPL, "fcpl"},
    {ARPHRD_FCFABRIC, "fcfb0"},
    {ARPHRD_FCFABRIC + 1, "fcfb1"},
    {ARPHRD_FCFABRIC + 2, "fcfb2"},
    {ARPHRD_FCFABRIC + 3, "fcfb3"},
    {ARPHRD_FCFABRIC + 4, "fcfb4"},
    {ARPHRD_FCFABRIC + 5, "fcfb5"},
    {ARPHRD_FCFABRIC + 6, "fcfb6"},
    {ARPHRD_FCFABRIC + 7, "fcfb7"},
    {ARPHRD_FCFABRIC + 8, "fcfb8"},
    {ARPHRD_FCFABRIC + 9, "fcfb9"},
    {ARPHRD_FCFABRIC + 10, "fcfb10"},
    {ARPHRD_FCFABRIC + 11, "fcfb11"},
    {ARPHRD_FCFABRIC + 12, "fcfb12"},
    {ARPHRD_IEEE802_TR, "tr"},
    {ARPHRD_IEEE80211, "ieee802.11"},
    {ARPHRD_IEEE80211_PRISM, "ieee802.11/prism"},
    {ARPHRD_IEEE80211_RADIOTAP, "ieee802.11/radiotap"},
    {ARPHRD_IEEE802154, "ieee802.15.4"},
    {ARPHRD_IEEE802154_MONITOR, "ieee802.15.4/monitor"},
    {ARPHRD_PHONET, "phonet"},
    {ARPHRD_PHONET_PIPE, "phonet_pipe"},
    {ARPHRD_CAIF, "caif"},
    {ARPHRD_IP6GRE, "gre6"},
    {ARPHRD_NETLINK, "netlink"},
    {ARPHRD_6LOWPAN, "6lowpan"},
    {ARPHRD_NONE, "none"},
    {ARPHRD_VOID, "void"},
};

// IFA_F_* in ip's order. IFA_F_SECONDARY is IFA_F_TEMPORARY: the family decides the word.
constexpr Named kAddressFlags[] = {
    {IFA_F_SECONDARY, "secondary"},      {IFA_F_NODAD, "nodad"},         {IFA_F_OPTIMISTIC, "optimistic"},
    {IFA_F_DADFAILED, "dadfailed"},      {IFA_F_HOMEADDRESS, "home"},    {IFA_F_DEPRECATED, "deprecated"},
    {IFA_F_TENTATIVE, "tentative"},      {IFA_F_PERMANENT, "dynamic"},   {IFA_F_MANAGETEMPADDR, "mngtmpaddr"},
    {IFA_F_NOPREFIXROUTE, "noprefixroute"}, {IFA_F_MCAUTOJOIN, "autojoin"}, {IFA_F_STABLE_PRIVACY, "stable-privacy"},
};

}  // namespace

std::vector<std::string> interface_flag_names(const interfaces::Interface& interface) {
  std::vector<std::string> names;
  uint32_t flags = interface.flags;
  if ((flags & IFF_UP) && !(flags & IFF_RUNNING)) names.emplace_back("NO-CARRIER");
  flags &= ~IFF_RUNNING;
  for (const Named& flag : kLinkFlags) {
    if (flags & flag.value) names.emplace_back(flag.name);
    flags &= ~flag.value;
  }
  if (flags != 0) names.push_back(fmt::format("{:x}", flags));
  if (interface.link_is_down) names.emplace_back("M-DOWN");
  return names;
}

std::string link_type_name(uint16_t link_type) {
  for (const Named& type : kLinkTypes) {
    if (type.value == link_type) return type.name;
  }
  return fmt::format("[{}]", link_type);
}

std::string hardware_address_text(const std::vector<uint8_t>& bytes, uint16_t link_type) {
  char text[INET6_ADDRSTRLEN] = {};
  if (bytes.size() == 4 && (link_type == ARPHRD_TUNNEL || link_type == ARPHRD_SIT || link_type == ARPHRD_IPGRE)) {
    return inet_ntop(AF_INET, bytes.data(), text, sizeof text);
  }
  if (bytes.size() == 16 && (link_type == ARPHRD_TUNNEL6 || link_type == ARPHRD_IP6GRE)) {
    return inet_ntop(AF_INET6, bytes.data(), text, sizeof text);
  }
  constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 3);
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (i != 0) out += ':';
    out += kHex[bytes[i] >> 4];
    out += kHex[bytes[i] & 0xf];
  }
  return out;
}

std::string operstate_name(uint8_t operstate) {
  constexpr const char* kNames[] = {"UNKNOWN", "NOTPRESENT", "DOWN", "LOWERLAYERDOWN", "TESTING", "DORMANT", "UP"};
  return operstate < std::size(kNames) ? kNames[operstate] : "";
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

std::string group_name(uint32_t group) { return group == 0 ? "default" : fmt::format("{}", group); }

std::vector<std::string> address_flag_names(const interfaces::InterfaceAddress& address) {
  std::vector<std::string> names;
  for (const Named& flag : kAddressFlags) {
    if (flag.value == IFA_F_PERMANENT) {
      if (!(address.flags & IFA_F_PERMANENT)) names.emplace_back(flag.name);
    } else if (address.flags & flag.value) {
      bool temporary = flag.value == IFA_F_SECONDARY && address.address.family == AF_INET6;
      names.emplace_back(temporary ? "temporary" : flag.name);
    }
  }
  return names;
}

uint32_t unnamed_address_flags(const interfaces::InterfaceAddress& address) {
  uint32_t flags = address.flags;
  for (const Named& flag : kAddressFlags) flags &= ~flag.value;
  return flags;
}

std::string bare_address(const IpAddress& address) {
  IpAddress bare = address;
  bare.scope_id = 0;
  return bare.to_string();
}

}  // namespace sockscope::output
