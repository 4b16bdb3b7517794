// collect_interfaces: every interface and address from RTM_GETLINK + RTM_GETADDR dumps.
#pragma once

#include <vector>

#include "core/error.h"
#include "interfaces/interface_record.h"
#include "netlink/channel.h"

namespace sockscope::interfaces {

// Interfaces in index order, each with its addresses in the kernel's order.
Result<std::vector<Interface>> collect_interfaces(netlink::Channel& channel);

}  // namespace sockscope::interfaces
