// Interface: one network interface and its addresses, as rtnetlink reports them. Plain data.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/endpoint.h"

namespace sockscope::interfaces {

struct InterfaceAddress {
  IpAddress address;          // IPv6 link-local addresses carry the interface as scope_id
  uint8_t prefix_length = 0;
  std::string broadcast;      // IPv4 only, empty when none
  std::string label;          // IPv4 only
  uint8_t scope = 0;          // RT_SCOPE_*: universe (0), link (253), host (254)
  uint32_t flags = 0;         // IFA_F_*
  uint32_t valid_lifetime = 0xffffffff;      // seconds; 0xffffffff = forever
  uint32_t preferred_lifetime = 0xffffffff;
};

struct Counters {
  uint64_t rx_packets = 0, rx_bytes = 0, rx_errors = 0, rx_dropped = 0;
  uint64_t tx_packets = 0, tx_bytes = 0, tx_errors = 0, tx_dropped = 0;
  // The detail net-tools ifconfig prints, summed as /proc/net/dev sums them.
  uint64_t rx_missed = 0, rx_fifo = 0, rx_frame = 0;  // frame: length + over + crc + frame errors
  uint64_t tx_fifo = 0, tx_carrier = 0, collisions = 0;  // carrier: carrier + aborted + window + heartbeat
};

struct Interface {
  int index = 0;
  std::string name;
  uint32_t flags = 0;         // IFF_*
  uint32_t mtu = 0;
  uint8_t operstate = 0;      // IF_OPER_*
  bool carrier = false;
  uint16_t link_type = 0;     // ARPHRD_*
  std::string hardware_address;   // "aa:bb:..", empty when the link has none
  std::string hardware_broadcast;
  uint32_t txqueuelen = 0;
  Counters counters;
  std::vector<InterfaceAddress> addresses;  // in the kernel's order
};

}  // namespace sockscope::interfaces
