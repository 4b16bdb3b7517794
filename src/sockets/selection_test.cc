#include "sockets/selection.h"

#include <netinet/tcp.h>

#include <gtest/gtest.h>

namespace sockscope::sockets {
namespace {

SocketRecord tcp(const char* local, uint16_t port, uint8_t state = TCP_LISTEN) {
  SocketRecord record;
  record.local = {*parse_ip_address(local, ScopeRule::kOptional), port};
  record.family = record.local.address.family;
  record.state = state;
  return record;
}

TEST(InetSpec, ParsesEveryPart) {
  Result<InetSpec> spec = parse_inet_spec("4tcp@127.0.0.1:1-10,80");
  ASSERT_TRUE(spec) << spec.error().message();
  EXPECT_EQ(spec->family, AF_INET);
  EXPECT_EQ(spec->protocol, Protocol::kTcp);
  ASSERT_EQ(spec->hosts.size(), 1u);
  EXPECT_EQ(spec->ports, (std::vector<PortRange>{{1, 10}, {80, 80}}));
  spec = parse_inet_spec("@[::1]:4444");
  ASSERT_TRUE(spec);
  EXPECT_EQ(spec->hosts[0].family, AF_INET6);
}

TEST(InetSpec, ErrorsUseLsofsWords) {
  EXPECT_EQ(parse_inet_spec("foo@").error().context, "unknown protocol name (foo) in: -i foo@");
  EXPECT_EQ(parse_inet_spec(":5-3").error().context, "unacceptable port specification in: -i :5-3");
  EXPECT_EQ(parse_inet_spec("6@127.0.0.1").error().context, "IPv4 addresses are prohibited: -i 6@127.0.0.1");
  EXPECT_EQ(parse_inet_spec("@").error().context, "unacceptable Internet address in: -i @");
  EXPECT_TRUE(parse_inet_spec(":99999")->impossible_port);
}

TEST(Selection, PortMatchesEitherEndAndStatesFilter) {
  Selection selection;
  selection.inet_given = true;
  selection.inet.push_back(*parse_inet_spec(":4444"));
  EXPECT_TRUE(socket_matches(selection, tcp("127.0.0.1", 4444)));
  SocketRecord client = tcp("127.0.0.1", 50000, TCP_ESTABLISHED);
  client.remote = {*parse_ip_address("127.0.0.1"), 4444};
  EXPECT_TRUE(socket_matches(selection, client));
  EXPECT_FALSE(socket_matches(selection, tcp("127.0.0.1", 4445)));
  ASSERT_TRUE(parse_state_spec("TCP:LISTEN", selection));
  EXPECT_FALSE(socket_matches(selection, client));
  EXPECT_EQ(parse_state_spec("TCP:NOPE", selection).error().context, "unknown TCP state name: NOPE");
}

TEST(Selection, AndModeNeedsEveryKind) {
  Selection selection;
  selection.inet_given = true;
  selection.inet.push_back({});
  selection.and_mode = true;
  ASSERT_TRUE(parse_pid_list("42", selection.pids));
  SocketRecord record = tcp("0.0.0.0", 80);
  Owner mine{42, "nginx", 0, 3, 'u'};
  Owner other{43, "nginx", 0, 3, 'u'};
  EXPECT_TRUE(row_matches(selection, record, &mine));
  EXPECT_FALSE(row_matches(selection, record, &other));
  selection.and_mode = false;
  EXPECT_TRUE(row_matches(selection, record, &other));  // ORed: -i alone selects it
}

}  // namespace
}  // namespace sockscope::sockets
