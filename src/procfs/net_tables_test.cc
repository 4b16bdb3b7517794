#include "procfs/net_tables.h"

#include <gtest/gtest.h>

namespace sockscope::procfs {
namespace {

TEST(NetTables, ParsesIpv4AndIpv6Lines) {
  std::vector<NetTableEntry> v4 = parse_net_table(
      "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
      "   0: 0100007F:115C 00000000:0000 0A 00000000:00000002 00:00000000 00000000  1000        0 12345 1 0 100 0 0 10 0\n"
      "garbage\n",
      AF_INET);
  ASSERT_EQ(v4.size(), 1u);
  EXPECT_EQ(v4[0].local.to_string(), "127.0.0.1:4444");
  EXPECT_TRUE(v4[0].remote.address.is_unspecified());
  EXPECT_EQ(v4[0].state, 10);
  EXPECT_EQ(v4[0].receive_queue, 2u);
  EXPECT_EQ(v4[0].uid, 1000u);
  EXPECT_EQ(v4[0].inode, 12345u);
  std::vector<NetTableEntry> v6 = parse_net_table(
      "header\n"
      "   0: 00000000000000000000000001000000:115D 00000000000000000000000000000000:0000 0A 00000000:00000000 "
      "00:00000000 00000000     0        0 777 1 0 100 0 0 10 0\n",
      AF_INET6);
  ASSERT_EQ(v6.size(), 1u);
  EXPECT_EQ(v6[0].local.to_string(), "[::1]:4445");
}

}  // namespace
}  // namespace sockscope::procfs
