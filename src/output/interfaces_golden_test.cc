// Golden tests: netlink replies and /proc/net/if_inet6 recorded from a real namespace
// (tests/golden/record-interfaces) are replayed through the collector and every renderer.
// The JSON and ifconfig expectations are what ip and net-tools printed for that namespace
// at the moment of recording; the default view's are our own output, read and kept.
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "interfaces/collect.h"
#include "interfaces/ipv6_order.h"
#include "netlink/channel.h"
#include "output/interfaces_ifconfig.h"
#include "output/interfaces_json.h"
#include "output/interfaces_render.h"
#include "procfs/if_inet6.h"

namespace sockscope::output {
namespace {

const std::string kData = std::string(SOCKSCOPE_SOURCE_DIR) + "/tests/data/interfaces-topology";
const std::string kGolden = std::string(SOCKSCOPE_SOURCE_DIR) + "/tests/golden/interfaces-topology";

std::string read_file(const std::string& path) {
  std::ifstream file(path);
  EXPECT_TRUE(file) << "cannot read " << path;
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

std::vector<interfaces::Interface> replayed() {
  Result<netlink::Channel> channel = netlink::Channel::replay(kData + ".nl");
  EXPECT_TRUE(channel) << channel.error().message();
  if (!channel) return {};
  Result<std::vector<interfaces::Interface>> all = interfaces::collect_interfaces(*channel);
  EXPECT_TRUE(all) << all.error().message();
  return all ? *all : std::vector<interfaces::Interface>{};
}

std::vector<interfaces::Interface> replayed_in_proc_order() {
  std::vector<interfaces::Interface> all = replayed();
  interfaces::order_ipv6_as_listed(all, procfs::parse_if_inet6(read_file(kData + ".if_inet6")));
  return all;
}

TEST(InterfacesGolden, JsonIsWhatIpPrinted) {
  EXPECT_EQ(render_interfaces_json(replayed()), read_file(kGolden + ".json"));
}

TEST(InterfacesGolden, JsonWithCountersIsWhatIpSSPrinted) {
  EXPECT_EQ(render_interfaces_json(replayed(), 2), read_file(kGolden + ".stats.json"));
}

TEST(InterfacesGolden, IfconfigFormatIsWhatIfconfigPrinted) {
  std::vector<interfaces::Interface> all = replayed_in_proc_order();
  EXPECT_EQ(render_ifconfig(ifconfig_entries(all)), read_file(kGolden + ".ifconfig"));
}

TEST(InterfacesGolden, IfconfigShortIsWhatIfconfigSPrinted) {
  std::vector<interfaces::Interface> all = replayed_in_proc_order();
  EXPECT_EQ(render_ifconfig_short(ifconfig_entries(all)), read_file(kGolden + ".ifconfig-s"));
}

TEST(InterfacesGolden, DefaultView) {
  EXPECT_EQ(render_interfaces_text(replayed(), false), read_file(kGolden + ".text"));
}

TEST(InterfacesGolden, DefaultViewWithCounters) {
  EXPECT_EQ(render_interfaces_text(replayed(), true), read_file(kGolden + ".text-s"));
}

}  // namespace
}  // namespace sockscope::output
