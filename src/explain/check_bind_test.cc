// check_bind against the bind rows of reference/linux-bind-semantics.md §2, table by table.
#include "explain/check_bind.h"

#include <gtest/gtest.h>

#include "explain/reference_host_for_tests.h"

namespace sockscope::explain {
namespace {

using testing::as_uid;
using testing::none;
using testing::on_device;
using testing::Options;
using testing::ra;
using testing::ra_rp;
using testing::ReferenceHost;
using testing::rp;
using testing::v6only;

struct NamedOptions {
  const char* name;
  Options options;
};

const NamedOptions kFlagColumns[] = {{"-", none()}, {"RA", ra()}, {"RP", rp()}, {"RA+RP", ra_rp()}};

// §2.2: A listening, then B binds and listens; identical for both orders and for
// 192.168.1.89 instead of 127.0.0.1. OK exactly when both set SO_REUSEPORT.
TEST(CheckBind, SpecificAndWildcardListenersTable2_2) {
  const char* expected[4][4] = {{"EADDRINUSE", "EADDRINUSE", "EADDRINUSE", "EADDRINUSE"},
                                {"EADDRINUSE", "EADDRINUSE", "EADDRINUSE", "EADDRINUSE"},
                                {"EADDRINUSE", "EADDRINUSE", "OK", "OK"},
                                {"EADDRINUSE", "EADDRINUSE", "OK", "OK"}};
  for (const char* specific : {"127.0.0.1:4444", "192.168.1.89:4444"}) {
    for (bool specific_first : {true, false}) {
      for (int a = 0; a < 4; ++a) {
        for (int b = 0; b < 4; ++b) {
          SCOPED_TRACE(fmt::format("{} first={} A={} B={}", specific, specific_first, kFlagColumns[a].name, kFlagColumns[b].name));
          ReferenceHost host;
          std::string first = specific_first ? specific : "0.0.0.0:4444";
          std::string second = specific_first ? "0.0.0.0:4444" : specific;
          host.listen(first, kFlagColumns[a].options, "A");
          EXPECT_EQ(host.bind_tcp(second, kFlagColumns[b].options), expected[a][b]);
        }
      }
    }
  }
}

// §2.1: plain sockets 127.0.0.1 then 0.0.0.0; nc.openbsd's RA+RP on both; ncat's RA only.
TEST(CheckBind, BlogExperimentTable2_1) {
  ReferenceHost plain;
  plain.listen("127.0.0.1:4444", none(), "A");
  EXPECT_EQ(plain.bind_tcp("0.0.0.0:4444"), "EADDRINUSE");
  ReferenceHost netcat;
  netcat.listen("127.0.0.1:4444", ra_rp(), "A");
  EXPECT_EQ(netcat.bind_tcp("0.0.0.0:4444", ra_rp()), "OK");
  ReferenceHost ncat;
  ncat.listen("127.0.0.1:4444", ra(), "A");
  EXPECT_EQ(ncat.bind_tcp("0.0.0.0:4444", ra()), "EADDRINUSE");
  EXPECT_EQ(ReferenceHost().bind_tcp("192.168.1.90:4444"), "EADDRNOTAVAIL");
}

// §2.3: both bound before either listens. With RA the second bind is allowed (and warned
// about); once the first listens, the second one's listen() meets a listener and fails.
TEST(CheckBind, BindOkListenFailsTable2_3) {
  const std::pair<const char*, const char*> pairs[] = {
      {"127.0.0.1:4444", "0.0.0.0:4444"}, {"0.0.0.0:4444", "127.0.0.1:4444"}, {"127.0.0.1:4444", "127.0.0.1:4444"}};
  for (auto [a, b] : pairs) {
    SCOPED_TRACE(fmt::format("A={} B={}", a, b));
    ReferenceHost both_bound;
    both_bound.add(Protocol::kTcp, SocketState::kBound, a, ra(), "A");
    Verdict bind_b = check_bind(both_bound.state, both_bound.bind_request(Protocol::kTcp, b, ra(), false));
    EXPECT_EQ(ReferenceHost::result_text(bind_b), "OK");
    ASSERT_EQ(bind_b.warnings.size(), 1u);
    EXPECT_NE(bind_b.warnings[0].find("listen"), std::string::npos);

    ReferenceHost a_listening;
    a_listening.listen(a, ra(), "A");
    Verdict listen_b = check_bind(a_listening.state, a_listening.bind_request(Protocol::kTcp, b, ra(), true));
    EXPECT_EQ(ReferenceHost::result_text(listen_b), "EADDRINUSE");
    ASSERT_EQ(listen_b.sockets.size(), 1u);
    EXPECT_NE(listen_b.sockets[0].note.find("listening"), std::string::npos) << listen_b.sockets[0].note;

    ReferenceHost with_reuseport;
    with_reuseport.listen(a, rp(), "A");
    EXPECT_EQ(with_reuseport.bind_tcp(b, rp()), "OK");
  }
}

// §2.4: the same address twice, A listening: only RP/RP (and RA+RP on both) succeed.
TEST(CheckBind, SameAddressTwiceTable2_4) {
  for (const char* address : {"127.0.0.1:4444", "0.0.0.0:4444"}) {
    for (const NamedOptions& a : kFlagColumns) {
      for (const NamedOptions& b : kFlagColumns) {
        SCOPED_TRACE(fmt::format("{} A={} B={}", address, a.name, b.name));
        ReferenceHost host;
        host.listen(address, a.options, "A");
        bool ok = a.options.reuseport && b.options.reuseport;
        EXPECT_EQ(host.bind_tcp(address, b.options), ok ? "OK" : "EADDRINUSE");
      }
    }
  }
}

struct DualStackRow {
  const char* a;
  Options a_options;
  const char* b;
  Options b_options;
  const char* result;
};

// §2.5, the "B result" column: dual stack, IPV6_V6ONLY and IPv4-mapped addresses.
TEST(CheckBind, DualStackTable2_5) {
  const DualStackRow rows[] = {
      {"[::]:4444", v6only(false), "0.0.0.0:4444", none(), "EADDRINUSE"},
      {"0.0.0.0:4444", none(), "[::]:4444", v6only(false), "EADDRINUSE"},
      {"[::]:4444", v6only(true), "0.0.0.0:4444", none(), "OK"},
      {"0.0.0.0:4444", none(), "[::]:4444", v6only(true), "OK"},
      {"[::]:4444", v6only(false, ra()), "0.0.0.0:4444", ra(), "EADDRINUSE"},
      {"[::]:4444", v6only(false, rp()), "0.0.0.0:4444", rp(), "OK"},
      {"0.0.0.0:4444", rp(), "[::]:4444", v6only(false, rp()), "OK"},
      {"[::]:4444", v6only(false), "127.0.0.1:4444", none(), "EADDRINUSE"},
      {"127.0.0.1:4444", none(), "[::]:4444", v6only(false), "EADDRINUSE"},
      {"[::]:4444", v6only(true), "127.0.0.1:4444", none(), "OK"},
      {"[::]:4444", v6only(false), "[::1]:4444", none(), "EADDRINUSE"},
      {"[::]:4444", v6only(true), "[::1]:4444", none(), "EADDRINUSE"},
      {"[::1]:4444", none(), "[::]:4444", v6only(true), "EADDRINUSE"},
      {"[::]:4444", v6only(true, rp()), "[::1]:4444", rp(), "OK"},
      {"[::]:4444", v6only(false), "[::ffff:127.0.0.1]:4444", none(), "EADDRINUSE"},
      {"127.0.0.1:4444", none(), "[::ffff:127.0.0.1]:4444", none(), "EADDRINUSE"},
      {"[::ffff:127.0.0.1]:4444", none(), "127.0.0.1:4444", none(), "EADDRINUSE"},
      {"0.0.0.0:4444", none(), "[::ffff:0.0.0.0]:4444", none(), "EADDRINUSE"},
      {"[::ffff:0.0.0.0]:4444", none(), "[::]:4444", v6only(true), "OK"},
      {"[::ffff:0.0.0.0]:4444", none(), "[::]:4444", v6only(false), "EADDRINUSE"},
      {"[::1]:4444", none(), "127.0.0.1:4444", none(), "OK"},
  };
  for (const DualStackRow& row : rows) {
    SCOPED_TRACE(fmt::format("A={} B={}", row.a, row.b));
    ReferenceHost host;
    host.listen(row.a, row.a_options, "A");
    EXPECT_EQ(host.bind_tcp(row.b, row.b_options), row.result);
  }
}

TEST(CheckBind, MappedAddressRulesTable2_5Notes) {
  ReferenceHost host;
  EXPECT_EQ(host.bind_tcp("[::ffff:127.0.0.1]:4444", v6only(true)), "EINVAL");
  EXPECT_EQ(host.bind_tcp("[::ffff:192.168.1.90]:4444"), "EADDRNOTAVAIL");
  // net.ipv6.bindv6only=1: [::] and 0.0.0.0 coexist; an explicit IPV6_V6ONLY=0 overrides it.
  ReferenceHost bindv6only;
  bindv6only.state.sysctls.bindv6only = true;
  bindv6only.listen("[::]:4444", none(), "A");
  EXPECT_EQ(bindv6only.bind_tcp("0.0.0.0:4444"), "OK");
  ReferenceHost override_sysctl;
  override_sysctl.state.sysctls.bindv6only = true;
  override_sysctl.listen("[::]:4444", v6only(false), "A");
  EXPECT_EQ(override_sysctl.bind_tcp("0.0.0.0:4444"), "EADDRINUSE");
  ReferenceHost mapped_default;
  mapped_default.state.sysctls.bindv6only = true;
  EXPECT_EQ(mapped_default.bind_tcp("[::ffff:127.0.0.1]:4444"), "EINVAL");
}

// §2.6: which addresses can be bound at all; TCP bind+listen and UDP bind agree.
TEST(CheckBind, BindableAddressesTable2_6) {
  const std::pair<const char*, const char*> rows[] = {
      {"127.0.0.1:4444", "OK"},           {"127.0.0.2:4444", "OK"},          {"127.1.2.3:4444", "OK"},
      {"127.255.255.254:4444", "OK"},     {"127.0.0.0:4444", "OK"},          {"127.255.255.255:4444", "OK"},
      {"192.168.1.89:4444", "OK"},        {"10.88.0.1:4444", "OK"},          {"10.99.0.1:4444", "OK"},
      {"192.168.1.90:4444", "EADDRNOTAVAIL"}, {"8.8.8.8:4444", "EADDRNOTAVAIL"}, {"192.168.1.0:4444", "EADDRNOTAVAIL"},
      {"192.168.1.255:4444", "OK"},       {"255.255.255.255:4444", "OK"},    {"224.0.0.1:4444", "OK"},
      {"[::1]:4444", "OK"},               {"[2001:db8:1::89]:4444", "OK"},   {"[2001:db8:88::1]:4444", "OK"},
      {"[2001:db8:99::1]:4444", "OK"},    {"[::2]:4444", "EADDRNOTAVAIL"},  {"[2001:db8:1::90]:4444", "EADDRNOTAVAIL"},
      {"[fe80::89]:4444", "EINVAL"},      {"[fe80::89%en0]:4444", "OK"},    {"[fe80::89%en2]:4444", "OK"},
      {"[fe80::89%lo]:4444", "EADDRNOTAVAIL"}, {"[fe80::89%p2p0]:4444", "EADDRNOTAVAIL"}, {"[fe80::99%p2p0]:4444", "OK"},
  };
  for (auto [address, result] : rows) {
    SCOPED_TRACE(address);
    ReferenceHost host;
    EXPECT_EQ(host.bind_tcp(address), result);
    EXPECT_EQ(host.bind_udp(address), result);
  }
  // ff02::1: TCP refuses multicast; UDP refuses link-local multicast without a scope.
  EXPECT_EQ(ReferenceHost().bind_tcp("[ff02::1]:4444"), "EINVAL");
  EXPECT_EQ(ReferenceHost().bind_udp("[ff02::1]:4444"), "EINVAL");
  EXPECT_EQ(ReferenceHost().bind_udp("[ff02::1%en0]:4444"), "OK");
}

// §2.7: non-local binds and tentative IPv6 addresses.
TEST(CheckBind, NonLocalAndTentativeTable2_7) {
  Options freebind;
  freebind.freebind = true;
  Options transparent;
  transparent.transparent = true;
  for (const char* address : {"192.168.1.90:4444", "8.8.8.8:4444", "[2001:db8:1::90]:4444", "[::2]:4444"}) {
    SCOPED_TRACE(address);
    EXPECT_EQ(ReferenceHost().bind_tcp(address, freebind), "OK");
    EXPECT_EQ(ReferenceHost().bind_tcp(address, transparent), "OK");
    ReferenceHost nonlocal;
    nonlocal.state.sysctls.ipv4_nonlocal_bind = true;
    nonlocal.state.sysctls.ipv6_nonlocal_bind = true;
    EXPECT_EQ(nonlocal.bind_tcp(address), "OK");
  }
  ReferenceHost nonlocal;
  nonlocal.state.sysctls.ipv6_nonlocal_bind = true;
  EXPECT_EQ(nonlocal.bind_tcp("[fe80::1234]:4444"), "EINVAL");
  EXPECT_EQ(nonlocal.bind_tcp("[fe80::1234%en0]:4444"), "OK");

  ReferenceHost unprivileged;
  unprivileged.state.caller_uid = 65534;
  unprivileged.state.caller_can_bind_privileged = false;
  unprivileged.state.caller_can_set_transparent = false;
  Options unprivileged_freebind = freebind;
  unprivileged_freebind.uid = 65534;
  EXPECT_EQ(unprivileged.bind_tcp("192.168.1.90:8080", unprivileged_freebind), "OK");
  Options unprivileged_transparent = transparent;
  unprivileged_transparent.uid = 65534;
  EXPECT_EQ(unprivileged.bind_tcp("192.168.1.90:8080", unprivileged_transparent), "EPERM");
  // The same through --uid from a root caller: another uid has no capabilities.
  EXPECT_EQ(ReferenceHost().bind_tcp("192.168.1.90:8080", as_uid(65534, transparent)), "EPERM");

  ReferenceHost tentative;
  tentative.add_address("2001:db8:1::77", "en0", 64, true);
  EXPECT_EQ(tentative.bind_tcp("[2001:db8:1::77]:4444"), "EADDRNOTAVAIL");
  EXPECT_EQ(tentative.bind_tcp("[2001:db8:1::77]:4444", freebind), "OK");
  tentative.state.addresses.back().tentative = false;  // DAD finished
  EXPECT_EQ(tentative.bind_tcp("[2001:db8:1::77]:4444"), "OK");
}

// §2.8: link-local binds, scope ids and devices.
TEST(CheckBind, LinkLocalScopeTable2_8) {
  ReferenceHost host;
  EXPECT_EQ(host.bind_tcp("[fe80::89]:4444", on_device("en0")), "OK");
  Verdict overridden = check_bind(host.state, host.bind_request(Protocol::kTcp, "[fe80::89%en2]:4444", on_device("en0"), true));
  EXPECT_EQ(ReferenceHost::result_text(overridden), "OK");
  host.listen("[fe80::89%en0]:4444", none(), "A");
  EXPECT_EQ(host.bind_tcp("[fe80::89%en2]:4444"), "OK");
  host.listen("[fe80::89%en2]:4444", none(), "B");
  EXPECT_EQ(host.bind_tcp("[::]:4444", v6only(true)), "EADDRINUSE");
  Verdict both = check_bind(host.state, host.bind_request(Protocol::kTcp, "[::]:4444", v6only(true), true));
  EXPECT_EQ(both.sockets.size(), 2u);  // an unbound socket conflicts with both devices
  EXPECT_EQ(ReferenceHost().bind_tcp("[fe80::89]:4444", on_device("lo")), "EADDRNOTAVAIL");
}

TEST(CheckBind, UnknownScopeOrDeviceIsEnodev) {
  ReferenceHost host;
  BindRequest request = host.bind_request(Protocol::kTcp, "[fe80::89]:4444", none(), false);
  request.endpoint.address.scope_id = 99;
  EXPECT_EQ(ReferenceHost::result_text(check_bind(host.state, request)), "ENODEV");
  BindRequest device = host.bind_request(Protocol::kTcp, "0.0.0.0:4444", none(), false);
  device.device = 99;
  EXPECT_EQ(ReferenceHost::result_text(check_bind(host.state, device)), "ENODEV");
}

// §2.9: addresses of a DOWN interface.
TEST(CheckBind, DownInterfaceTable2_9) {
  ReferenceHost host;
  EXPECT_EQ(host.bind_tcp("10.99.0.1:4444"), "OK");
  EXPECT_EQ(host.bind_udp("10.99.0.1:4444"), "OK");
  EXPECT_EQ(host.bind_tcp("[2001:db8:99::1]:4444"), "OK");  // added nodad on a NOARP tun
  // en2 set down: IPv4 stays, IPv6 addresses are removed by the kernel.
  ReferenceHost en2_down;
  en2_down.state.interfaces[2].up = false;
  en2_down.remove_addresses_of("en2", AF_INET6);
  EXPECT_EQ(en2_down.bind_tcp("10.88.0.1:4444"), "OK");
  EXPECT_EQ(en2_down.bind_tcp("[2001:db8:88::1]:4444"), "EADDRNOTAVAIL");
  EXPECT_EQ(en2_down.bind_tcp("[fe80::89%en2]:4444"), "EADDRNOTAVAIL");
}

// §2.10, "SO_BINDTODEVICE bind conflicts" (A listening, no RA/RP).
TEST(CheckBind, DeviceConflictsTable2_10) {
  struct Row {
    const char* a;
    const char* a_device;
    const char* b;
    const char* b_device;
    const char* result;
  };
  const Row rows[] = {
      {"0.0.0.0:4444", "en0", "0.0.0.0:4444", "en2", "OK"},
      {"0.0.0.0:4444", "en0", "0.0.0.0:4444", "", "EADDRINUSE"},
      {"0.0.0.0:4444", "", "0.0.0.0:4444", "en0", "EADDRINUSE"},
      {"0.0.0.0:4444", "en0", "0.0.0.0:4444", "en0", "EADDRINUSE"},
      {"127.0.0.1:4444", "lo", "127.0.0.1:4444", "en0", "OK"},
      {"10.88.0.1:4444", "en2", "0.0.0.0:4444", "", "EADDRINUSE"},
      {"10.88.0.1:4444", "en2", "0.0.0.0:4444", "en0", "OK"},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(fmt::format("A={}%{} B={}%{}", row.a, row.a_device, row.b, row.b_device));
    ReferenceHost host;
    host.listen(row.a, on_device(row.a_device), "A");
    EXPECT_EQ(host.bind_tcp(row.b, on_device(row.b_device)), row.result);
  }
  ReferenceHost udp;
  udp.udp("0.0.0.0:4444", on_device("en0"), "A");
  EXPECT_EQ(udp.bind_udp("0.0.0.0:4444", on_device("en2")), "OK");
  udp.udp("0.0.0.0:4444", on_device("en2"), "B");
  EXPECT_EQ(udp.bind_udp("0.0.0.0:4444"), "EADDRINUSE");
  // The address is not checked against the device for IPv4 (127.0.0.1 on en0 binds).
  EXPECT_EQ(ReferenceHost().bind_tcp("127.0.0.1:4444", on_device("en0")), "OK");
  // ::1 is host-scoped: on another device it is not found.
  EXPECT_EQ(ReferenceHost().bind_tcp("[::1]:4444", on_device("en0")), "EADDRNOTAVAIL");
}

// §2.11: SO_REUSEPORT needs every socket to set it and one owner uid; root is not exempt.
TEST(CheckBind, ReuseportUidRuleTable2_11) {
  struct Row {
    const char* a;
    uid_t a_uid;
    const char* b;
    uid_t b_uid;
    const char* result;
  };
  const Row rows[] = {
      {"127.0.0.1:4444", 0, "127.0.0.1:4444", 65534, "EADDRINUSE"},
      {"127.0.0.1:4444", 0, "0.0.0.0:4444", 65534, "EADDRINUSE"},
      {"0.0.0.0:4444", 0, "127.0.0.1:4444", 65534, "EADDRINUSE"},
      {"127.0.0.1:4444", 0, "127.0.0.2:4444", 65534, "OK"},
      {"127.0.0.1:4444", 65534, "127.0.0.1:4444", 0, "EADDRINUSE"},
      {"127.0.0.1:4444", 0, "127.0.0.1:4444", 0, "OK"},
  };
  for (const Row& row : rows) {
    for (Protocol protocol : {Protocol::kTcp, Protocol::kUdp}) {
      SCOPED_TRACE(fmt::format("{} A={} uid {} B={} uid {}", protocol == Protocol::kTcp ? "tcp" : "udp", row.a, row.a_uid, row.b, row.b_uid));
      ReferenceHost host;
      host.add(protocol, protocol == Protocol::kTcp ? SocketState::kListen : SocketState::kBound, row.a, as_uid(row.a_uid, rp()), "A");
      EXPECT_EQ(host.bind(protocol, row.b, as_uid(row.b_uid, rp()), protocol == Protocol::kTcp), row.result);
    }
  }
  ReferenceHost mixed;
  mixed.listen("127.0.0.1:4444", rp(), "A");
  EXPECT_EQ(mixed.bind_tcp("127.0.0.1:4444"), "EADDRINUSE");
  ReferenceHost reverse;
  reverse.listen("127.0.0.1:4444", none(), "A");
  EXPECT_EQ(reverse.bind_tcp("127.0.0.1:4444", rp()), "EADDRINUSE");
}

// §2.12, the UDP bind column.
TEST(CheckBind, UdpTable2_12) {
  struct Row {
    const char* a;
    Options a_options;
    const char* b;
    Options b_options;
    const char* result;
  };
  const Row rows[] = {
      {"127.0.0.1:4444", none(), "0.0.0.0:4444", none(), "EADDRINUSE"},
      {"127.0.0.1:4444", none(), "0.0.0.0:4444", ra(), "EADDRINUSE"},
      {"0.0.0.0:4444", ra(), "127.0.0.1:4444", none(), "EADDRINUSE"},
      {"127.0.0.1:4444", ra(), "0.0.0.0:4444", ra(), "OK"},
      {"0.0.0.0:4444", ra(), "127.0.0.1:4444", ra(), "OK"},
      {"127.0.0.1:4444", rp(), "0.0.0.0:4444", rp(), "OK"},
      {"0.0.0.0:4444", rp(), "127.0.0.1:4444", rp(), "OK"},
      {"0.0.0.0:4444", none(), "0.0.0.0:4444", none(), "EADDRINUSE"},
      {"0.0.0.0:4444", ra(), "0.0.0.0:4444", ra(), "OK"},
      {"0.0.0.0:4444", rp(), "0.0.0.0:4444", rp(), "OK"},
      {"[::]:4444", v6only(false), "0.0.0.0:4444", none(), "EADDRINUSE"},
      {"0.0.0.0:4444", none(), "[::]:4444", v6only(false), "EADDRINUSE"},
      {"[::]:4444", v6only(true), "0.0.0.0:4444", none(), "OK"},
      {"[::]:4444", v6only(false, ra()), "0.0.0.0:4444", ra(), "OK"},
      {"0.0.0.0:4444", ra(), "[::]:4444", v6only(false, ra()), "OK"},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(fmt::format("A={} B={}", row.a, row.b));
    ReferenceHost host;
    host.udp(row.a, row.a_options, "A");
    EXPECT_EQ(host.bind_udp(row.b, row.b_options), row.result);
  }
}

// udp_lib_lport_inuse() stops at the first overlapping socket without shared SO_REUSEADDR:
// a same-uid SO_REUSEPORT socket found first lets the bind through past a later conflict.
TEST(CheckBind, UdpFirstOverlappingSocketDecides) {
  ReferenceHost host;
  host.udp("0.0.0.0:4444", on_device("en0"), "old");        // no flags, device en0
  host.udp("0.0.0.0:4444", on_device("en2", rp()), "new");  // SO_REUSEPORT, device en2
  EXPECT_EQ(host.bind_udp("0.0.0.0:4444", rp()), "OK");
  ReferenceHost reversed;
  reversed.udp("0.0.0.0:4444", on_device("en2", rp()), "old");
  reversed.udp("0.0.0.0:4444", on_device("en0"), "new");
  EXPECT_EQ(reversed.bind_udp("0.0.0.0:4444", rp()), "EADDRINUSE");
}

// IPv6 SO_REUSEPORT sockets sit at the tail of the chain, so the older socket without flags
// is met first in either order (found by the oracle, checked on the kernel).
TEST(CheckBind, UdpIpv6ReuseportSocketsAreScannedLast) {
  for (bool reuseport_newer : {true, false}) {
    ReferenceHost host;
    if (reuseport_newer) {
      host.udp("[::]:4444", on_device("en0"), "plain");
      host.udp("[::]:4444", on_device("p2p0", rp()), "rp");
    } else {
      host.udp("[::]:4444", on_device("p2p0", rp()), "rp");
      host.udp("[::]:4444", on_device("en0"), "plain");
    }
    EXPECT_EQ(host.bind_udp("[::]:4444", rp()), "EADDRINUSE") << reuseport_newer;
  }
}

// §2.13: server-side TIME_WAIT left on 127.0.0.1:P by a listener with the row's flags.
TEST(CheckBind, TimeWaitTable2_13) {
  struct Column {
    const char* address;
    Options options;
  };
  const Column columns[] = {{"127.0.0.1:4444", none()}, {"127.0.0.1:4444", ra()}, {"0.0.0.0:4444", ra()},
                            {"127.0.0.1:4444", rp()},   {"127.0.0.1:4444", ra_rp()}, {"127.0.0.2:4444", none()}};
  const std::pair<Options, std::vector<const char*>> rows[] = {
      {none(), {"EADDRINUSE", "EADDRINUSE", "EADDRINUSE", "EADDRINUSE", "EADDRINUSE", "OK"}},
      {ra(), {"EADDRINUSE", "OK", "OK", "EADDRINUSE", "OK", "OK"}},
      {rp(), {"EADDRINUSE", "EADDRINUSE", "EADDRINUSE", "OK", "OK", "OK"}},
  };
  for (const auto& [old_flags, results] : rows) {
    for (size_t column = 0; column < std::size(columns); ++column) {
      SCOPED_TRACE(fmt::format("old RA={} RP={} new {} RA={} RP={}", old_flags.reuseaddr, old_flags.reuseport, columns[column].address,
                               columns[column].options.reuseaddr, columns[column].options.reuseport));
      ReferenceHost host;
      host.add(Protocol::kTcp, SocketState::kTimeWait, "127.0.0.1:4444", old_flags, "tw", "127.0.0.1:50000").uid = 0;
      EXPECT_EQ(host.bind_tcp(columns[column].address, columns[column].options), results[column]);
    }
  }
  // An accepted connection still ESTABLISHED after its listener closed.
  for (bool old_reuseaddr : {false, true}) {
    ReferenceHost host;
    host.add(Protocol::kTcp, SocketState::kConnected, "127.0.0.1:4444", old_reuseaddr ? ra() : none(), "conn", "127.0.0.1:50000");
    EXPECT_EQ(host.bind_tcp("127.0.0.1:4444"), "EADDRINUSE");
    EXPECT_EQ(host.bind_tcp("127.0.0.1:4444", ra()), old_reuseaddr ? "OK" : "EADDRINUSE");
  }
}

// A TIME_WAIT's flags are never visible: the verdict assumes them unset, says so, and
// says what the answer would be otherwise.
TEST(CheckBind, UnknownTimeWaitFlagsAreAssumedAndReported) {
  ReferenceHost host;
  HostSocket& time_wait = host.add(Protocol::kTcp, SocketState::kTimeWait, "127.0.0.1:4444", none(), "tw", "127.0.0.1:50000");
  time_wait.reuseaddr.reset();
  time_wait.reuseport.reset();
  time_wait.owners.clear();
  Verdict with_reuseaddr = check_bind(host.state, host.bind_request(Protocol::kTcp, "127.0.0.1:4444", ra(), true));
  EXPECT_EQ(ReferenceHost::result_text(with_reuseaddr), "EADDRINUSE");
  ASSERT_FALSE(with_reuseaddr.assumptions.empty());
  EXPECT_NE(with_reuseaddr.assumptions[0].find("TIME_WAIT"), std::string::npos);
  ASSERT_TRUE(with_reuseaddr.outcome_if_unknown_set.has_value());
  EXPECT_EQ(*with_reuseaddr.outcome_if_unknown_set, Outcome::kAllowed);
  // Without SO_REUSEADDR on the new socket nothing depends on the unknown flags.
  Verdict plain = check_bind(host.state, host.bind_request(Protocol::kTcp, "127.0.0.1:4444", none(), true));
  EXPECT_EQ(ReferenceHost::result_text(plain), "EADDRINUSE");
  EXPECT_FALSE(plain.outcome_if_unknown_set.has_value());
}

// An IPv6 connection of a dual-stack socket keeps 127.0.0.6 as its IPv4 view: a wildcard
// IPv4 bind conflicts with it, a specific one (bhash2) does not.
TEST(CheckBind, Ipv6ConnectionOfDualStackSocketBlocksIpv4Wildcard) {
  ReferenceHost host;
  host.add(Protocol::kTcp, SocketState::kConnected, "[::1]:4444", v6only(false), "conn", "[::1]:50000").v6only = false;
  EXPECT_EQ(host.bind_tcp("0.0.0.0:4444"), "EADDRINUSE");
  EXPECT_EQ(host.bind_tcp("127.0.0.6:4444"), "OK");
  EXPECT_EQ(host.bind_tcp("127.0.0.1:4444"), "OK");
}

// §2.14: privileged ports, and IPv4 checking the address before the port but IPv6 after.
TEST(CheckBind, PrivilegedPortsTable2_14) {
  ReferenceHost host;
  host.state.caller_uid = 65534;
  host.state.caller_can_bind_privileged = false;
  Options nobody = as_uid(65534);
  EXPECT_EQ(host.bind_tcp("0.0.0.0:80", nobody), "EACCES");
  EXPECT_EQ(host.bind_tcp("0.0.0.0:1023", nobody), "EACCES");
  EXPECT_EQ(host.bind_udp("0.0.0.0:80", nobody), "EACCES");
  EXPECT_EQ(host.bind_tcp("[::]:80", nobody), "EACCES");
  EXPECT_EQ(host.bind_tcp("0.0.0.0:1024", nobody), "OK");
  EXPECT_EQ(host.bind_tcp("0.0.0.0:0", nobody), "OK");
  EXPECT_EQ(host.bind_tcp("192.168.1.90:80", nobody), "EADDRNOTAVAIL");
  EXPECT_EQ(host.bind_tcp("[2001:db8:1::90]:80", nobody), "EACCES");
  ReferenceHost capable = host;
  capable.state.caller_can_bind_privileged = true;
  EXPECT_EQ(capable.bind_tcp("0.0.0.0:80", nobody), "OK");
  EXPECT_EQ(ReferenceHost().bind_tcp("0.0.0.0:80"), "OK");  // root
  ReferenceHost lowered = host;
  lowered.state.sysctls.unprivileged_port_start = 80;
  EXPECT_EQ(lowered.bind_tcp("0.0.0.0:79", nobody), "EACCES");
  EXPECT_EQ(lowered.bind_tcp("0.0.0.0:80", nobody), "OK");
  EXPECT_EQ(lowered.bind_tcp("[::]:80", nobody), "OK");
  lowered.state.sysctls.unprivileged_port_start = 0;
  EXPECT_EQ(lowered.bind_tcp("0.0.0.0:1", nobody), "OK");
  // --uid from a root caller: another uid is assumed to lack the capability.
  EXPECT_EQ(ReferenceHost().bind_tcp("0.0.0.0:80", as_uid(65534)), "EACCES");
}

TEST(CheckBind, ReasonsNameRulesAndKernelFunctionsAndTheFixHelps) {
  ReferenceHost host;
  host.listen("127.0.0.1:4444", ra(), "ncat");
  Verdict verdict = check_bind(host.state, host.bind_request(Protocol::kTcp, "0.0.0.0:4444", ra(), true));
  EXPECT_EQ(verdict.error, EADDRINUSE);
  ASSERT_FALSE(verdict.reasons.empty());
  for (const Reason& reason : verdict.reasons) {
    EXPECT_FALSE(reason.rule.empty());
    EXPECT_FALSE(reason.kernel.empty());
    EXPECT_FALSE(reason.text.empty());
  }
  EXPECT_EQ(verdict.reasons.back().kernel, "inet_bind_conflict");
  ASSERT_EQ(verdict.sockets.size(), 1u);
  EXPECT_EQ(verdict.sockets[0].socket.owners[0].command, "ncat");
  EXPECT_NE(verdict.fix.find("SO_REUSEPORT"), std::string::npos) << verdict.fix;

  ReferenceHost netcat;
  netcat.listen("127.0.0.1:4444", ra_rp(), "nc");
  Verdict missing_reuseport = check_bind(netcat.state, netcat.bind_request(Protocol::kTcp, "0.0.0.0:4444", ra(), true));
  EXPECT_NE(missing_reuseport.fix.find("--reuseport"), std::string::npos) << missing_reuseport.fix;

  Verdict not_local = check_bind(host.state, host.bind_request(Protocol::kTcp, "192.168.1.90:4444", none(), true));
  EXPECT_EQ(not_local.reasons.back().kernel, "inet_addr_valid_or_nonlocal");
  EXPECT_NE(not_local.fix.find("192.168.1.89"), std::string::npos) << not_local.fix;
}

}  // namespace
}  // namespace sockscope::explain
