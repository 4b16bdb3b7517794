#include "output/explain_render.h"

#include <gtest/gtest.h>

#include "explain/reference_host_for_tests.h"

namespace sockscope::output {
namespace {

using explain::testing::ra;
using explain::testing::ra_rp;
using explain::testing::ReferenceHost;

TEST(ExplainRender, BindDenialTextHasVerdictReasonsAndFix) {
  ReferenceHost host;
  host.listen("127.0.0.1:4444", ra(), "ncat");
  explain::BindRequest request = host.bind_request(explain::Protocol::kTcp, "0.0.0.0:4444", ra(), true);
  explain::Verdict verdict = explain::check_bind(host.state, request);
  std::string text = render_verdict_text(host.state, request.protocol, describe_bind_question(host.state, request), verdict);
  EXPECT_EQ(text,
            "denied: bind tcp 0.0.0.0:4444 with SO_REUSEADDR, then listen() would fail with EADDRINUSE (Address already in use)\n"
            "  1. 0.0.0.0 is the wildcard: every local IPv4 address [wildcard-address; inet_addr_valid_or_nonlocal()]\n"
            "  2. tcp 127.0.0.1:4444 LISTEN (ncat pid 100, uid 0, SO_REUSEADDR) conflicts: SO_REUSEADDR does not apply because it is "
            "listening, and SO_REUSEADDR never lets a socket share a listening socket's port on Linux; SO_REUSEPORT does not apply "
            "because the new socket does not set SO_REUSEPORT [port-conflict; inet_bind_conflict()]\n"
            "fix: 127.0.0.1:4444 (ncat pid 100) is listening: on Linux only SO_REUSEPORT on every socket, all owned by one uid, lets two "
            "listeners share a port; or stop it, or pick another port\n");
}

TEST(ExplainRender, DeliveryTextNamesTheReceiver) {
  ReferenceHost host;
  host.listen("127.0.0.1:4444", ra_rp(), "nc");
  host.listen("0.0.0.0:4444", ra_rp(), "nc");
  explain::DeliveryRequest request;
  request.protocol = explain::Protocol::kTcp;
  request.destination = host.endpoint("192.168.1.89:4444");
  Result<explain::Verdict> verdict = explain::deliver(host.state, request);
  ASSERT_TRUE(verdict);
  std::string text = render_verdict_text(host.state, request.protocol, describe_delivery_question(host.state, request), *verdict);
  EXPECT_EQ(text.substr(0, text.find('\n')), "delivered: tcp to 192.168.1.89:4444 from the host goes to 0.0.0.0:4444 LISTEN (nc pid 101)");
  EXPECT_NE(text.find("[exact-bucket-first; __inet_lookup_listener()]"), std::string::npos) << text;

  request.arriving_interface = host.index("en0");
  request.destination = host.endpoint("127.0.0.1:4444");
  Result<explain::Verdict> martian = explain::deliver(host.state, request);
  ASSERT_TRUE(martian);
  std::string dropped = render_verdict_text(host.state, request.protocol, describe_delivery_question(host.state, request), *martian);
  EXPECT_EQ(dropped.substr(0, dropped.find('\n')), "dropped: tcp to 127.0.0.1:4444, arriving on en0: it never reaches a socket");
  EXPECT_NE(dropped.find("fix: connect from the host itself, or set net.ipv4.conf.en0.route_localnet=1"), std::string::npos) << dropped;
}

TEST(ExplainRender, JsonCarriesQuestionVerdictSocketsAndReasons) {
  ReferenceHost host;
  host.listen("127.0.0.1:4444", ra(), "ncat");
  explain::BindRequest request = host.bind_request(explain::Protocol::kTcp, "0.0.0.0:4444", ra(), true);
  nlohmann::ordered_json json = render_bind_json(host.state, request, explain::check_bind(host.state, request));
  EXPECT_EQ(json["question"]["kind"], "bind");
  EXPECT_EQ(json["question"]["endpoint"], "0.0.0.0:4444");
  EXPECT_EQ(json["outcome"], "denied");
  EXPECT_EQ(json["errno"], "EADDRINUSE");
  ASSERT_EQ(json["sockets"].size(), 1u);
  EXPECT_EQ(json["sockets"][0]["local"], "127.0.0.1:4444");
  EXPECT_EQ(json["sockets"][0]["state"], "listen");
  EXPECT_EQ(json["sockets"][0]["reuseaddr"], true);
  EXPECT_EQ(json["sockets"][0]["owners"][0]["command"], "ncat");
  EXPECT_EQ(json["reasons"].back()["kernel"], "inet_bind_conflict");
  EXPECT_TRUE(json["if_unknown_flags_set"].is_null());
  std::vector<std::string> keys;
  for (const auto& item : json.items()) keys.push_back(item.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"question", "summary", "outcome", "errno", "error", "choice", "sockets", "reasons", "fix",
                                            "assumptions", "warnings", "if_unknown_flags_set"}));
}

}  // namespace
}  // namespace sockscope::output
