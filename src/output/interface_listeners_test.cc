#include "output/interface_listeners.h"

#include <netinet/tcp.h>

#include <gtest/gtest.h>

namespace sockscope::output {
namespace {

interfaces::InterfaceAddress address(const char* text, int index = 0) {
  interfaces::InterfaceAddress result;
  result.address = *parse_ip_address(text, ScopeRule::kOptional);
  if (result.address.needs_scope()) result.address.scope_id = static_cast<uint32_t>(index);
  return result;
}

sockets::SocketRecord listener(const char* text, uint16_t port, bool v6only = false, uint32_t device = 0) {
  sockets::SocketRecord record;
  record.local.address = *parse_ip_address(text, ScopeRule::kOptional);
  record.family = record.local.address.family;
  record.local.port = port;
  record.state = TCP_LISTEN;
  record.v6only = v6only;
  record.bound_device = device;
  if (record.local.address.needs_scope()) record.local.address.scope_id = device;
  record.owners.push_back({.pid = 10 + port, .command = "server", .fd = 3});
  return record;
}

std::vector<interfaces::Interface> topology() {
  interfaces::Interface lo, en0;
  lo.index = 1;
  lo.name = "lo";
  lo.addresses = {address("127.0.0.1"), address("::1")};
  en0.index = 3;
  en0.name = "en0";
  en0.addresses = {address("192.168.1.89"), address("fe80::89", 3)};
  return {lo, en0};
}

std::vector<std::string> lines(const ListenerMap& map, int index, size_t position) {
  std::vector<std::string> out;
  auto found = map.by_address.find({index, position});
  if (found != map.by_address.end()) {
    for (const AddressListener& listener : found->second) out.push_back(listener_line(listener, map));
  }
  return out;
}

TEST(InterfaceListeners, SpecificBeforeWildcardAndWildcardsByFamily) {
  std::vector<interfaces::Interface> interfaces = topology();
  std::vector<sockets::SocketRecord> sockets = {
      listener("0.0.0.0", 4444), listener("127.0.0.1", 4444), listener("::", 80, true),
      listener("::ffff:192.168.1.89", 81), listener("fe80::89", 82, false, 3), listener("192.168.1.90", 83)};
  sockets.push_back(listener("127.0.0.1", 84));
  sockets.back().protocol = sockets::Protocol::kUdp;
  sockets.back().state = TCP_ESTABLISHED;  // a connected UDP socket listens to nobody
  sockets.back().remote.port = 9;
  ListenerMap map = match_listeners(interfaces, sockets);

  EXPECT_EQ(lines(map, 1, 0), (std::vector<std::string>{
                                  "tcp 127.0.0.1:4444 server (pid 4454, fd 3)",
                                  "tcp 0.0.0.0:4444 server (pid 4454, fd 3); wildcard, not used here: a listener "
                                  "bound to this address takes its connections"}));
  EXPECT_EQ(lines(map, 1, 1), (std::vector<std::string>{"tcp [::]:80 server (pid 90, fd 3); wildcard"}));
  EXPECT_EQ(lines(map, 3, 0), (std::vector<std::string>{"tcp [::ffff:192.168.1.89]:81 server (pid 91, fd 3)",
                                                        "tcp 0.0.0.0:4444 server (pid 4454, fd 3); wildcard"}));
  EXPECT_EQ(lines(map, 3, 1), (std::vector<std::string>{"tcp [::]:80 server (pid 90, fd 3); wildcard",
                                                        "tcp [fe80::89%en0]:82 server (pid 92, fd 3)"}));
  ASSERT_EQ(map.wildcards.size(), 2u);
  EXPECT_EQ(wildcard_coverage(*map.wildcards[0], map), "every IPv6 address (v6only)");
  ASSERT_EQ(map.elsewhere.size(), 1u);
  EXPECT_EQ(socket_text(*map.elsewhere[0], map), "tcp 192.168.1.90:83");
}

TEST(InterfaceListeners, DeviceBoundListenersStayOnTheirDevice) {
  std::vector<interfaces::Interface> interfaces = topology();
  std::vector<sockets::SocketRecord> sockets = {listener("0.0.0.0", 6666, false, 3), listener("127.0.0.1", 6666, false, 3),
                                                listener("0.0.0.0", 7777), listener("192.168.1.89", 7777, false, 1)};
  sockets[0].owners.clear();
  ListenerMap map = match_listeners(interfaces, sockets);
  EXPECT_EQ(lines(map, 1, 0), (std::vector<std::string>{"tcp 127.0.0.1:6666 server (pid 6676, fd 3); only for "
                                                        "connections arriving on en0",
                                                        "tcp 0.0.0.0:7777 server (pid 7787, fd 3); wildcard"}));
  // A specific listener tied to another device does not take en0's own connections.
  EXPECT_EQ(lines(map, 3, 0),
            (std::vector<std::string>{"tcp 0.0.0.0:6666 no visible process; wildcard, only for connections arriving on en0",
                                      "tcp 192.168.1.89:7777 server (pid 7787, fd 3); only for connections arriving on lo",
                                      "tcp 0.0.0.0:7777 server (pid 7787, fd 3); wildcard"}));
}

}  // namespace
}  // namespace sockscope::output
