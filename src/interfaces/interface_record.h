// Interface: one network interface and its addresses, as rtnetlink reports them. Plain data:
// every attribute the renderers need is here, optional where the kernel may leave it out.
#pragma once

#include <linux/if_link.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/endpoint.h"

namespace sockscope::interfaces {

inline constexpr uint32_t kForever = 0xffffffff;  // an address lifetime that never runs out

struct InterfaceAddress {
  IpAddress address;                 // IFA_LOCAL; IPv6 link-local addresses carry the interface as scope_id
  std::optional<IpAddress> peer;     // IFA_ADDRESS when it differs from IFA_LOCAL (point-to-point)
  uint8_t prefix_length = 0;
  std::optional<IpAddress> broadcast;
  std::optional<IpAddress> anycast;
  std::string label;                 // IPv4 only: "en0" or an alias such as "en0:1"
  uint8_t scope = 0;                 // RT_SCOPE_*: universe (0), site (200), link (253), host (254)
  uint32_t flags = 0;                // IFA_F_* (IFA_FLAGS when present: it carries the high bits)
  std::optional<uint32_t> metric;    // IFA_RT_PRIORITY
  bool has_lifetimes = false;        // IFA_CACHEINFO was present
  uint32_t valid_lifetime = kForever;      // seconds
  uint32_t preferred_lifetime = kForever;
};

struct Interface {
  int index = 0;
  std::string name;
  std::vector<std::string> altnames;   // IFLA_ALT_IFNAME, in the kernel's order
  uint32_t flags = 0;                  // IFF_*, including IFF_LOWER_UP and IFF_DORMANT
  uint32_t mtu = 0;
  std::string qdisc;                   // empty when not reported
  std::optional<uint32_t> group;
  std::optional<uint8_t> operstate;    // IF_OPER_*
  std::optional<bool> carrier;
  std::optional<uint32_t> txqueuelen;
  bool proto_down = false;
  uint16_t link_type = 0;              // ARPHRD_*
  std::vector<uint8_t> hardware_address;    // empty when the link has none
  std::vector<uint8_t> hardware_broadcast;
  std::vector<uint8_t> permanent_address;   // IFLA_PERM_ADDRESS, empty when absent

  // The device this one is stacked on or paired with (IFLA_LINK): a veth's peer, a VLAN's parent.
  std::optional<int> link_index;       // 0 means "none"
  std::optional<int32_t> link_netnsid; // set when link_index lives in another namespace
  std::string link_name;               // resolved in this namespace; empty when unknown
  bool link_is_down = false;           // the linked device exists here and is not IFF_UP
  std::optional<int> master_index;     // IFLA_MASTER: the bridge or bond this one belongs to
  std::string master_name;             // resolved; empty when unknown

  std::optional<rtnl_link_stats64> counters;  // IFLA_STATS64; absent when statistics were not asked for
  std::optional<uint32_t> carrier_changes;     // how often the carrier came and went
  std::vector<InterfaceAddress> addresses;  // in the kernel's dump order
};

}  // namespace sockscope::interfaces
