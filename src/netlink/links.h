// Changing links and addresses over rtnetlink: what `ip link add/set` and `ip addr add` do.
// The tour builds the seed's interfaces with these inside its own network namespace.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/endpoint.h"
#include "core/error.h"
#include "netlink/channel.h"

namespace sockscope::netlink {

// A veth pair; the peer goes to the network namespace open as peer_netns_fd (or stays here).
Result<void> create_veth(Channel& channel, const std::string& name, const std::string& peer_name,
                         std::optional<int> peer_netns_fd = std::nullopt);
Result<void> set_link_up(Channel& channel, const std::string& name);
// The address with its prefix; IPv4 gets the subnet's broadcast address, as `broadcast +` does.
Result<void> add_address(Channel& channel, const std::string& interface, const IpAddress& address, uint8_t prefix);

}  // namespace sockscope::netlink
