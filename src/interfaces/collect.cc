#include "interfaces/collect.h"

#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <arpa/inet.h>

#include <algorithm>
#include <cstring>
#include <map>

#include <fmt/format.h>

namespace sockscope::interfaces {
namespace {

std::string format_hardware(const nlattr* attribute) {
  const uint8_t* bytes = static_cast<const uint8_t*>(mnl_attr_get_payload(attribute));
  std::string text;
  for (uint16_t i = 0; i < mnl_attr_get_payload_len(attribute); ++i) {
    text += fmt::format("{}{:02x}", i == 0 ? "" : ":", bytes[i]);
  }
  return text;
}

// Walks the attributes that follow a fixed-size header in a message.
template <class Visit>
void for_each_attribute(const nlmsghdr& message, size_t header_size, Visit visit) {
  const char* tail = static_cast<const char*>(mnl_nlmsg_get_payload_tail(&message));
  for (const nlattr* attribute = static_cast<const nlattr*>(mnl_nlmsg_get_payload_offset(&message, header_size));
       mnl_attr_ok(attribute, static_cast<int>(tail - reinterpret_cast<const char*>(attribute)));
       attribute = mnl_attr_next(attribute)) {
    visit(attribute);
  }
}

Interface parse_link(const nlmsghdr& message) {
  const ifinfomsg* info = static_cast<const ifinfomsg*>(mnl_nlmsg_get_payload(&message));
  Interface interface;
  interface.index = info->ifi_index;
  interface.flags = info->ifi_flags;
  interface.link_type = info->ifi_type;
  for_each_attribute(message, sizeof(ifinfomsg), [&](const nlattr* attribute) {
    switch (mnl_attr_get_type(attribute)) {
      case IFLA_IFNAME: interface.name = mnl_attr_get_str(attribute); break;
      case IFLA_MTU: interface.mtu = mnl_attr_get_u32(attribute); break;
      case IFLA_OPERSTATE: interface.operstate = mnl_attr_get_u8(attribute); break;
      case IFLA_CARRIER: interface.carrier = mnl_attr_get_u8(attribute) != 0; break;
      case IFLA_TXQLEN: interface.txqueuelen = mnl_attr_get_u32(attribute); break;
      case IFLA_ADDRESS: interface.hardware_address = format_hardware(attribute); break;
      case IFLA_BROADCAST: interface.hardware_broadcast = format_hardware(attribute); break;
      case IFLA_STATS64:
        if (mnl_attr_get_payload_len(attribute) >= sizeof(rtnl_link_stats64)) {
          rtnl_link_stats64 stats;
          std::memcpy(&stats, mnl_attr_get_payload(attribute), sizeof stats);
          Counters& c = interface.counters;
          c = {stats.rx_packets, stats.rx_bytes, stats.rx_errors, stats.rx_dropped,
               stats.tx_packets, stats.tx_bytes, stats.tx_errors, stats.tx_dropped};
          c.rx_missed = stats.rx_missed_errors;
          c.rx_fifo = stats.rx_fifo_errors;
          c.rx_frame = stats.rx_length_errors + stats.rx_over_errors + stats.rx_crc_errors + stats.rx_frame_errors;
          c.tx_fifo = stats.tx_fifo_errors;
          c.tx_carrier = stats.tx_carrier_errors + stats.tx_aborted_errors + stats.tx_window_errors +
                         stats.tx_heartbeat_errors;
          c.collisions = stats.collisions;
        }
        break;
      default: break;
    }
  });
  return interface;
}

std::pair<int, InterfaceAddress> parse_address(const nlmsghdr& message) {
  const ifaddrmsg* info = static_cast<const ifaddrmsg*>(mnl_nlmsg_get_payload(&message));
  InterfaceAddress address;
  address.prefix_length = info->ifa_prefixlen;
  address.scope = info->ifa_scope;
  address.flags = info->ifa_flags;
  address.address.family = info->ifa_family;
  bool have_local = false;
  for_each_attribute(message, sizeof(ifaddrmsg), [&](const nlattr* attribute) {
    uint16_t type = mnl_attr_get_type(attribute);
    size_t size = info->ifa_family == AF_INET ? 4 : 16;
    // IFA_LOCAL is the interface's own address; IFA_ADDRESS is the peer on point-to-point links.
    if ((type == IFA_LOCAL || (type == IFA_ADDRESS && !have_local)) && mnl_attr_get_payload_len(attribute) >= size) {
      std::memcpy(address.address.bytes.data(), mnl_attr_get_payload(attribute), size);
      if (type == IFA_LOCAL) have_local = true;
    } else if (type == IFA_BROADCAST && mnl_attr_get_payload_len(attribute) >= 4) {
      char text[INET_ADDRSTRLEN] = {};
      inet_ntop(AF_INET, mnl_attr_get_payload(attribute), text, sizeof text);
      address.broadcast = text;
    } else if (type == IFA_LABEL) {
      address.label = mnl_attr_get_str(attribute);
    } else if (type == IFA_FLAGS) {
      address.flags = mnl_attr_get_u32(attribute);
    } else if (type == IFA_CACHEINFO && mnl_attr_get_payload_len(attribute) >= sizeof(ifa_cacheinfo)) {
      ifa_cacheinfo cache;
      std::memcpy(&cache, mnl_attr_get_payload(attribute), sizeof cache);
      address.valid_lifetime = cache.ifa_valid;
      address.preferred_lifetime = cache.ifa_prefered;
    }
  });
  if (address.address.family == AF_INET6 && address.address.needs_scope()) {
    address.address.scope_id = info->ifa_index;
  }
  return {static_cast<int>(info->ifa_index), address};
}

}  // namespace

Result<std::vector<Interface>> collect_interfaces(netlink::Channel& channel) {
  alignas(nlmsghdr) char buffer[MNL_SOCKET_BUFFER_SIZE];
  std::vector<Interface> interfaces;

  nlmsghdr* links = mnl_nlmsg_put_header(buffer);
  links->nlmsg_type = RTM_GETLINK;
  static_cast<ifinfomsg*>(mnl_nlmsg_put_extra_header(links, sizeof(ifinfomsg)))->ifi_family = AF_UNSPEC;
  Result<void> done = channel.dump(*links, [&](const nlmsghdr& message) -> Result<void> {
    if (message.nlmsg_type == RTM_NEWLINK) interfaces.push_back(parse_link(message));
    return {};
  });
  if (!done) return tl::unexpected(done.error());

  std::map<int, size_t> by_index;
  for (size_t i = 0; i < interfaces.size(); ++i) by_index[interfaces[i].index] = i;

  nlmsghdr* addresses = mnl_nlmsg_put_header(buffer);
  addresses->nlmsg_type = RTM_GETADDR;
  static_cast<ifaddrmsg*>(mnl_nlmsg_put_extra_header(addresses, sizeof(ifaddrmsg)))->ifa_family = AF_UNSPEC;
  done = channel.dump(*addresses, [&](const nlmsghdr& message) -> Result<void> {
    if (message.nlmsg_type != RTM_NEWADDR) return {};
    auto [index, address] = parse_address(message);
    auto found = by_index.find(index);
    if (found != by_index.end()) interfaces[found->second].addresses.push_back(address);
    return {};
  });
  if (!done) return tl::unexpected(done.error());

  std::sort(interfaces.begin(), interfaces.end(), [](const Interface& a, const Interface& b) { return a.index < b.index; });
  return interfaces;
}

}  // namespace sockscope::interfaces
