// HostState: everything the explain model knows about one network namespace, as plain data:
// sockets (newest first), interfaces, addresses, the IPv4 local routes, sysctls and the
// caller's privileges. Filled from the live host by cli/ glue, or by hand in tests.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/endpoint.h"

namespace sockscope::explain {

enum class Protocol : uint8_t { kTcp, kUdp };

enum class SocketState : uint8_t {
  kListen,     // TCP, listen() called
  kBound,      // TCP bound but not listening; UDP not connected
  kConnected,  // TCP ESTABLISHED and the other live connection states; UDP connected
  kTimeWait,   // TCP TIME_WAIT: no owner; flags are those of the socket that closed
};

struct Owner {
  pid_t pid = 0;
  std::string command;
  int fd = -1;
};

struct HostSocket {
  Protocol protocol = Protocol::kTcp;
  int family = AF_INET;        // AF_INET or AF_INET6
  Endpoint local;              // link-local IPv6 carries its interface as scope_id
  Endpoint remote;             // unspecified and port 0 when not connected
  SocketState state = SocketState::kBound;
  std::string state_name;      // the kernel's name ("ESTABLISHED", "FIN-WAIT-2", ...), for display
  uint32_t device = 0;         // SO_BINDTODEVICE (or the scope of a link-local bind); 0 = none
  // IPV6_V6ONLY. Unknown for TIME_WAIT sockets, which the kernel reports without it.
  std::optional<bool> v6only = false;
  uid_t uid = 0;               // the socket's owner uid (sk_uid)
  // Unknown when no owner could be inspected (TIME_WAIT, other users' processes).
  std::optional<bool> reuseaddr;
  std::optional<bool> reuseport;
  std::vector<Owner> owners;
  uint64_t inode = 0;          // 0 for TIME_WAIT sockets; lets scripts tell sockets apart
};

struct HostInterface {
  uint32_t index = 0;
  std::string name;
  bool up = false;
  bool loopback = false;
  bool noarp = false;
  bool route_localnet = false;  // net.ipv4.conf.{all,IF}.route_localnet, either one set
};

struct HostAddress {
  IpAddress address;  // link-local IPv6 carries its interface as scope_id
  uint32_t interface = 0;
  uint8_t prefix_length = 0;
  bool tentative = false;  // IPv6 duplicate-address detection not finished (or failed)
};

enum class RouteType : uint8_t { kLocal, kBroadcast, kMulticast };

// One route of the IPv4 local table (`ip route show table local`).
struct LocalRoute {
  IpAddress prefix;
  uint8_t prefix_length = 32;
  RouteType type = RouteType::kLocal;
  uint32_t device = 0;
  std::optional<IpAddress> preferred_source;
};

struct Sysctls {
  bool ipv4_nonlocal_bind = false;   // net.ipv4.ip_nonlocal_bind
  bool ipv6_nonlocal_bind = false;   // net.ipv6.ip_nonlocal_bind
  int unprivileged_port_start = 1024;  // net.ipv4.ip_unprivileged_port_start (IPv6 too)
  bool bindv6only = false;           // net.ipv6.bindv6only: the default of IPV6_V6ONLY
};

struct HostState {
  std::vector<HostSocket> sockets;   // newest first: the order they entered the lookup tables
  std::vector<HostInterface> interfaces;
  std::vector<HostAddress> addresses;
  std::vector<LocalRoute> local_routes;
  Sysctls sysctls;
  uid_t caller_uid = 0;
  bool caller_can_bind_privileged = false;  // CAP_NET_BIND_SERVICE
  bool caller_can_set_transparent = false;  // CAP_NET_ADMIN or CAP_NET_RAW
};

}  // namespace sockscope::explain
