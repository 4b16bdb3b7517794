// collect_sockets: TCP, UDP and UDP-Lite sockets (IPv4 and IPv6) from NETLINK_SOCK_DIAG's inet_diag,
// UNIX sockets from unix_diag. The kernel filters by protocol, family, state and port, so
// on a host with 100k sockets only the matching ones cross into user space.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "core/error.h"
#include "core/port_list.h"
#include "netlink/channel.h"
#include "sockets/socket_record.h"

namespace sockscope::sockets {

// The kernel's pseudo-state (Linux 6.5+, include/net/tcp_states.h) that asks a TCP dump for
// the sockets that are bound but neither listen nor connect; they come with state CLOSE.
// Finding them walks every bound socket once more, after the listening and connected tables.
inline constexpr int kTcpBoundInactive = 13;

struct CollectRequest {
  bool tcp = true, udp = true, unix_domain = false;
  bool udplite = false;            // UDP-Lite too (lsof's views list them; other callers want none)
  bool ipv4 = true, ipv6 = true;
  uint32_t states = ~0u;           // bit (1 << TCP_*) per state wanted (UDP uses the same numbers)
  std::vector<PortRange> ports;    // either end's port in one of these; empty: any port
  bool by_family = false;          // TCP in one dump per family, IPv4 first (see collect_sockets)
};

// Called on the calling thread while the largest dump is still running, with the records it
// has so far: the first records of the result, at their final places. The caller may change
// them (not add or remove any), to work on them while the kernel is still walking its tables.
using RecordsSoFar = std::function<void(std::span<SocketRecord> so_far)>;

// Records without owners, in dump order: TCP (IPv4 and IPv6 in the kernel's table order; IPv4
// first, then IPv6, with by_family or on a recorded channel), UDP v4, UDP v6, UDP-Lite v4 and
// v6, UNIX.
Result<std::vector<SocketRecord>> collect_sockets(netlink::Channel& channel, const CollectRequest& request,
                                                  const RecordsSoFar& so_far = {});

// The same TCP, UDP and UDP-Lite records from /proc/net (root: normally "/proc"), for kernels without
// sock_diag. These tables know no bound device or v6only, and carry no UNIX socket details.
std::vector<SocketRecord> collect_sockets_from_proc(const CollectRequest& request, const std::string& root = "/proc");

}  // namespace sockscope::sockets
