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
  EXPECT_EQ(parse_inet_spec("TCP:").error().context, "unacceptable port specification in: -i TCP:");
  EXPECT_EQ(parse_inet_spec(":1-,80").error().context, "invalid service name: -i :1-,80");
  EXPECT_EQ(parse_inet_spec(":80x").error().context, "unacceptable port specification in: -i :80x");
  EXPECT_EQ(parse_inet_spec("@0x7f000001").error().context, "unknown host name (0x7f000001) in: -i @0x7f000001");
}

TEST(InetSpec, UdpLiteIsAProtocolOfItsOwn) {
  EXPECT_EQ(parse_inet_spec("udplite:1")->protocol, Protocol::kUdpLite);
  Selection udp;
  udp.inet.push_back(*parse_inet_spec("UDP"));
  EXPECT_FALSE(to_collect_request(udp).udplite);
  Selection lite;
  lite.inet.push_back(*parse_inet_spec("UDPLITE"));
  CollectRequest request = to_collect_request(lite);
  EXPECT_TRUE(request.udplite);
  EXPECT_FALSE(request.udp || request.tcp);
  EXPECT_TRUE(to_collect_request(Selection{}).udplite);  // a bare listing has them all
}

TEST(InetSpec, PortRangesAsLsofReadsThem) {
  // A range may end with a service name (a dash starting with a name belongs to the name);
  // "lo-" ends at 0; an end past 65535 reaches the last port.
  EXPECT_EQ(parse_inet_spec("TCP:1-http")->ports, (std::vector<PortRange>{{1, 80}}));
  EXPECT_EQ(parse_inet_spec(":0-")->ports, (std::vector<PortRange>{{0, 0}}));
  EXPECT_EQ(parse_inet_spec(":1-99999")->ports, (std::vector<PortRange>{{1, 65535}}));
  EXPECT_EQ(parse_inet_spec(":80--81").error().context, "unknown service -81 in: -i :80--81");
  EXPECT_TRUE(parse_inet_spec(":70000-80000")->impossible_port);
}

