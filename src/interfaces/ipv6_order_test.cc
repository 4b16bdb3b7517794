#include "interfaces/ipv6_order.h"

#include <gtest/gtest.h>

namespace sockscope::interfaces {
namespace {

InterfaceAddress address(const char* text) {
  InterfaceAddress result;
  result.address = *parse_ip_address(text, ScopeRule::kOptional);
  return result;
}

std::vector<std::string> texts(const Interface& interface) {
  std::vector<std::string> out;
  for (const InterfaceAddress& a : interface.addresses) out.push_back(a.address.to_string());
  return out;
}

TEST(Ipv6Order, FollowsTheFileKeepsIpv4FirstAndUnlistedLast) {
  Interface en0;
  en0.index = 3;
  en0.addresses = {address("2001:db8::1"), address("10.0.0.1"), address("2001:db8::2"), address("2001:db8::3"),
                   address("10.0.0.2")};
  Interface other;
  other.index = 4;
  other.addresses = {address("2001:db8::2"), address("2001:db8::1")};
  std::vector<Interface> interfaces = {en0, other};
  std::vector<procfs::Inet6Line> listed = procfs::parse_if_inet6(
      "20010db8000000000000000000000002 03 40 00 80 en0\n"
      "20010db8000000000000000000000001 04 40 00 80 other\n"
      "20010db8000000000000000000000001 03 40 00 80 en0\n"
      "20010db8000000000000000000000002 04 40 00 80 other\n");

  order_ipv6_as_listed(interfaces, listed);

  EXPECT_EQ(texts(interfaces[0]),
            (std::vector<std::string>{"10.0.0.1", "10.0.0.2", "2001:db8::2", "2001:db8::1", "2001:db8::3"}));
  EXPECT_EQ(texts(interfaces[1]), (std::vector<std::string>{"2001:db8::1", "2001:db8::2"}));
}

}  // namespace
}  // namespace sockscope::interfaces
