#include "cli/nc_hints.h"

#include <linux/if.h>

#include <cerrno>

#include <fmt/format.h>

#include "core/endpoint.h"
#include "interfaces/collect.h"

namespace sockscope::cli {

std::optional<std::string> bind_failure_hint(const std::string& address, int error) {
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
