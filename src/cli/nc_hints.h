// One-line hints nc adds under -v to say what netcat cannot: which interfaces own which
// addresses (EADDRNOTAVAIL), which process holds a port (EADDRINUSE), which listeners a
// refused connection missed (ECONNREFUSED), and a warning when a new listener silently
// shares its exact address with another one through SO_REUSEPORT.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/endpoint.h"

namespace sockscope::cli {

// For a bind of address (and port, when known) that failed with error: a hint line without
// the program prefix, or nothing when there is nothing useful to add.
std::optional<std::string> bind_failure_hint(const std::string& address, int error, uint16_t port = 0, bool udp = false);

// For a connection to target refused by this host: the listeners on that port, bound elsewhere.
std::optional<std::string> refused_hint(const Endpoint& target);

// For a listener just opened on local (own_inode is its socket's inode): a warning when other
// listeners hold the identical address and port, since the kernel then splits connections.
std::optional<std::string> shared_listener_warning(const Endpoint& local, uint64_t own_inode);

}  // namespace sockscope::cli
