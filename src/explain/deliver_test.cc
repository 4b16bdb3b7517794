// deliver against the delivery rows of reference/linux-bind-semantics.md §2, table by table.
#include "explain/deliver.h"

#include <gtest/gtest.h>

#include "explain/reference_host_for_tests.h"

namespace sockscope::explain {
namespace {

using testing::none;
using testing::on_device;
using testing::Options;
using testing::ra;
using testing::ra_rp;
using testing::ReferenceHost;
using testing::rp;
using testing::v6only;

// §2.1 and §2.2: specific + wildcard listeners; the exact-address bucket comes first.
TEST(Deliver, SpecificBeatsWildcardTables2_1And2_2) {
  for (bool specific_first : {true, false}) {
    ReferenceHost host;
    if (specific_first) {
      host.listen("127.0.0.1:4444", ra_rp(), "specific");
      host.listen("0.0.0.0:4444", ra_rp(), "wildcard");
    } else {
      host.listen("0.0.0.0:4444", ra_rp(), "wildcard");
      host.listen("127.0.0.1:4444", ra_rp(), "specific");
    }
    EXPECT_EQ(host.tcp_from_host("127.0.0.1:4444"), "specific");
    EXPECT_EQ(host.tcp_from_host("192.168.1.89:4444"), "wildcard");
    EXPECT_EQ(host.tcp_from_host("127.0.0.2:4444"), "wildcard");
  }
  ReferenceHost lan;
  lan.listen("192.168.1.89:4444", rp(), "specific");
  lan.listen("0.0.0.0:4444", rp(), "wildcard");
  EXPECT_EQ(lan.tcp_from_host("192.168.1.89:4444"), "specific");
  EXPECT_EQ(lan.tcp_from_host("127.0.0.1:4444"), "wildcard");
  EXPECT_EQ(lan.tcp_from_host("127.0.0.2:4444"), "wildcard");
  // ncat's case: only the 127.0.0.1 listener exists; the other addresses are refused.
  ReferenceHost ncat;
  ncat.listen("127.0.0.1:4444", ra(), "specific");
  EXPECT_EQ(ncat.tcp_from_host("192.168.1.89:4444"), "refused");
  EXPECT_EQ(ncat.tcp_from_host("127.0.0.2:4444"), "refused");
}

TEST(Deliver, RefusalNamesTheListenerAndTheFix) {
  ReferenceHost host;
  host.listen("127.0.0.1:4444", none(), "nc");
  Result<Verdict> verdict = host.deliver_to(Protocol::kTcp, "192.168.1.89:4444");
  ASSERT_TRUE(verdict);
  EXPECT_EQ(verdict->outcome, Outcome::kRefused);
  EXPECT_EQ(verdict->fix, "the only listener on tcp port 4444 is bound to 127.0.0.1; bind 0.0.0.0 or 192.168.1.89");
  Result<Verdict> nothing = ReferenceHost().deliver_to(Protocol::kUdp, "127.0.0.1:5353");
  ASSERT_TRUE(nothing);
  EXPECT_EQ(nothing->outcome, Outcome::kRefused);
  EXPECT_NE(nothing->fix.find("nothing is bound on udp port 5353"), std::string::npos) << nothing->fix;
}

// §2.4 and §2.11: identical SO_REUSEPORT listeners form a group; a hash picks the member.
TEST(Deliver, ReuseportGroupsTables2_4And2_11) {
  ReferenceHost host;
  for (const char* label : {"A", "B", "C", "D"}) host.listen("127.0.0.1:4444", rp(), label);
  Result<Verdict> verdict = host.deliver_to(Protocol::kTcp, "127.0.0.1:4444");
  ASSERT_TRUE(verdict);
  EXPECT_EQ(verdict->choice, Choice::kReuseportGroup);
  EXPECT_EQ(ReferenceHost::receiver_text(verdict), "A|B|C|D");

  ReferenceHost mixed;  // 2x 0.0.0.0 RP + 1x 127.0.0.1 RP
  mixed.listen("0.0.0.0:4444", rp(), "W1");
  mixed.listen("0.0.0.0:4444", rp(), "W2");
  mixed.listen("127.0.0.1:4444", rp(), "S");
  EXPECT_EQ(mixed.tcp_from_host("127.0.0.1:4444"), "S");
  EXPECT_EQ(mixed.tcp_from_host("192.168.1.89:4444"), "W1|W2");

  ReferenceHost udp;
  for (const char* label : {"A", "B", "C", "D"}) udp.udp("127.0.0.1:4444", rp(), label);
  EXPECT_EQ(udp.udp_from_host("127.0.0.1:4444"), "A|B|C|D");
}

struct DualStackRow {
  const char* a;
  Options a_options;
  const char* b;  // nullptr when B's bind failed
  Options b_options;
  const char* to_127_0_0_1;
  const char* to_192_168_1_89;
  const char* to_ipv6_loopback;
  const char* to_2001_db8_1_89;
};

// §2.5, the delivery columns (A listening, then B when its bind succeeded).
TEST(Deliver, DualStackTable2_5) {
  const DualStackRow rows[] = {
      {"[::]:4444", v6only(false), nullptr, none(), "A", "A", "A", "A"},
      {"0.0.0.0:4444", none(), nullptr, none(), "A", "A", "refused", "refused"},
      {"[::]:4444", v6only(true), "0.0.0.0:4444", none(), "B", "B", "A", "A"},
      {"0.0.0.0:4444", none(), "[::]:4444", v6only(true), "A", "A", "B", "B"},
      {"[::]:4444", v6only(false, rp()), "0.0.0.0:4444", rp(), "B", "B", "A", "A"},
      {"0.0.0.0:4444", rp(), "[::]:4444", v6only(false, rp()), "A", "A", "B", "B"},
      {"127.0.0.1:4444", none(), nullptr, none(), "A", "refused", "refused", "refused"},
      {"[::]:4444", v6only(true), "127.0.0.1:4444", none(), "B", "refused", "A", "A"},
      {"[::]:4444", v6only(true), nullptr, none(), "refused", "refused", "A", "A"},
      {"[::1]:4444", none(), nullptr, none(), "refused", "refused", "A", "refused"},
      {"[::]:4444", v6only(true, rp()), "[::1]:4444", rp(), "refused", "refused", "B", "A"},
      {"[::ffff:127.0.0.1]:4444", none(), nullptr, none(), "A", "refused", "refused", "refused"},
      {"[::ffff:0.0.0.0]:4444", none(), "[::]:4444", v6only(true), "A", "A", "B", "B"},
      {"[::ffff:0.0.0.0]:4444", none(), nullptr, none(), "A", "A", "refused", "refused"},
      {"[::1]:4444", none(), "127.0.0.1:4444", none(), "B", "refused", "A", "refused"},
  };
  for (const DualStackRow& row : rows) {
    SCOPED_TRACE(fmt::format("A={} B={}", row.a, row.b ? row.b : "-"));
    ReferenceHost host;
    host.listen(row.a, row.a_options, "A");
    if (row.b) host.listen(row.b, row.b_options, "B");
    EXPECT_EQ(host.tcp_from_host("127.0.0.1:4444"), row.to_127_0_0_1);
    EXPECT_EQ(host.tcp_from_host("192.168.1.89:4444"), row.to_192_168_1_89);
    EXPECT_EQ(host.tcp_from_host("[::1]:4444"), row.to_ipv6_loopback);
    EXPECT_EQ(host.tcp_from_host("[2001:db8:1::89]:4444"), row.to_2001_db8_1_89);
  }
  // An AF_INET6 client connecting to [::ffff:127.0.0.1] reaches the IPv4 listener.
  ReferenceHost mapped;
  mapped.listen("127.0.0.1:4444", none(), "A");
  EXPECT_EQ(mapped.tcp_from_host("[::ffff:127.0.0.1]:4444"), "A");
}

// §2.8: link-local destinations and scopes.
TEST(Deliver, LinkLocalTable2_8) {
  ReferenceHost host;
  host.listen("[fe80::89%en0]:4444", none(), "en0");
  host.listen("[fe80::89%en2]:4444", none(), "en2");
  EXPECT_EQ(host.tcp_from_host("[fe80::89%en0]:4444"), "en0");
  EXPECT_EQ(host.tcp_from_host("[fe80::89%en2]:4444"), "en2");
  EXPECT_EQ(host.tcp_from_host("[fe80::89]:4444"), "dropped");  // connect() says EINVAL
  EXPECT_EQ(host.tcp_from_peer("[fe80::89]:4444", "en0"), "en0");
  ReferenceHost wildcard;
  wildcard.listen("[::]:4444", none(), "any");
  EXPECT_EQ(wildcard.tcp_from_peer("[fe80::99]:4444", "en0"), "dropped");  // p2p0's link-local, wrong link
}

// §2.9: a DOWN interface keeps its IPv4 address reachable, from the host and from outside.
TEST(Deliver, DownInterfaceTable2_9) {
  for (const char* listener : {"10.99.0.1:4444", "0.0.0.0:4444"}) {
    ReferenceHost host;
    host.listen(listener, none(), "L");
    EXPECT_EQ(host.tcp_from_host("10.99.0.1:4444"), "L");
    EXPECT_EQ(host.tcp_from_peer("10.99.0.1:4444"), "L");
  }
  ReferenceHost udp;
  udp.udp("0.0.0.0:4444", none(), "U");
  EXPECT_EQ(udp.udp_from_host("10.99.0.1:4444"), "U");
  EXPECT_EQ(udp.udp_from_peer("10.99.0.1:4444"), "U");
  ReferenceHost v6;
  v6.listen("[::]:4444", none(), "L");
  EXPECT_EQ(v6.tcp_from_host("[2001:db8:99::1]:4444"), "L");
  EXPECT_EQ(v6.tcp_from_host("[fe80::99%p2p0]:4444"), "L");
  EXPECT_EQ(v6.tcp_from_peer("[2001:db8:99::1]:4444"), "L");
  // en2 set down: its IPv4 address still works; its IPv6 addresses are gone.
  ReferenceHost en2_down;
  en2_down.listen("[::]:4444", v6only(false), "L");
  en2_down.state.interfaces[2].up = false;
  en2_down.remove_addresses_of("en2", AF_INET6);
  EXPECT_EQ(en2_down.tcp_from_host("10.88.0.1:4444"), "L");
  EXPECT_EQ(en2_down.tcp_from_peer("10.88.0.1:4444"), "L");
  EXPECT_EQ(en2_down.tcp_from_host("[2001:db8:88::1]:4444"), "dropped");
  // Nothing arrives on a down interface.
  EXPECT_EQ(en2_down.tcp_from_peer("10.88.0.1:4444", "en2"), "dropped");
}

// §2.10: weak host, martians, route_localnet.
TEST(Deliver, WeakHostAndMartiansTable2_10) {
  ReferenceHost host;
  host.listen("0.0.0.0:4444", none(), "v4");
  host.listen("[::]:4444", v6only(true), "v6");
  host.udp("0.0.0.0:4444", none(), "udp");
  for (const char* destination : {"192.168.1.89:4444", "10.88.0.1:4444", "10.99.0.1:4444"}) {
    EXPECT_EQ(host.tcp_from_peer(destination), "v4") << destination;
  }
  EXPECT_EQ(host.tcp_from_peer("[2001:db8:1::89]:4444"), "v6");
  EXPECT_EQ(host.tcp_from_peer("[2001:db8:88::1]:4444"), "v6");
  EXPECT_EQ(host.udp_from_peer("10.88.0.1:4444"), "udp");
  EXPECT_EQ(host.udp_from_peer("10.99.0.1:4444"), "udp");
  EXPECT_EQ(host.tcp_from_peer("127.0.0.1:4444"), "dropped");
  EXPECT_EQ(host.tcp_from_peer("127.0.0.2:4444"), "dropped");
  EXPECT_EQ(host.tcp_from_peer("192.168.1.90:4444"), "dropped");
  EXPECT_EQ(host.tcp_from_peer("[::1]:4444"), "dropped");
  ReferenceHost localnet = host;
  localnet.state.interfaces[1].route_localnet = true;
  EXPECT_EQ(localnet.tcp_from_peer("127.0.0.1:4444"), "v4");
  Result<Verdict> martian = host.deliver_to(Protocol::kTcp, "127.0.0.1:4444", "en0");
  ASSERT_TRUE(martian);
  EXPECT_EQ(martian->reasons.back().rule, "martian-destination");
  EXPECT_NE(martian->fix.find("route_localnet"), std::string::npos);
}

// §2.10, "SO_BINDTODEVICE delivery": host traffic counts as arriving on the owner device.
TEST(Deliver, DeviceBoundListenersTable2_10) {
  ReferenceHost host;
  host.listen("0.0.0.0:4444", on_device("en0"), "en0");
  EXPECT_EQ(host.tcp_from_peer("192.168.1.89:4444"), "en0");
  EXPECT_EQ(host.tcp_from_peer("10.88.0.1:4444"), "en0");
  EXPECT_EQ(host.tcp_from_host("192.168.1.89:4444"), "en0");
  EXPECT_EQ(host.tcp_from_host("10.88.0.1:4444"), "refused");
  EXPECT_EQ(host.tcp_from_host("127.0.0.1:4444"), "refused");
  EXPECT_EQ(host.tcp_from_host("10.99.0.1:4444"), "refused");

  ReferenceHost pair;
  pair.listen("10.88.0.1:4444", on_device("en2"), "specific-en2");
  pair.listen("0.0.0.0:4444", on_device("en0"), "wildcard-en0");
  EXPECT_EQ(pair.tcp_from_peer("10.88.0.1:4444"), "wildcard-en0");
  EXPECT_EQ(pair.tcp_from_host("10.88.0.1:4444"), "specific-en2");
}

// §2.10: with SO_REUSEPORT the first match in chain order ends the search; without, the score decides.
TEST(Deliver, ReuseportOrderBeatsScoreTable2_10) {
  ReferenceHost unbound_first;
  unbound_first.listen("127.0.0.1:4444", rp(), "unbound");
  unbound_first.listen("127.0.0.1:4444", on_device("lo", rp()), "device");
  EXPECT_EQ(unbound_first.tcp_from_host("127.0.0.1:4444"), "device");
  ReferenceHost device_first;
  device_first.listen("127.0.0.1:4444", on_device("lo", rp()), "device");
  device_first.listen("127.0.0.1:4444", rp(), "unbound");
  Result<Verdict> verdict = device_first.deliver_to(Protocol::kTcp, "127.0.0.1:4444");
  EXPECT_EQ(ReferenceHost::receiver_text(verdict), "unbound");
  ASSERT_TRUE(verdict);
  EXPECT_EQ(verdict->reasons.back().rule, "listen-order");

  for (bool device_first_udp : {true, false}) {
    ReferenceHost udp;
    if (device_first_udp) {
      udp.udp("127.0.0.1:4444", on_device("lo", rp()), "device");
      udp.udp("127.0.0.1:4444", rp(), "unbound");
    } else {
      udp.udp("127.0.0.1:4444", rp(), "unbound");
      udp.udp("127.0.0.1:4444", on_device("lo", rp()), "device");
    }
    EXPECT_EQ(udp.udp_from_host("127.0.0.1:4444"), device_first_udp ? "unbound" : "device");
    ReferenceHost scored;
    if (device_first_udp) {
      scored.udp("127.0.0.1:4444", on_device("lo", ra()), "device");
      scored.udp("127.0.0.1:4444", ra(), "unbound");
    } else {
      scored.udp("127.0.0.1:4444", ra(), "unbound");
      scored.udp("127.0.0.1:4444", on_device("lo", ra()), "device");
    }
    EXPECT_EQ(scored.udp_from_host("127.0.0.1:4444"), "device");
  }
}

// §2.12: UDP delivery.
TEST(Deliver, UdpTable2_12) {
  for (bool specific_first : {true, false}) {
    ReferenceHost host;
    if (specific_first) {
      host.udp("127.0.0.1:4444", ra(), "specific");
      host.udp("0.0.0.0:4444", ra(), "wildcard");
    } else {
      host.udp("0.0.0.0:4444", ra(), "wildcard");
      host.udp("127.0.0.1:4444", ra(), "specific");
    }
    EXPECT_EQ(host.udp_from_host("127.0.0.1:4444"), "specific");
    EXPECT_EQ(host.udp_from_host("192.168.1.89:4444"), "wildcard");
  }
  ReferenceHost twice;
  twice.udp("0.0.0.0:4444", ra(), "A");
  twice.udp("0.0.0.0:4444", ra(), "B");
  EXPECT_EQ(twice.udp_from_host("127.0.0.1:4444"), "B");  // the newer one
  ReferenceHost group;
  group.udp("0.0.0.0:4444", rp(), "A");
  group.udp("0.0.0.0:4444", rp(), "B");
  EXPECT_EQ(group.udp_from_host("127.0.0.1:4444"), "A|B");

  ReferenceHost connected;  // 3x 0.0.0.0 RA; B connect()ed to 127.0.0.1:45100
  connected.udp("0.0.0.0:4444", ra(), "A");
  connected.add(Protocol::kUdp, SocketState::kConnected, "127.0.0.1:4444", ra(), "B", "127.0.0.1:45100");
  connected.udp("0.0.0.0:4444", ra(), "C");
  EXPECT_EQ(connected.udp_from_host("127.0.0.1:4444", "127.0.0.1:40000"), "C");
  EXPECT_EQ(connected.udp_from_host("127.0.0.1:4444", "127.0.0.1:45100"), "B");

  ReferenceHost dual;
  dual.udp("[::]:4444", v6only(false), "A");
  EXPECT_EQ(dual.udp_from_host("127.0.0.1:4444"), "A");
  EXPECT_EQ(dual.udp_from_host("[::1]:4444"), "A");
  ReferenceHost v4_only;
  v4_only.udp("0.0.0.0:4444", none(), "A");
  EXPECT_EQ(v4_only.udp_from_host("[::1]:4444"), "refused");
  for (bool v6_first : {true, false}) {
    ReferenceHost both;
    if (v6_first) {
      both.udp("[::]:4444", v6only(false, ra()), "v6");
      both.udp("0.0.0.0:4444", ra(), "v4");
    } else {
      both.udp("0.0.0.0:4444", ra(), "v4");
      both.udp("[::]:4444", v6only(false, ra()), "v6");
    }
    EXPECT_EQ(both.udp_from_host("127.0.0.1:4444"), "v4");
    EXPECT_EQ(both.udp_from_host("[::1]:4444"), "v6");
  }
  ReferenceHost only_loopback;
  only_loopback.udp("127.0.0.1:4444", none(), "A");
  EXPECT_EQ(only_loopback.udp_from_host("127.0.0.2:4444"), "refused");
  EXPECT_EQ(only_loopback.udp_from_host("192.168.1.89:4444"), "refused");
}

// Found by the oracle: a listener bound to a DOWN device receives the SYN from the host but
// cannot send its SYN-ACK out of that device; the client times out.
TEST(Deliver, ListenerOnADownDeviceCannotAnswer) {
  ReferenceHost host;
  host.listen("[::]:4444", on_device("p2p0", v6only(false)), "down");
  Result<Verdict> verdict = host.deliver_to(Protocol::kTcp, "10.99.0.1:4444");
  ASSERT_TRUE(verdict);
  EXPECT_EQ(verdict->outcome, Outcome::kDropped);
  EXPECT_EQ(verdict->reasons.back().rule, "reply-device-down");
  EXPECT_EQ(host.tcp_from_host("[2001:db8:99::1]:4444"), "down");  // IPv6 answers through a DOWN device
  ReferenceHost udp;
  udp.udp("0.0.0.0:4444", on_device("p2p0"), "down");
  EXPECT_EQ(udp.udp_from_host("10.99.0.1:4444"), "down");  // nothing needs to be sent back
}

// Found by the oracle: with bindv6only=1 the host's own IPv6 client cannot reach a v4-mapped address.
TEST(Deliver, MappedDestinationNeedsADualStackClient) {
  ReferenceHost host;
  host.listen("127.0.0.1:4444", none(), "A");
  EXPECT_EQ(host.tcp_from_host("[::ffff:127.0.0.1]:4444"), "A");
  host.state.sysctls.bindv6only = true;
  EXPECT_EQ(host.tcp_from_host("[::ffff:127.0.0.1]:4444"), "dropped");
  EXPECT_EQ(host.tcp_from_host("127.0.0.1:4444"), "A");
}

// Found by the oracle: two IPv6 UDP SO_REUSEPORT sockets of different owners are two groups;
// at the chain's tail the older one comes first and takes the datagram.
TEST(Deliver, OlderIpv6ReuseportGroupComesFirst) {
  ReferenceHost host;
  host.udp("[2001:db8:88::1]:4444", ra_rp(), "older");
  host.udp("[2001:db8:88::1]:4444", testing::as_uid(65534, ra_rp()), "newer");
  EXPECT_EQ(host.udp_from_host("[2001:db8:88::1]:4444"), "older");
}

TEST(Deliver, ErrorsForWhatIsNotModelled) {
  ReferenceHost host;
  EXPECT_FALSE(host.deliver_to(Protocol::kUdp, "192.168.1.255:4444"));
  EXPECT_FALSE(host.deliver_to(Protocol::kUdp, "224.0.0.1:4444"));
  EXPECT_FALSE(host.deliver_to(Protocol::kTcp, "127.0.0.1:0"));
}

TEST(Deliver, UnknownTcpReuseportIsInferredFromSharedPorts) {
  ReferenceHost host;
  host.listen("0.0.0.0:4444", none(), "A").reuseport.reset();
  host.listen("0.0.0.0:4444", none(), "B").reuseport.reset();
  EXPECT_EQ(host.tcp_from_host("127.0.0.1:4444"), "A|B");
}

}  // namespace
}  // namespace sockscope::explain
