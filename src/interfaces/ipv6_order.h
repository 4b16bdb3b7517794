// The IPv6 address order of /proc/net/if_inet6, applied to collected interfaces, for the
// views that must list addresses the way net-tools ifconfig does.
#pragma once

#include <vector>

#include "interfaces/interface_record.h"
#include "procfs/if_inet6.h"

namespace sockscope::interfaces {

// Each interface keeps its IPv4 addresses first, in dump order; its IPv6 addresses follow in
// the file's order, and any the file does not list (added in between) come last.
void order_ipv6_as_listed(std::vector<Interface>& interfaces, const std::vector<procfs::Inet6Line>& listed);

}  // namespace sockscope::interfaces
