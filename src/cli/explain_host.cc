#include "cli/explain_host.h"

#include <linux/capability.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <netinet/tcp.h>
#include <unistd.h>

#include <algorithm>

#include "interfaces/collect.h"
#include "netlink/channel.h"
#include "procfs/sysctl.h"
#include "sockets/owners.h"
#include "sys/capabilities.h"
#include "sys/pidfd.h"
#include "sys/socket.h"

namespace sockscope::cli {
namespace {

constexpr uint8_t kTcpNewSynRecv = 12;  // request sockets: not in any bind bucket

// The kernel's names, as ss prints them.
const char* tcp_state_name(uint8_t state) {
  static const char* const kNames[] = {"?", "ESTABLISHED", "SYN-SENT", "SYN-RECV", "FIN-WAIT-1", "FIN-WAIT-2", "TIME-WAIT",
                                       "UNCONN", "CLOSE-WAIT", "LAST-ACK", "LISTEN", "CLOSING", "NEW-SYN-RECV", "UNCONN"};
  return state < std::size(kNames) ? kNames[state] : "?";
}

bool sysctl_on(const std::string& name) { return procfs::read_sysctl(name).value_or(0) != 0; }

// sock_diag reports IPV6_V6ONLY only for listening and unconnected sockets
// (inet_diag_msg_attrs_fill); for the others, ask a copy of the owner's descriptor.
std::optional<bool> read_v6only(const sockets::SocketRecord& record) {
  for (const sockets::Owner& owner : record.owners) {
    Result<UniqueFd> pidfd = sys::open_pidfd(owner.pid);
    if (!pidfd) continue;
    Result<UniqueFd> copy = sys::copy_fd_from(pidfd->get(), owner.fd);
    if (!copy) continue;
    Result<int> value = sys::get_socket_option(copy->get(), IPPROTO_IPV6, IPV6_V6ONLY);
    if (value) return *value != 0;
  }
  return std::nullopt;
}

}  // namespace

std::optional<explain::HostSocket> to_host_socket(const sockets::SocketRecord& record) {
  if (record.protocol != sockets::Protocol::kTcp && record.protocol != sockets::Protocol::kUdp) return std::nullopt;
  if (record.family != AF_INET && record.family != AF_INET6) return std::nullopt;
  if (record.local.port == 0 || record.state == kTcpNewSynRecv) return std::nullopt;
  explain::HostSocket socket;
  bool tcp = record.protocol == sockets::Protocol::kTcp;
  socket.protocol = tcp ? explain::Protocol::kTcp : explain::Protocol::kUdp;
  socket.family = record.family;
  socket.local = record.local;
  socket.remote = record.remote;
  socket.device = record.bound_device;
  socket.v6only = record.v6only;
  bool v6only_reported = record.state == TCP_LISTEN || record.state == TCP_CLOSE;
  if (record.family == AF_INET6 && !v6only_reported) socket.v6only = read_v6only(record);
  socket.uid = record.uid;
  socket.reuseaddr = record.reuseaddr;
  socket.reuseport = record.reuseport;
  socket.inode = record.inode;
  for (const sockets::Owner& owner : record.owners) socket.owners.push_back({owner.pid, owner.command, owner.fd});
  if (tcp) {
    socket.state_name = tcp_state_name(record.state);
    switch (record.state) {
      case TCP_LISTEN: socket.state = explain::SocketState::kListen; break;
      case TCP_CLOSE: socket.state = explain::SocketState::kBound; socket.state_name = "bound"; break;
      case 13: socket.state = explain::SocketState::kBound; socket.state_name = "bound"; break;  // TCP_BOUND_INACTIVE
      case TCP_TIME_WAIT:
        socket.state = explain::SocketState::kTimeWait;
        // The kernel reports neither IPV6_V6ONLY nor the flags of a TIME_WAIT socket.
        if (socket.family == AF_INET6) socket.v6only.reset();
        socket.reuseaddr.reset();
        socket.reuseport.reset();
        break;
      default: socket.state = explain::SocketState::kConnected; break;
    }
  } else {
    bool connected = record.state == TCP_ESTABLISHED;
    socket.state = connected ? explain::SocketState::kConnected : explain::SocketState::kBound;
    socket.state_name = connected ? "connected" : "unconnected";
  }
  return socket;
}

std::vector<explain::HostSocket> to_host_sockets(const std::vector<sockets::SocketRecord>& records) {
  std::vector<explain::HostSocket> sockets;
  for (const sockets::SocketRecord& record : records) {
    if (std::optional<explain::HostSocket> socket = to_host_socket(record)) sockets.push_back(std::move(*socket));
  }
  std::vector<size_t> tail;
  for (size_t i = 0; i < sockets.size(); ++i) {
    const explain::HostSocket& socket = sockets[i];
    bool in_lookup_chain = socket.protocol == explain::Protocol::kUdp || socket.state == explain::SocketState::kListen;
    if (in_lookup_chain && socket.family == AF_INET6 && socket.reuseport.value_or(false)) {
      tail.push_back(i);
    }
  }
  for (size_t front = 0, back = tail.size(); front + 1 < back; ++front, --back) std::swap(sockets[tail[front]], sockets[tail[back - 1]]);
  return sockets;
}

void add_interfaces(const std::vector<interfaces::Interface>& interfaces, explain::HostState& host) {
  bool localnet_all = sysctl_on("net/ipv4/conf/all/route_localnet");
  for (const interfaces::Interface& interface : interfaces) {
    explain::HostInterface entry;
    entry.index = static_cast<uint32_t>(interface.index);
    entry.name = interface.name;
    entry.up = interface.flags & IFF_UP;
    entry.loopback = interface.flags & IFF_LOOPBACK;
    entry.noarp = interface.flags & IFF_NOARP;
    entry.route_localnet = localnet_all || sysctl_on("net/ipv4/conf/" + interface.name + "/route_localnet");
    host.interfaces.push_back(entry);
    for (const interfaces::InterfaceAddress& address : interface.addresses) {
      host.addresses.push_back({address.address, entry.index, address.prefix_length,
                                (address.flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED)) != 0 && !(address.flags & IFA_F_OPTIMISTIC)});
    }
  }
}

