// check_bind: would bind() (and listen()) of a new socket succeed on this host, and if not,
// which errno would the kernel return, in the kernel's own order of checks, and why.
#pragma once

#include <optional>

#include "core/endpoint.h"
#include "explain/host_state.h"
#include "explain/verdict.h"

namespace sockscope::explain {

struct BindRequest {
  Protocol protocol = Protocol::kTcp;
  // An IPv6 address (including [::ffff:a.b.c.d]) means an AF_INET6 socket. The scope of a
  // link-local address binds the socket to that interface, as sin6_scope_id does.
  Endpoint endpoint;
  bool reuseaddr = false;
  bool reuseport = false;
  std::optional<bool> v6only;  // IPv6 only; unset: net.ipv6.bindv6only decides
  bool freebind = false;
  bool transparent = false;
  uint32_t device = 0;         // SO_BINDTODEVICE interface index, 0 for none
  // The new socket's owner. Unset: the caller, with the caller's capabilities. Another uid
  // is assumed to have no capabilities unless it is 0.
  std::optional<uid_t> uid;
  bool listen = false;         // TCP: listen() right after the bind
};

Verdict check_bind(const HostState& host, const BindRequest& request);

}  // namespace sockscope::explain
