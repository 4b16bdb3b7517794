#include "interfaces/local_routes.h"

#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>

#include <cstring>

#include "netlink/attributes.h"

namespace sockscope::interfaces {
namespace {

IpAddress ipv4_of(const nlattr* attribute) {
  IpAddress address = IpAddress::any(AF_INET);
  std::memcpy(address.bytes.data(), mnl_attr_get_payload(attribute), 4);
  return address;
}

}  // namespace

std::optional<LocalRoute> parse_local_route(const nlmsghdr& message) {
  if (message.nlmsg_type != RTM_NEWROUTE || message.nlmsg_len < NLMSG_LENGTH(sizeof(rtmsg))) return std::nullopt;
  const rtmsg* info = static_cast<const rtmsg*>(mnl_nlmsg_get_payload(&message));
  if (info->rtm_family != AF_INET) return std::nullopt;
  if (info->rtm_type != RTN_LOCAL && info->rtm_type != RTN_BROADCAST && info->rtm_type != RTN_MULTICAST) return std::nullopt;
  if (info->rtm_dst_len > 32) return std::nullopt;
  uint32_t table = info->rtm_table;
  LocalRoute route;
  route.destination = IpAddress::any(AF_INET);
  route.prefix_length = info->rtm_dst_len;
  route.type = info->rtm_type;
  netlink::for_each_attribute(message, sizeof(rtmsg), [&](const nlattr* attribute) {
    if (mnl_attr_get_payload_len(attribute) < 4) return;
    switch (mnl_attr_get_type(attribute)) {
      case RTA_DST: route.destination = ipv4_of(attribute); break;
      case RTA_PREFSRC: route.preferred_source = ipv4_of(attribute); break;
      case RTA_OIF: route.device = static_cast<int>(mnl_attr_get_u32(attribute)); break;
      case RTA_TABLE: table = mnl_attr_get_u32(attribute); break;  // the full id; rtm_table is 8 bits
      default: break;
    }
  });
  if (table != RT_TABLE_LOCAL) return std::nullopt;
  return route;
}

Result<std::vector<LocalRoute>> collect_local_routes(netlink::Channel& channel) {
  alignas(nlmsghdr) char buffer[MNL_SOCKET_BUFFER_SIZE];
  nlmsghdr* request = mnl_nlmsg_put_header(buffer);
  request->nlmsg_type = RTM_GETROUTE;
  rtmsg* info = static_cast<rtmsg*>(mnl_nlmsg_put_extra_header(request, sizeof(rtmsg)));
  info->rtm_family = AF_INET;
  info->rtm_table = RT_TABLE_LOCAL;  // a hint only: without strict checking the kernel sends every table
  std::vector<LocalRoute> routes;
  Result<void> done = channel.dump(*request, [&](const nlmsghdr& message) -> Result<void> {
    if (std::optional<LocalRoute> route = parse_local_route(message)) routes.push_back(*route);
    return {};
  });
  if (!done) return tl::unexpected(done.error());
  return routes;
}

}  // namespace sockscope::interfaces
