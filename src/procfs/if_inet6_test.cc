#include "procfs/if_inet6.h"

#include <gtest/gtest.h>

namespace sockscope::procfs {
namespace {

TEST(IfInet6, ParsesTheKernelsLines) {
  std::vector<Inet6Line> lines = parse_if_inet6(
      "fe8000000000000000fc00fffe000001 04 40 20 80     eth0\n"
      "00000000000000000000000000000001 01 80 10 80       lo\n"
      "fd000000000000000000000000000002 104 40 00 82 a-very-long-nam\n");
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0].address.to_string(), "fe80::fc:ff:fe00:1");
  EXPECT_EQ(lines[0].index, 4);
  EXPECT_EQ(lines[0].prefix_length, 64);
  EXPECT_EQ(lines[0].scope, 0x20);
  EXPECT_EQ(lines[0].flags, 0x80);
  EXPECT_EQ(lines[0].interface, "eth0");
  EXPECT_EQ(lines[1].address.to_string(), "::1");
  EXPECT_EQ(lines[1].prefix_length, 128);
  EXPECT_EQ(lines[2].index, 0x104);
  EXPECT_EQ(lines[2].interface, "a-very-long-nam");
}

TEST(IfInet6, SkipsWhatDoesNotParse) {
  std::vector<Inet6Line> lines = parse_if_inet6(
      "\n"
      "fe80 04 40 20 80 eth0\n"
      "zz8000000000000000fc00fffe000001 04 40 20 80 eth0\n"
      "fe8000000000000000fc00fffe000001 04 40 20 eth0\n"
      "fe8000000000000000fc00fffe000001 04 4g 20 80 eth0\n"
      "fe8000000000000000fc00fffe000001 04 400 20 80 eth0\n"
      "00000000000000000000000000000001 01 80 10 80 lo");
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].interface, "lo");
}

TEST(IfInet6, MissingFileIsEmpty) { EXPECT_TRUE(read_if_inet6("/nonexistent-root").empty()); }

}  // namespace
}  // namespace sockscope::procfs
