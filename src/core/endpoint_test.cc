#include "core/endpoint.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <net/if.h>

namespace sockscope {
namespace {

TEST(ParseIpAddress, Ipv4) {
  Result<IpAddress> address = parse_ip_address("192.168.1.89");
  ASSERT_TRUE(address);
  EXPECT_EQ(address->family, AF_INET);
  EXPECT_EQ(address->to_string(), "192.168.1.89");
  EXPECT_FALSE(address->is_loopback());
}

TEST(WriteDottedQuad, AgreesWithInetNtopForEveryOctetValueInEveryPlace) {
  for (int place = 0; place < 4; ++place) {
    for (int value = 0; value < 256; ++value) {
      uint8_t bytes[4] = {10, 0, 200, 99};
      bytes[place] = static_cast<uint8_t>(value);
      char expected[INET_ADDRSTRLEN];
      ASSERT_NE(inet_ntop(AF_INET, bytes, expected, sizeof expected), nullptr);
      char text[16];
      EXPECT_EQ(std::string(text, write_dotted_quad(bytes, text)), expected);
    }
  }
}

TEST(ParseIpAddress, Ipv6AndSpecialForms) {
  EXPECT_EQ(parse_ip_address("::1")->to_string(), "::1");
  EXPECT_TRUE(parse_ip_address("::1")->is_loopback());
  EXPECT_TRUE(parse_ip_address("::")->is_unspecified());
  EXPECT_TRUE(parse_ip_address("0.0.0.0")->is_unspecified());
  EXPECT_TRUE(parse_ip_address("127.0.0.2")->is_loopback());
  Result<IpAddress> mapped = parse_ip_address("::ffff:127.0.0.1");
  ASSERT_TRUE(mapped);
  EXPECT_TRUE(mapped->is_v4_mapped());
  EXPECT_EQ(mapped->unmapped().to_string(), "127.0.0.1");
  EXPECT_TRUE(parse_ip_address("224.0.0.1")->is_multicast());
  EXPECT_TRUE(parse_ip_address("ff02::1%lo")->is_multicast());
}

TEST(ParseIpAddress, ScopeByNameAndIndex) {
  uint32_t lo = if_nametoindex("lo");
  ASSERT_NE(lo, 0u);
  Result<IpAddress> by_name = parse_ip_address("fe80::1%lo");
  ASSERT_TRUE(by_name) << by_name.error().message();
  EXPECT_EQ(by_name->scope_id, lo);
  EXPECT_EQ(by_name->to_string(), "fe80::1%lo");
  Result<IpAddress> by_index = parse_ip_address("fe80::1%" + std::to_string(lo));
  ASSERT_TRUE(by_index);
  EXPECT_EQ(*by_index, *by_name);
}

TEST(ParseIpAddress, LinkLocalWithoutScopeIsAnErrorThatSaysSo) {
  Result<IpAddress> address = parse_ip_address("fe80::1");
  ASSERT_FALSE(address);
  EXPECT_NE(address.error().message().find("needs a scope"), std::string::npos);
  EXPECT_TRUE(parse_ip_address("fe80::1", ScopeRule::kOptional));
}

TEST(ParseIpAddress, RejectsBadInputNamingTheToken) {
  for (const char* bad : {"", "1.2.3", "1.2.3.256", "abc", "::g", "1.2.3.4%lo", "fe80::1%", "fe80::1%nosuchif0"}) {
    Result<IpAddress> address = parse_ip_address(bad);
    EXPECT_FALSE(address) << bad;
    if (!address && *bad != '\0') {
      EXPECT_NE(address.error().message().find(bad), std::string::npos) << bad;
    }
  }
}

TEST(ParsePort, RangeAndForm) {
  EXPECT_EQ(*parse_port("1"), 1);
  EXPECT_EQ(*parse_port("65535"), 65535);
  EXPECT_EQ(*parse_port("0", true), 0);
  for (const char* bad : {"0", "65536", "abc", "-1", "", "80x", "99999999999999999999"}) {
    Result<uint16_t> port = parse_port(bad);
    ASSERT_FALSE(port) << bad;
    EXPECT_NE(port.error().message().find(std::string("\"") + bad + "\""), std::string::npos);
  }
}

TEST(ParseEndpoint, AllForms) {
  EXPECT_EQ(parse_endpoint("127.0.0.1:4444")->to_string(), "127.0.0.1:4444");
  EXPECT_EQ(parse_endpoint("[::1]:4444")->to_string(), "[::1]:4444");
  EXPECT_EQ(parse_endpoint("[fe80::89%lo]:22")->to_string(), "[fe80::89%lo]:22");
  EXPECT_EQ(parse_endpoint("0.0.0.0:0")->port, 0);
  for (const char* bad : {"127.0.0.1", "::1:80", "[::1]", "[::1]80", "[127.0.0.1]:80", "1.2.3.4:65536",
                          "[fe80::1]:80", "host:80"}) {
    EXPECT_FALSE(parse_endpoint(bad)) << bad;
  }
}

TEST(Endpoint, SockaddrRoundTrip) {
  for (const char* text : {"127.0.0.1:4444", "[::1]:80", "[fe80::1%lo]:9", "[::ffff:10.0.0.1]:1"}) {
    Endpoint endpoint = *parse_endpoint(text);
    SockAddr address = endpoint.to_sockaddr();
    EXPECT_EQ(Endpoint::from_sockaddr(address.get(), address.length), endpoint) << text;
  }
}

TEST(ResolveHost, KeepsEveryResultInOrder) {
  Result<std::vector<IpAddress>> numeric = resolve_host({.host = "127.0.0.1", .numeric_only = true});
  ASSERT_TRUE(numeric);
  ASSERT_EQ(numeric->size(), 1u);
  EXPECT_EQ(numeric->front().to_string(), "127.0.0.1");

  Result<std::vector<IpAddress>> v6 = resolve_host({.host = "::1", .family = AF_INET6, .numeric_only = true});
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->front().to_string(), "::1");

  Result<std::vector<IpAddress>> localhost = resolve_host({.host = "localhost", .socket_type = SOCK_STREAM});
  ASSERT_TRUE(localhost);
  EXPECT_GE(localhost->size(), 1u);
}

TEST(ResolveHost, UnresolvableNamesFailWithGetaddrinfoText) {
  Result<std::vector<IpAddress>> numeric_only = resolve_host({.host = "localhost", .numeric_only = true});
  ASSERT_FALSE(numeric_only);
  EXPECT_FALSE(numeric_only.error().message().empty());
  // Numeric-only keeps the resolver off the network: no DNS traffic from tests.
  EXPECT_FALSE(resolve_host({.host = "no-such-host.invalid", .numeric_only = true}));
}

}  // namespace
}  // namespace sockscope
