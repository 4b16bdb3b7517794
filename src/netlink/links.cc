#include "netlink/links.h"

#include <net/if.h>

#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>

#include <fmt/format.h>

namespace sockscope::netlink {
namespace {

// Each request here is a few hundred bytes; a fixed size keeps the buffer a plain array.
constexpr size_t kRequestSize = 4096;

Result<int> index_of(const std::string& name) {
  unsigned index = if_nametoindex(name.c_str());
  if (index == 0) return fail_errno(fmt::format("interface {}", name));
  return static_cast<int>(index);
}

}  // namespace

Result<void> create_veth(Channel& channel, const std::string& name, const std::string& peer_name,
                         std::optional<int> peer_netns_fd) {
  alignas(nlmsghdr) char buffer[kRequestSize] = {};
  nlmsghdr* request = mnl_nlmsg_put_header(buffer);
  request->nlmsg_type = RTM_NEWLINK;
  request->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
  mnl_nlmsg_put_extra_header(request, sizeof(ifinfomsg));
  mnl_attr_put_strz(request, IFLA_IFNAME, name.c_str());
  nlattr* link_info = mnl_attr_nest_start(request, IFLA_LINKINFO);
  mnl_attr_put_strz(request, IFLA_INFO_KIND, "veth");
  nlattr* data = mnl_attr_nest_start(request, IFLA_INFO_DATA);
  nlattr* peer = mnl_attr_nest_start(request, VETH_INFO_PEER);
  // The peer is described by its own ifinfomsg followed by its attributes.
  request->nlmsg_len += MNL_ALIGN(sizeof(ifinfomsg));
  mnl_attr_put_strz(request, IFLA_IFNAME, peer_name.c_str());
  if (peer_netns_fd) mnl_attr_put_u32(request, IFLA_NET_NS_FD, static_cast<uint32_t>(*peer_netns_fd));
  mnl_attr_nest_end(request, peer);
  mnl_attr_nest_end(request, data);
  mnl_attr_nest_end(request, link_info);
  Result<void> done = channel.request(*request);
  if (!done) return fail(done.error().code, fmt::format("create veth {}", name));
  return {};
}

Result<void> set_link_up(Channel& channel, const std::string& name) {
  Result<int> index = index_of(name);
  if (!index) return tl::unexpected(index.error());
  alignas(nlmsghdr) char buffer[kRequestSize] = {};
  nlmsghdr* request = mnl_nlmsg_put_header(buffer);
  request->nlmsg_type = RTM_NEWLINK;
  auto* info = static_cast<ifinfomsg*>(mnl_nlmsg_put_extra_header(request, sizeof(ifinfomsg)));
  info->ifi_index = *index;
  info->ifi_flags = IFF_UP;
  info->ifi_change = IFF_UP;
  Result<void> done = channel.request(*request);
  if (!done) return fail(done.error().code, fmt::format("set {} up", name));
  return {};
}

Result<void> add_address(Channel& channel, const std::string& interface, const IpAddress& address, uint8_t prefix) {
  Result<int> index = index_of(interface);
  if (!index) return tl::unexpected(index.error());
  alignas(nlmsghdr) char buffer[kRequestSize] = {};
  nlmsghdr* request = mnl_nlmsg_put_header(buffer);
  request->nlmsg_type = RTM_NEWADDR;
  request->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
  auto* info = static_cast<ifaddrmsg*>(mnl_nlmsg_put_extra_header(request, sizeof(ifaddrmsg)));
  info->ifa_family = static_cast<uint8_t>(address.family);
  info->ifa_prefixlen = prefix;
  info->ifa_index = static_cast<uint32_t>(*index);
  size_t size = address.family == AF_INET ? 4 : 16;
  mnl_attr_put(request, IFA_LOCAL, size, address.bytes.data());
  mnl_attr_put(request, IFA_ADDRESS, size, address.bytes.data());
  if (address.family == AF_INET && prefix < 31) {
    uint32_t host_bits = prefix == 0 ? 0xffffffffu : (1u << (32 - prefix)) - 1;
    in_addr broadcast = address.to_in();
    broadcast.s_addr |= htonl(host_bits);
    mnl_attr_put(request, IFA_BROADCAST, 4, &broadcast);
  } else if (address.family == AF_INET6) {
    // Usable at once: no duplicate address detection ("nodad").
    mnl_attr_put_u32(request, IFA_FLAGS, IFA_F_NODAD);
  }
  Result<void> done = channel.request(*request);
  if (!done) return fail(done.error().code, fmt::format("add {}/{} to {}", address.to_string(), prefix, interface));
  return {};
}

}  // namespace sockscope::netlink
