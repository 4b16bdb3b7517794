// The live host as the explain model sees it: sockets on one port (sock_diag, owners from
// /proc, reuse flags through pidfd_getfd), interfaces and addresses, the IPv4 local table,
// sysctls and our own capabilities. The one place that turns records into a HostState.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "core/error.h"
#include "explain/host_state.h"
#include "interfaces/interface_record.h"
#include "interfaces/local_routes.h"
#include "sockets/socket_record.h"

namespace sockscope::cli {

// One SocketRecord in the model's terms; nothing for states that hold no port (a request
// socket mid-handshake) and for protocols explain does not cover.
std::optional<explain::HostSocket> to_host_socket(const sockets::SocketRecord& record);

// Records in sock_diag's dump order become the model's newest-first order. The kernel dumps
// TCP listeners and UDP sockets in hash-chain order, where IPv6 SO_REUSEPORT sockets sit at
// the tail oldest first; they are turned around so the model can put them back.
std::vector<explain::HostSocket> to_host_sockets(const std::vector<sockets::SocketRecord>& records);

void add_interfaces(const std::vector<interfaces::Interface>& interfaces, explain::HostState& host);
void add_local_routes(const std::vector<interfaces::LocalRoute>& routes, explain::HostState& host);

// Everything above, read from this process's network namespace, for sockets of protocol
// on port (every port when port is 0 is not needed: a port 0 bind conflicts with nothing).
Result<explain::HostState> collect_host_state(explain::Protocol protocol, uint16_t port);

}  // namespace sockscope::cli
