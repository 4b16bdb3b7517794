// Words for sockets and flags in reasons: "127.0.0.1:4444 LISTEN (nc pid 812, uid 0,
// SO_REUSEADDR+SO_REUSEPORT)". Pure: names come from the HostState.
#pragma once

#include <optional>
#include <string>

#include "explain/host_state.h"

namespace sockscope::explain {

std::string protocol_name(Protocol protocol);     // "tcp", "udp"
std::string state_word(const HostSocket& socket);  // "LISTEN", "bound", "ESTABLISHED", "TIME_WAIT", ...

// "nc (pid 812)", "nc (pid 812) and 2 more", or "no owner" / "owner not visible".
std::string owners_text(const HostSocket& socket);

// "SO_REUSEADDR+SO_REUSEPORT", "SO_REUSEADDR", "neither SO_REUSEADDR nor SO_REUSEPORT",
// or "SO_REUSEADDR unknown, SO_REUSEPORT set" when the owner could not be inspected.
std::string reuse_flags_text(std::optional<bool> reuseaddr, std::optional<bool> reuseport);

// The local endpoint, state and everything that matters for binding and delivery.
std::string describe_socket(const HostState& host, const HostSocket& socket);

// Just "127.0.0.1:4444 (nc pid 812)" for short mentions.
std::string short_socket(const HostState& host, const HostSocket& socket);

}  // namespace sockscope::explain
