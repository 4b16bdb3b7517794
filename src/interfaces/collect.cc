#include "interfaces/collect.h"

#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include <algorithm>
#include <utility>
#include <cstring>
#include <unordered_map>

#include "netlink/attributes.h"

namespace sockscope::interfaces {
namespace {

using netlink::for_each_attribute;
using netlink::for_each_nested_attribute;

std::vector<uint8_t> bytes_of(const nlattr* attribute) {
  const uint8_t* payload = static_cast<const uint8_t*>(mnl_attr_get_payload(attribute));
  return {payload, payload + mnl_attr_get_payload_len(attribute)};
}

// Attributes shorter than their type are ignored rather than read past their end.
bool at_least(const nlattr* attribute, size_t size) { return mnl_attr_get_payload_len(attribute) >= size; }

std::string string_of(const nlattr* attribute) {
  const char* text = static_cast<const char*>(mnl_attr_get_payload(attribute));
  return std::string(text, strnlen(text, mnl_attr_get_payload_len(attribute)));
}

Interface parse_link(const nlmsghdr& message) {
  const ifinfomsg* info = static_cast<const ifinfomsg*>(mnl_nlmsg_get_payload(&message));
  Interface interface;
  interface.index = info->ifi_index;
  interface.flags = info->ifi_flags;
  interface.link_type = info->ifi_type;
  for_each_attribute(message, sizeof(ifinfomsg), [&](const nlattr* attribute) {
    switch (mnl_attr_get_type(attribute)) {
      case IFLA_IFNAME: interface.name = string_of(attribute); break;
      case IFLA_QDISC: interface.qdisc = string_of(attribute); break;
      case IFLA_ADDRESS: interface.hardware_address = bytes_of(attribute); break;
      case IFLA_BROADCAST: interface.hardware_broadcast = bytes_of(attribute); break;
      case IFLA_PERM_ADDRESS: interface.permanent_address = bytes_of(attribute); break;
      case IFLA_MTU:
        if (at_least(attribute, 4)) interface.mtu = mnl_attr_get_u32(attribute);
        break;
      case IFLA_GROUP:
        if (at_least(attribute, 4)) interface.group = mnl_attr_get_u32(attribute);
        break;
      case IFLA_TXQLEN:
        if (at_least(attribute, 4)) interface.txqueuelen = mnl_attr_get_u32(attribute);
        break;
      case IFLA_OPERSTATE:
        if (at_least(attribute, 1)) interface.operstate = mnl_attr_get_u8(attribute);
        break;
      case IFLA_CARRIER:
        if (at_least(attribute, 1)) interface.carrier = mnl_attr_get_u8(attribute) != 0;
        break;
      case IFLA_PROTO_DOWN:
        if (at_least(attribute, 1)) interface.proto_down = mnl_attr_get_u8(attribute) != 0;
        break;
      case IFLA_LINK:
        if (at_least(attribute, 4)) interface.link_index = static_cast<int>(mnl_attr_get_u32(attribute));
        break;
      case IFLA_LINK_NETNSID:
        if (at_least(attribute, 4)) interface.link_netnsid = static_cast<int32_t>(mnl_attr_get_u32(attribute));
        break;
      case IFLA_MASTER:
        if (at_least(attribute, 4)) interface.master_index = static_cast<int>(mnl_attr_get_u32(attribute));
        break;
      case IFLA_PROP_LIST:
        for_each_nested_attribute(attribute, [&](const nlattr* property) {
          if (mnl_attr_get_type(property) == IFLA_ALT_IFNAME) interface.altnames.push_back(string_of(property));
        });
        break;
      case IFLA_STATS64: {
        // Older kernels send a shorter struct; the fields they lack stay zero.
        rtnl_link_stats64& counters = interface.counters.emplace();
        std::memcpy(&counters, mnl_attr_get_payload(attribute),
                    std::min<size_t>(mnl_attr_get_payload_len(attribute), sizeof counters));
        break;
      }
      case IFLA_CARRIER_CHANGES:
        if (at_least(attribute, 4)) interface.carrier_changes = mnl_attr_get_u32(attribute);
        break;
      default: break;
    }
  });
  return interface;
}

IpAddress address_of(int family, const nlattr* attribute) {
  IpAddress address = IpAddress::any(family);
  std::memcpy(address.bytes.data(), mnl_attr_get_payload(attribute), family == AF_INET ? 4 : 16);
  return address;
}

std::pair<int, InterfaceAddress> parse_address(const nlmsghdr& message) {
  const ifaddrmsg* info = static_cast<const ifaddrmsg*>(mnl_nlmsg_get_payload(&message));
  InterfaceAddress address;
  address.prefix_length = info->ifa_prefixlen;
  address.scope = info->ifa_scope;
  address.flags = info->ifa_flags;
  int family = info->ifa_family;
  size_t size = family == AF_INET ? 4 : 16;
  std::optional<IpAddress> local, destination;
  for_each_attribute(message, sizeof(ifaddrmsg), [&](const nlattr* attribute) {
    switch (mnl_attr_get_type(attribute)) {
      case IFA_LOCAL:
        if (at_least(attribute, size)) local = address_of(family, attribute);
        break;
      case IFA_ADDRESS:
        if (at_least(attribute, size)) destination = address_of(family, attribute);
        break;
      case IFA_BROADCAST:
        if (at_least(attribute, size)) address.broadcast = address_of(family, attribute);
        break;
      case IFA_ANYCAST:
        if (at_least(attribute, size)) address.anycast = address_of(family, attribute);
        break;
      case IFA_LABEL: address.label = string_of(attribute); break;
      case IFA_FLAGS:
        if (at_least(attribute, 4)) address.flags = mnl_attr_get_u32(attribute);
        break;
      case IFA_RT_PRIORITY:
        if (at_least(attribute, 4)) address.metric = mnl_attr_get_u32(attribute);
        break;
      case IFA_CACHEINFO:
        if (at_least(attribute, sizeof(ifa_cacheinfo))) {
          ifa_cacheinfo cache;
          std::memcpy(&cache, mnl_attr_get_payload(attribute), sizeof cache);
          address.has_lifetimes = true;
          address.valid_lifetime = cache.ifa_valid;
          address.preferred_lifetime = cache.ifa_prefered;
        }
        break;
      default: break;
    }
  });
  // IFA_LOCAL is the interface's own address; IFA_ADDRESS differs from it only on the
  // point-to-point links where it names the peer. Either may come alone.
  if (!local) local = destination;
  if (local) address.address = *local;
  address.address.family = family;
  if (destination && local && destination->bytes != local->bytes) address.peer = destination;
  if (family == AF_INET6 && address.address.needs_scope()) address.address.scope_id = info->ifa_index;
  return {static_cast<int>(info->ifa_index), address};
}

// Names and states of the devices that others point at, found in the same dump.
void resolve_links(std::vector<Interface>& interfaces) {
  std::unordered_map<int, const Interface*> by_index;
  for (const Interface& interface : interfaces) by_index[interface.index] = &interface;
  for (Interface& interface : interfaces) {
    if (interface.master_index) {
      auto found = by_index.find(*interface.master_index);
      if (found != by_index.end()) interface.master_name = found->second->name;
    }
    if (interface.link_index && *interface.link_index != 0 && !interface.link_netnsid) {
      auto found = by_index.find(*interface.link_index);
      if (found != by_index.end()) interface.link_name = found->second->name;
      // `ip` marks a device whose lower device is down (or unknown) with M-DOWN.
      interface.link_is_down = found == by_index.end() || !(found->second->flags & IFF_UP);
    }
  }
}

}  // namespace

Result<std::vector<Interface>> collect_interfaces(netlink::Channel& channel, const CollectOptions& options) {
  // Room for one dump request: a header, an ifinfomsg and one attribute.
  alignas(nlmsghdr) char buffer[256] = {};
  std::vector<Interface> interfaces;

  nlmsghdr* links = mnl_nlmsg_put_header(buffer);
  links->nlmsg_type = RTM_GETLINK;
  static_cast<ifinfomsg*>(mnl_nlmsg_put_extra_header(links, sizeof(ifinfomsg)))->ifi_family = AF_UNSPEC;
  // Without counters the kernel sends a third less per link.
  if (!options.counters) mnl_attr_put_u32(links, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
  Result<void> done = channel.dump(*links, [&](const nlmsghdr& message) -> Result<void> {
    if (message.nlmsg_type == RTM_NEWLINK && message.nlmsg_len >= NLMSG_LENGTH(sizeof(ifinfomsg))) {
      interfaces.push_back(parse_link(message));
    }
    return {};
  });
  if (!done) return tl::unexpected(done.error());

  std::unordered_map<int, size_t> by_index;
  for (size_t i = 0; i < interfaces.size(); ++i) by_index[interfaces[i].index] = i;

  nlmsghdr* addresses = mnl_nlmsg_put_header(buffer);
  addresses->nlmsg_type = RTM_GETADDR;
  static_cast<ifaddrmsg*>(mnl_nlmsg_put_extra_header(addresses, sizeof(ifaddrmsg)))->ifa_family = AF_UNSPEC;
  done = channel.dump(*addresses, [&](const nlmsghdr& message) -> Result<void> {
    if (message.nlmsg_type != RTM_NEWADDR || message.nlmsg_len < NLMSG_LENGTH(sizeof(ifaddrmsg))) return {};
    const ifaddrmsg* info = static_cast<const ifaddrmsg*>(mnl_nlmsg_get_payload(&message));
    if (info->ifa_family != AF_INET && info->ifa_family != AF_INET6) return {};
    auto [index, address] = parse_address(message);
    auto found = by_index.find(index);
    if (found != by_index.end()) interfaces[found->second].addresses.push_back(address);
    return {};
  });
  if (!done) return tl::unexpected(done.error());

  resolve_links(interfaces);
  return interfaces;
}

}  // namespace sockscope::interfaces
