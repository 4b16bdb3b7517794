// collect_interfaces: every interface and address from RTM_GETLINK + RTM_GETADDR dumps.
#pragma once

#include <vector>

#include "core/error.h"
#include "interfaces/interface_record.h"
#include "netlink/channel.h"

namespace sockscope::interfaces {

struct CollectOptions {
  bool counters = true;  // ask for IFLA_STATS64; without it the link dump is a third smaller
};

// Interfaces in the kernel's dump order (the order `ip addr` lists them in), each with its
// addresses in the kernel's order, and the names of the devices they point at (master, link)
// resolved within the same dump.
Result<std::vector<Interface>> collect_interfaces(netlink::Channel& channel, const CollectOptions& options = {});

}  // namespace sockscope::interfaces