void add_local_routes(const std::vector<interfaces::LocalRoute>& routes, explain::HostState& host) {
  for (const interfaces::LocalRoute& route : routes) {
    explain::RouteType type = route.type == RTN_BROADCAST   ? explain::RouteType::kBroadcast
                              : route.type == RTN_MULTICAST ? explain::RouteType::kMulticast
                                                            : explain::RouteType::kLocal;
    host.local_routes.push_back({route.destination, route.prefix_length, type, static_cast<uint32_t>(route.device), route.preferred_source});
  }
}

Result<explain::HostState> collect_host_state(explain::Protocol protocol, uint16_t port) {
  explain::HostState host;
  Result<netlink::Channel> route = netlink::Channel::open(NETLINK_ROUTE);
  if (!route) return tl::unexpected(route.error());
  Result<std::vector<interfaces::Interface>> all = interfaces::collect_interfaces(*route);
  if (!all) return tl::unexpected(all.error());
  add_interfaces(*all, host);
  Result<std::vector<interfaces::LocalRoute>> routes = interfaces::collect_local_routes(*route);
  if (!routes) return tl::unexpected(routes.error());
  add_local_routes(*routes, host);

  if (port != 0) {
    Result<std::vector<sockets::SocketRecord>> records = sockets::collect_port_holders(
        protocol == explain::Protocol::kTcp ? sockets::Protocol::kTcp : sockets::Protocol::kUdp, port);
    if (!records) return tl::unexpected(records.error());
    sockets::read_reuse_flags(*records);
    host.sockets = to_host_sockets(*records);
  }

  host.sysctls.ipv4_nonlocal_bind = sysctl_on("net/ipv4/ip_nonlocal_bind");
  host.sysctls.ipv6_nonlocal_bind = sysctl_on("net/ipv6/ip_nonlocal_bind");
  host.sysctls.bindv6only = sysctl_on("net/ipv6/bindv6only");
  host.sysctls.unprivileged_port_start = static_cast<int>(procfs::read_sysctl("net/ipv4/ip_unprivileged_port_start").value_or(1024));
  host.caller_uid = geteuid();
  host.caller_can_bind_privileged = sys::has_effective_capability(CAP_NET_BIND_SERVICE).value_or(false);
  host.caller_can_set_transparent =
      sys::has_effective_capability(CAP_NET_ADMIN).value_or(false) || sys::has_effective_capability(CAP_NET_RAW).value_or(false);
  return host;
}

}  // namespace sockscope::cli
