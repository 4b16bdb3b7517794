#include "sys/socket.h"

#include <netinet/in.h>

#include <gtest/gtest.h>

namespace sockscope::sys {
namespace {

Endpoint loopback(uint16_t port) { return Endpoint{*parse_ip_address("127.0.0.1"), port}; }

TEST(SocketWrappers, ListenConnectAcceptOnLoopback) {
  Result<UniqueFd> listener = open_socket(AF_INET, SOCK_STREAM);
  ASSERT_TRUE(listener);
  ASSERT_TRUE(bind_socket(listener->get(), loopback(0)));
  ASSERT_TRUE(listen_socket(listener->get(), 4));
  Result<SockAddr> bound = local_address(listener->get());
  ASSERT_TRUE(bound);
  Endpoint server = Endpoint::from_sockaddr(bound->get(), bound->length);
  ASSERT_NE(server.port, 0);

  Result<UniqueFd> client = open_socket(AF_INET, SOCK_STREAM);
  ASSERT_TRUE(client);
  ASSERT_TRUE(connect_socket(client->get(), server, std::chrono::milliseconds(2000)));
  SockAddr peer;
  Result<UniqueFd> accepted = accept_socket(listener->get(), &peer);
  ASSERT_TRUE(accepted);
  Result<SockAddr> client_local = local_address(client->get());
  EXPECT_EQ(Endpoint::from_sockaddr(peer.get(), peer.length),
            Endpoint::from_sockaddr(client_local->get(), client_local->length));
  EXPECT_TRUE(shutdown_socket(client->get(), SHUT_WR));
}

TEST(SocketWrappers, ErrorsCarryErrno) {
  Result<UniqueFd> first = open_socket(AF_INET, SOCK_STREAM);
  ASSERT_TRUE(bind_socket(first->get(), loopback(0)));
  ASSERT_TRUE(listen_socket(first->get(), 1));
  Result<SockAddr> bound = local_address(first->get());
  Endpoint taken = Endpoint::from_sockaddr(bound->get(), bound->length);

  Result<UniqueFd> second = open_socket(AF_INET, SOCK_STREAM);
  Result<void> clash = bind_socket(second->get(), taken);
  ASSERT_FALSE(clash);
  EXPECT_EQ(clash.error().code, EADDRINUSE);
  EXPECT_EQ(clash.error().message(), "bind: Address already in use");

  // Nothing listens on the port once the listener is closed: refused, not a timeout.
  first->reset();
  Result<UniqueFd> client = open_socket(AF_INET, SOCK_STREAM);
  Result<void> refused = connect_socket(client->get(), taken, std::chrono::milliseconds(2000));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ECONNREFUSED);
}

TEST(SocketWrappers, SetAndGetOptions) {
  Result<UniqueFd> socket = open_socket(AF_INET6, SOCK_STREAM);
  ASSERT_TRUE(socket);
  ASSERT_TRUE(set_socket_option(socket->get(), SOL_SOCKET, SO_REUSEPORT, 1));
  EXPECT_EQ(*get_socket_option(socket->get(), SOL_SOCKET, SO_REUSEPORT), 1);
  ASSERT_TRUE(set_socket_option(socket->get(), IPPROTO_IPV6, IPV6_V6ONLY, 1));
  EXPECT_EQ(*get_socket_option(socket->get(), IPPROTO_IPV6, IPV6_V6ONLY), 1);
  EXPECT_FALSE(set_socket_option(-1, SOL_SOCKET, SO_REUSEADDR, 1));
}

}  // namespace
}  // namespace sockscope::sys
