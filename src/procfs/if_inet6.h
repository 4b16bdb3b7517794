// /proc/net/if_inet6: the kernel's IPv6 address table in its own hash order, which is the
// order net-tools ifconfig prints IPv6 addresses in (rtnetlink lists them differently, and
// the hash is salted per namespace, so only this file can tell).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/endpoint.h"

namespace sockscope::procfs {

struct Inet6Line {
  IpAddress address;          // without scope_id
  int index = 0;              // interface index
  uint8_t prefix_length = 0;
  uint8_t scope = 0;          // IPV6_ADDR_* scope bits: 0x10 host, 0x20 link, 0x40 site, 0x80 compat
  uint8_t flags = 0;          // low byte of IFA_F_*
  std::string interface;
};

// Lines that do not parse are skipped: the file is the kernel's, not the user's.
std::vector<Inet6Line> parse_if_inet6(std::string_view text);

// The same, read from root + "/net/if_inet6"; empty when unreadable (no IPv6).
std::vector<Inet6Line> read_if_inet6(const std::string& root = "/proc");

}  // namespace sockscope::procfs
