#include "interfaces/local_routes.h"

#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>

#include <gtest/gtest.h>

namespace sockscope::interfaces {
namespace {

// Builds an RTM_NEWROUTE message the way the kernel lays one out.
struct RouteMessage {
  alignas(nlmsghdr) char buffer[512] = {};
  nlmsghdr* header = nullptr;

  RouteMessage(uint8_t family, uint8_t type, uint32_t table, const char* destination, uint8_t length, uint32_t device,
               const char* source) {
    header = mnl_nlmsg_put_header(buffer);
    header->nlmsg_type = RTM_NEWROUTE;
    rtmsg* info = static_cast<rtmsg*>(mnl_nlmsg_put_extra_header(header, sizeof(rtmsg)));
    info->rtm_family = family;
    info->rtm_type = type;
    info->rtm_dst_len = length;
    info->rtm_table = static_cast<uint8_t>(table < 256 ? table : uint32_t{RT_TABLE_COMPAT});
    mnl_attr_put_u32(header, RTA_TABLE, table);
    put_address(RTA_DST, destination);
    mnl_attr_put_u32(header, RTA_OIF, device);
    if (source) put_address(RTA_PREFSRC, source);
  }

  void put_address(uint16_t type, const char* text) {
    IpAddress address = *parse_ip_address(text);
    mnl_attr_put(header, type, 4, address.bytes.data());
  }
};

TEST(LocalRoutes, ParsesLocalBroadcastAndMulticastRoutesOfTheLocalTable) {
  RouteMessage loopback(AF_INET, RTN_LOCAL, RT_TABLE_LOCAL, "127.0.0.0", 8, 1, "127.0.0.1");
  std::optional<LocalRoute> route = parse_local_route(*loopback.header);
  ASSERT_TRUE(route);
  EXPECT_EQ(route->destination.to_string(), "127.0.0.0");
  EXPECT_EQ(route->prefix_length, 8);
  EXPECT_EQ(route->type, RTN_LOCAL);
  EXPECT_EQ(route->device, 1);
  ASSERT_TRUE(route->preferred_source);
  EXPECT_EQ(route->preferred_source->to_string(), "127.0.0.1");

  RouteMessage broadcast(AF_INET, RTN_BROADCAST, RT_TABLE_LOCAL, "192.168.1.255", 32, 2, "192.168.1.89");
  ASSERT_TRUE(parse_local_route(*broadcast.header));
  EXPECT_EQ(parse_local_route(*broadcast.header)->type, RTN_BROADCAST);
}

TEST(LocalRoutes, IgnoresOtherTablesTypesAndFamilies) {
  RouteMessage main_table(AF_INET, RTN_UNICAST, RT_TABLE_MAIN, "192.168.1.0", 24, 2, nullptr);
  EXPECT_FALSE(parse_local_route(*main_table.header));
  RouteMessage local_type_in_main(AF_INET, RTN_LOCAL, RT_TABLE_MAIN, "10.5.0.0", 16, 1, nullptr);
  EXPECT_FALSE(parse_local_route(*local_type_in_main.header));
  RouteMessage unicast_in_local(AF_INET, RTN_UNICAST, RT_TABLE_LOCAL, "10.5.0.0", 16, 1, nullptr);
  EXPECT_FALSE(parse_local_route(*unicast_in_local.header));
  RouteMessage big_table(AF_INET, RTN_LOCAL, 1000, "10.5.0.1", 32, 1, nullptr);
  EXPECT_FALSE(parse_local_route(*big_table.header));
}

}  // namespace
}  // namespace sockscope::interfaces
