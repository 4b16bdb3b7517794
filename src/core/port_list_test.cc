#include "core/port_list.h"

#include <gtest/gtest.h>

#include "core/services.h"

namespace sockscope {
namespace {

TEST(ParsePortList, SinglesRangesAndLists) {
  EXPECT_EQ(*parse_port_list("80"), (std::vector<PortRange>{{80, 80}}));
  EXPECT_EQ(*parse_port_list("1-1024"), (std::vector<PortRange>{{1, 1024}}));
  EXPECT_EQ(*parse_port_list("80,443,8000-8010"), (std::vector<PortRange>{{80, 80}, {443, 443}, {8000, 8010}}));
  EXPECT_EQ(expand_ports(*parse_port_list("5-7,2")), (std::vector<uint16_t>{5, 6, 7, 2}));
}

TEST(ParsePortList, ServiceNames) {
  EXPECT_EQ(*parse_port_list("ssh", "tcp"), (std::vector<PortRange>{{22, 22}}));
  EXPECT_EQ(*parse_port_list("http-https", "tcp"), (std::vector<PortRange>{{80, 443}}));
  EXPECT_FALSE(parse_port_list("ssh", ""));
}

TEST(ParsePortList, BadInputNamesTheItem) {
  for (const char* bad : {"10-5", "0", "65536", "abc", "-1", "", "80,", ",80", "1-", "1-2-3"}) {
    Result<std::vector<PortRange>> ports = parse_port_list(bad);
    EXPECT_FALSE(ports) << bad;
  }
  EXPECT_NE(parse_port_list("10-5").error().message().find("10-5"), std::string::npos);
  EXPECT_NE(parse_port_list("abc").error().message().find("abc"), std::string::npos);
}

TEST(Services, BothWaysAndNetcatLabel) {
  EXPECT_EQ(service_name(22, "tcp"), "ssh");
  EXPECT_EQ(service_port("http", "tcp"), 80);
  EXPECT_EQ(service_label(80, "tcp"), "[tcp/http]");
  EXPECT_EQ(service_label(4444, "tcp"), "[tcp/*]");
  EXPECT_EQ(service_port("no-such-service", "tcp"), std::nullopt);
}

TEST(Services, TheTableReadOnceNamesEveryPortAsALookupDoes) {
  size_t named = 0;
  for (const char* protocol : {"tcp", "udp"}) {
    // Every well-known port, and a sample of the rest (each service_name() reads the file).
    for (uint32_t port = 1; port <= 65535; port += port < 1100 ? 1 : 97) {
      std::optional<std::string> looked_up = service_name(static_cast<uint16_t>(port), protocol);
      std::optional<std::string_view> listed = listed_service_name(static_cast<uint16_t>(port), protocol);
      ASSERT_EQ(listed.has_value(), looked_up.has_value()) << port << "/" << protocol;
      if (!listed) continue;
      EXPECT_EQ(*listed, *looked_up) << port << "/" << protocol;
      ++named;
    }
  }
  EXPECT_GT(named, 100u);  // the netbase package's /etc/services
}

}  // namespace
}  // namespace sockscope
