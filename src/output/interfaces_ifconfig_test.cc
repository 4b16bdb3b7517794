#include "output/interfaces_ifconfig.h"

#include <linux/if.h>
#include <linux/if_arp.h>

#include <algorithm>
#include <random>

#include <gtest/gtest.h>

namespace sockscope::output {
namespace {

// The order net-tools 2.10's `ifconfig -a` printed these names in, in a namespace holding
// exactly these devices and alias labels.
const std::vector<std::string> kIfconfigOrder = {
    "a10b", "a9b", "b10c", "b2c", "en", "en0", "en0:01", "en0:1", "en0:2", "en0:10", "en0:lan", "en0:x9",
    "k01z9", "k1z9", "k1z10", "k2z1", "lo", "v001", "v01", "v1", "x", "x0", "x0:1", "x00"};

TEST(IfconfigNames, SortLikeNetTools) {
  std::vector<std::string> names = kIfconfigOrder;
  std::shuffle(names.begin(), names.end(), std::mt19937(7));
  std::sort(names.begin(), names.end(), ifconfig_name_less);
  EXPECT_EQ(names, kIfconfigOrder);
}

TEST(IfconfigNames, AnAliasNumberThatWrapsToMinusOneIsTheInterface) {
  EXPECT_EQ(ifconfig_name_compare("en0", "en0:4294967295"), 0);
  EXPECT_GT(ifconfig_name_compare("en0:1", "en0:01"), 0);
}

interfaces::Interface device(const char* name, uint32_t flags) {
  interfaces::Interface interface;
  interface.name = name;
  interface.flags = flags;
  interface.mtu = 1500;
  interface.link_type = ARPHRD_ETHER;
  interface.hardware_address = {2, 0, 0, 0, 0, 1};
  interface.txqueuelen = 1000;
  interface.counters.emplace();
  return interface;
}

std::string block(const interfaces::Interface& interface) {
  std::vector<interfaces::Interface> all = {interface};
  return render_ifconfig(ifconfig_entries(all));
}

TEST(IfconfigBlock, BytesAreTruncatedToATenthAndChangeUnitAbove1024) {
  interfaces::Interface interface = device("en0", IFF_UP);
  interface.counters->rx_bytes = 1024;
  interface.counters->tx_bytes = 1025;
  EXPECT_NE(block(interface).find("RX packets 0  bytes 1024 (1024.0 B)"), std::string::npos);
  EXPECT_NE(block(interface).find("TX packets 0  bytes 1025 (1.0 KiB)"), std::string::npos);
  interface.counters->rx_bytes = 1048575;  // 1023.999 KiB: truncated, not rounded
  interface.counters->tx_bytes = 5ull << 40;
  EXPECT_NE(block(interface).find("(1023.9 KiB)"), std::string::npos);
  EXPECT_NE(block(interface).find("(5.0 TiB)"), std::string::npos);
}

TEST(IfconfigBlock, FlagWordsFollowNetTools) {
  EXPECT_EQ(block(device("en0", 0)).substr(0, 26), "en0: flags=0<  mtu 1500\n  ");
  // Only the low 16 bits reach ifconfig, and they are signed.
  EXPECT_EQ(block(device("en0", IFF_UP | IFF_DYNAMIC | IFF_LOWER_UP)).substr(0, 38),
            "en0: flags=-32767<UP,DYNAMIC>  mtu 150");
  EXPECT_EQ(block(device("en0", IFF_PORTSEL)).substr(0, 23), "en0: flags=8192  mtu 15");
}

TEST(IfconfigShort, AliasesHaveNoStatistics) {
  interfaces::Interface interface = device("en0", IFF_UP | IFF_BROADCAST | IFF_RUNNING);
  interfaces::InterfaceAddress alias;
  alias.address = *parse_ip_address("10.0.0.1");
  alias.label = "en0:1";
  interface.addresses.push_back(alias);
  std::vector<interfaces::Interface> all = {interface};
  EXPECT_EQ(render_ifconfig_short(ifconfig_entries(all)),
            "Iface      MTU    RX-OK RX-ERR RX-DRP RX-OVR    TX-OK TX-ERR TX-DRP TX-OVR Flg\n"
            "en0              1500        0      0      0 0             0      0      0      0 BRU\n"
            "en0:1            1500      - no statistics available -                        BRU\n");
}

}  // namespace
}  // namespace sockscope::output
