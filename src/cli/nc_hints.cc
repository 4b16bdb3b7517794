#include "cli/nc_hints.h"

#include <linux/if.h>

#include <netinet/tcp.h>

#include <cerrno>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/endpoint.h"
#include "interfaces/collect.h"
#include "sockets/owners.h"
#include "sockets/selection.h"

namespace sockscope::cli {

namespace {

// The sockets of this network namespace on port, with their owners; none when unreadable.
std::vector<sockets::SocketRecord> sockets_on_port(uint16_t port, bool udp) {
  Result<std::vector<sockets::SocketRecord>> records =
      sockets::collect_port_holders(udp ? sockets::Protocol::kUdp : sockets::Protocol::kTcp, port);
  return records ? std::move(*records) : std::vector<sockets::SocketRecord>();
}

std::string owner_text(const sockets::SocketRecord& record) {
  if (record.owners.empty()) return "no visible process";
  const sockets::Owner& owner = record.owners.front();
  return fmt::format("{} (pid {})", owner.command, owner.pid);
}

std::string where(const sockets::SocketRecord& record) {
  std::string state = record.protocol == sockets::Protocol::kTcp ? " " + sockets::tcp_state_name(record.state) : "";
  return fmt::format("{}{} by {}", record.local.to_string(), state, owner_text(record));
}

std::optional<std::string> address_in_use_hint(uint16_t port, bool udp) {
  std::vector<sockets::SocketRecord> holders = sockets_on_port(port, udp);
  if (holders.empty()) return std::nullopt;
  std::vector<std::string> held;
  for (const sockets::SocketRecord& record : holders) held.push_back(where(record));
  return fmt::format("hint: port {} is held: {}", port, fmt::join(held, "; "));
}

}  // namespace

std::optional<std::string> refused_hint(const Endpoint& target) {
  std::vector<std::string> others;
  for (const sockets::SocketRecord& record : sockets_on_port(target.port, false)) {
    if (record.state == TCP_LISTEN) others.push_back(where(record));
  }
  if (others.empty()) return std::nullopt;
  return fmt::format("hint: nothing listens on {}, but port {} has listeners on other addresses: {}",
                     target.address.to_string(), target.port, fmt::join(others, "; "));
}

std::optional<std::string> shared_listener_warning(const Endpoint& local, uint64_t own_inode) {
  std::vector<std::string> sharing;
  for (const sockets::SocketRecord& record : sockets_on_port(local.port, false)) {
    if (record.state == TCP_LISTEN && record.inode != own_inode && record.local == local) sharing.push_back(owner_text(record));
  }
  if (sharing.empty()) return std::nullopt;
  return fmt::format("warning: {} is also listened on by {}; the kernel will split connections between them (SO_REUSEPORT)",
                     local.to_string(), fmt::join(sharing, ", "));
}

std::optional<std::string> bind_failure_hint(const std::string& address, int error, uint16_t port, bool udp) {
  if (error == EADDRINUSE && port != 0) return address_in_use_hint(port, udp);
  if (error != EADDRNOTAVAIL || address.empty()) return std::nullopt;
  Result<netlink::Channel> channel = netlink::Channel::open(NETLINK_ROUTE);
  if (!channel) return std::nullopt;
  Result<std::vector<interfaces::Interface>> all = interfaces::collect_interfaces(*channel);
  if (!all) return std::nullopt;
  Result<IpAddress> wanted = parse_ip_address(address, ScopeRule::kOptional);
  int family = wanted ? wanted->family : AF_INET;
  std::string owned;
  for (const interfaces::Interface& interface : *all) {
    for (const interfaces::InterfaceAddress& entry : interface.addresses) {
      if (entry.address.family != family) continue;
      owned += fmt::format("{}{} {}{}", owned.empty() ? "" : ", ", interface.name, entry.address.to_string(),
                           interface.flags & IFF_UP ? "" : " (down)");
    }
  }
  if (owned.empty()) return fmt::format("hint: {} is not an address of this host, which has none of that family", address);
  return fmt::format("hint: {} is not an address of this host; its addresses: {}", address, owned);
}

}  // namespace sockscope::cli