TEST(Selection, PortMatchesEitherEndAndStatesFilter) {
  Selection selection;
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

TEST(Selection, StateNamesAsLsofKnowsThem) {
  Selection selection;
  ASSERT_TRUE(parse_state_spec("tcp:closed,LISTEN,", selection));  // CLOSED is state 0; a comma may end the list
  EXPECT_EQ(selection.tcp_include, (1u << 0) | (1u << TCP_LISTEN));
  EXPECT_EQ(parse_state_spec("TCP:NEW_SYN_RECV", selection).error().context, "unknown TCP state name: NEW_SYN_RECV");
  EXPECT_EQ(parse_state_spec("tcp:,LISTEN", selection).error().context, "NULL TCP state name in: tcp:,LISTEN");
  EXPECT_EQ(parse_state_spec("TCP:CLOSE,^", selection).error().context, "NULL TCP state name in: TCP:CLOSE,^");
  EXPECT_EQ(parse_state_spec("TCP:^listen", selection).error().context, "can't include and exclude TCP state: LISTEN");
  EXPECT_EQ(parse_state_spec("tcp:", selection).error().context, "no TCP state names in: tcp:");
}

TEST(Selection, AndModeNeedsEveryKind) {
  Selection selection;
  add_network_selection("", selection);
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

TEST(Selection, FamilyAloneNarrowsTheNetworkSelectionAndLaterSpecs) {
  Selection selection;
  add_network_selection("", selection);
  add_network_selection("6", selection);
  EXPECT_EQ(selection.network_family, AF_INET6);  // `-i -i6`: IPv6 only
  add_network_selection("4", selection);
  EXPECT_EQ(selection.network_family, AF_UNSPEC);  // and -i4 widens it to both again
  add_network_selection("4", selection);
  EXPECT_EQ(selection.network_family, AF_INET);
  EXPECT_EQ(parse_inet_spec("TCP", AF_INET6)->family, AF_INET6);  // `-i6 -iTCP`: IPv6 TCP
  EXPECT_EQ(parse_inet_spec("@[::1]", AF_INET).error().context, "IPv6 addresses are prohibited: -i @[::1]");
}

TEST(Selection, ZeroAddressesAsLsofReadsThem) {
  // 0.0.0.0 is no address (the spec keeps its IPv4 family); :: is refused.
  Result<InetSpec> spec = parse_inet_spec("TCP@0.0.0.0");
  ASSERT_TRUE(spec);
  EXPECT_TRUE(spec->hosts.empty());
  EXPECT_EQ(spec->family, AF_INET);
  EXPECT_EQ(parse_inet_spec("@0.0.0.0").error().context, "incomplete Internet address specification: -i @0.0.0.0");
  EXPECT_EQ(parse_inet_spec("@[::]:80").error().context, "unacceptable Internet address in: -i @[::]:80");
}

TEST(Selection, AndModeKeepsNetworkSpecsAndUnixApart) {
  Selection selection;
  add_network_selection("4", selection);
  selection.inet.push_back(*parse_inet_spec(":5003"));
  selection.and_mode = true;
  EXPECT_TRUE(socket_matches(selection, tcp("127.0.0.1", 5003)));
  EXPECT_FALSE(socket_matches(selection, tcp("127.0.0.1", 5001)));  // -i4 -a -i:5003: both must hold
  selection.and_mode = false;
  EXPECT_TRUE(socket_matches(selection, tcp("127.0.0.1", 5001)));
  Selection inet_and_unix;
  add_network_selection("", inet_and_unix);
  inet_and_unix.unix_given = true;
  inet_and_unix.and_mode = true;
  EXPECT_FALSE(socket_matches(inet_and_unix, tcp("127.0.0.1", 5001)));  // -i -a -U: nothing is both
}

TEST(Selection, ItemsBothIncludedAndExcludedAreRefusedInLsofsWords) {
  Selection selection;
  ASSERT_TRUE(parse_pid_list("7", selection.pids));
  EXPECT_EQ(parse_pid_list("^7", selection.pids).error().context, "PID 7 has been included and excluded.");
  ASSERT_TRUE(parse_command_list("^ssh", selection.commands));
  EXPECT_EQ(parse_command_list("ssh", selection.commands).error().context, "-c^ssh and -cssh conflict.");
  ASSERT_TRUE(parse_state_spec("TCP:LISTEN", selection));
  EXPECT_EQ(parse_state_spec("TCP:LISTEN", selection).error().context, "duplicate TCP inclusion: LISTEN");
  EXPECT_EQ(parse_state_spec("TCP:^LISTEN", selection).error().context, "can't include and exclude TCP state: LISTEN");
}

TEST(Selection, CommandsByPrefixOrRegularExpression) {
  auto matches = [](std::string_view text, const std::string& command) { return CommandPattern::parse(text)->matches(command); };
  EXPECT_TRUE(matches("ng", "nginx"));
  EXPECT_FALSE(matches("gin", "nginx"));
  EXPECT_TRUE(matches("/gin/", "nginx"));
  EXPECT_FALSE(matches("/^GIN/", "nginx"));
  EXPECT_TRUE(matches("/^NG/i", "nginx"));
  EXPECT_TRUE(matches("/ng.nx/b", "nginx"));
  EXPECT_FALSE(CommandPattern::parse("/gin/", false)->matches("nginx"));  // an exclusion: a prefix
  EXPECT_EQ(CommandPattern::parse("/x/q").error().context, "invalid regexp modifier: q");
  EXPECT_FALSE(CommandPattern::parse("/[/"));
  // The expression ends at its second slash; each modifier once, b and x not together.
  EXPECT_EQ(CommandPattern::parse("/").error().context, "regexp doesn't end with '/': /");
  EXPECT_EQ(CommandPattern::parse("/a/b/").error().context, "invalid regexp modifier: /");
  EXPECT_EQ(CommandPattern::parse("/x/bix").error().context, "b and x regexp modifiers conflict: /x/bix");
  EXPECT_EQ(CommandPattern::parse("/x/ii").error().context, "i regexp modifier already used: /x/ii");
  EXPECT_TRUE(matches("//", "nginx"));
}

TEST(Selection, EachProcessCreditsTheFirstCommandItMatchesAsLsofDoes) {
  auto credited = [](std::vector<std::string_view> items, bool and_mode = false, std::vector<pid_t> pids = {}) {
    Selection selection;
    selection.and_mode = and_mode;
    selection.pids.include = pids;
    for (std::string_view item : items) EXPECT_TRUE(parse_command_list(item, selection.commands));
    std::vector<Owner> processes = {{10, "nginx", 0}, {11, "sshd", 0}, {12, "ssh-agent", 1000}};
    return every_command_credited(selection, processes);
  };
  EXPECT_TRUE(credited({"ng", "ssh"}));
  EXPECT_FALSE(credited({"ng", "nginx"}));   // nginx goes to the prefix given last, "ng" gets none
  EXPECT_FALSE(credited({"sshd", "ssh"}));   // both ssh processes go to "ssh", tried first
  EXPECT_TRUE(credited({"ssh", "sshd"}));    // sshd to "sshd", ssh-agent to "ssh"
  EXPECT_FALSE(credited({"/ng/", "ng"}));    // prefixes before patterns
  EXPECT_TRUE(credited({"/ssh-/", "sshd"}));
  EXPECT_FALSE(credited({"/ss/", "/ssh/"}));  // patterns in the order given
  EXPECT_FALSE(credited({"ng", "ssh"}, true, {10}));  // with -a, only processes -p selects count
  EXPECT_TRUE(credited({"ng", "ssh"}, false, {10}));
}

TEST(Selection, DescriptorListsIncludeOrExclude) {
  FdList fds;
  ASSERT_TRUE(parse_fd_list("3-5,9", fds));
  EXPECT_TRUE(fds.matches(4));
  EXPECT_TRUE(fds.matches(9));
  EXPECT_FALSE(fds.matches(6));
  EXPECT_EQ(parse_fd_list("^7", fds).error().context, "exclude in an include -d list: ^7");
  FdList others;
  ASSERT_TRUE(parse_fd_list("^3", others));
  EXPECT_FALSE(others.matches(3));
  EXPECT_TRUE(others.matches(4));
  FdList names;
  ASSERT_TRUE(parse_fd_list("cwd", names));
  EXPECT_FALSE(names.matches(3));  // no socket is held as cwd
  FdList numbers;
  ASSERT_TRUE(parse_fd_list("fd", numbers));
  EXPECT_TRUE(numbers.matches(12345));
  EXPECT_EQ(parse_fd_list("3-1", numbers).error().context, "-d FD range's low >= its high: 3-1");
  // Ranges split at their last dash, as lsof's: nothing before it is no range at all, nothing
  // after it is 0.
  EXPECT_EQ(parse_fd_list("-1", numbers).error().context, "illegal FD range for -d: -1");
  EXPECT_EQ(parse_fd_list("^1-", others).error().context, "-d FD range's low >= its high: 1-");
  EXPECT_EQ(parse_fd_list("1--2", numbers).error().context, "non-digit in -d FD range: 1--2");
  EXPECT_EQ(parse_fd_list("3,^-1", numbers).error().context, "illegal FD range for -d: -1");  // before the ^ conflict
}

TEST(Selection, InternetItemsCountSocketsThatTheAndThenDrops) {
  Selection selection;
  selection.and_mode = true;
  add_network_selection("", selection);
  ASSERT_TRUE(parse_fd_list("99", selection.fds));
  SocketRecord listener = tcp("127.0.0.1", 4444);
  Owner owner{.pid = 5, .command = "nc", .fd = 3};
  EXPECT_FALSE(row_matches(selection, listener, &owner));  // -d 99 drops it...
  EXPECT_TRUE(counts_for_internet_items(selection, listener, owner));  // ...after the -i counted it
  auto exists = [](pid_t) { return true; };
  EXPECT_EQ(items_not_found(selection, {}, {}, {}, exists), (std::vector<std::string>{"no Internet files located"}));
  EXPECT_TRUE(items_not_found(selection, {}, {{&listener, &owner}}, {}, exists).empty());
  selection.pids.exclude.push_back(5);  // a process left out is never looked at
  EXPECT_FALSE(counts_for_internet_items(selection, listener, owner));
}

}  // namespace
}  // namespace sockscope::sockets
