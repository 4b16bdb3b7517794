// The order in which the kernel keeps the sockets of one port in its hash chains: newest
// first, except IPv6 SO_REUSEPORT sockets, which sk_add_node_rcu() (UDP) and __inet_hash()
// (TCP listeners) append at the tail, so those come last, oldest first.
#pragma once

#include <functional>
#include <vector>

#include "explain/host_state.h"

namespace sockscope::explain {

// Indexes into host.sockets (newest first) of the sockets `include` picks, in chain order;
// `reuseport` says whether a socket counts as having SO_REUSEPORT.
std::vector<size_t> chain_order(const HostState& host, const std::function<bool(size_t)>& include,
                                const std::function<bool(size_t)>& reuseport);

}  // namespace sockscope::explain
