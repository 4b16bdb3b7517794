// collect_local_routes: the IPv4 local routing table (`ip route show table local`) over
// rtnetlink. It is what the kernel consults to decide whether an address is this host's.
#pragma once

#include <linux/netlink.h>

#include <cstdint>
#include <optional>
#include <vector>

#include "core/endpoint.h"
#include "core/error.h"
#include "netlink/channel.h"

namespace sockscope::interfaces {

struct LocalRoute {
  IpAddress destination;                     // the prefix; 0.0.0.0 with length 0 for a default
  uint8_t prefix_length = 0;
  uint8_t type = 0;                          // RTN_LOCAL, RTN_BROADCAST, RTN_MULTICAST
  int device = 0;                            // RTA_OIF
  std::optional<IpAddress> preferred_source; // RTA_PREFSRC
};

// One RTM_NEWROUTE message: the route when it is an IPv4 local-table route of type local,
// broadcast or multicast; nothing for every other route.
std::optional<LocalRoute> parse_local_route(const nlmsghdr& message);

// Every such route, in the kernel's order.
Result<std::vector<LocalRoute>> collect_local_routes(netlink::Channel& channel);

}  // namespace sockscope::interfaces
