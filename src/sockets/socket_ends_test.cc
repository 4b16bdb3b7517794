#include "sockets/socket_ends.h"

#include <netinet/tcp.h>

#include <gtest/gtest.h>

namespace sockscope::sockets {
namespace {

SocketRecord inet(Protocol protocol, const char* local, uint16_t local_port, const char* remote, uint16_t remote_port) {
  SocketRecord record;
  record.protocol = protocol;
  record.local = {*parse_ip_address(local), local_port};
  record.remote = {*parse_ip_address(remote), remote_port};
  record.state = TCP_ESTABLISHED;
  return record;
}

SocketRecord unix_socket(uint64_t inode, uint64_t peer, uint8_t state = TCP_ESTABLISHED) {
  SocketRecord record;
  record.protocol = Protocol::kUnix;
  record.family = AF_UNIX;
  record.inode = inode;
  record.unix_peer_inode = peer;
  record.state = state;
  return record;
}

TEST(SocketEnds, ConnectionsFindTheirOtherEndsOnThisHost) {
  std::vector<SocketRecord> records = {
      inet(Protocol::kTcp, "127.0.0.1", 5000, "127.0.0.1", 40000),  // server side
      inet(Protocol::kTcp, "127.0.0.1", 40000, "127.0.0.1", 5000),  // its client
      inet(Protocol::kUdp, "127.0.0.1", 40000, "127.0.0.1", 5000),  // same ports, other protocol
      inet(Protocol::kTcp, "127.0.0.1", 41000, "192.0.2.1", 80),    // the other end is elsewhere
      inet(Protocol::kTcp, "0.0.0.0", 5000, "0.0.0.0", 0),          // a listener: no other end
  };
  SocketEnds ends(records);
  EXPECT_EQ(ends.other_end(records[0]), &records[1]);
  EXPECT_EQ(ends.other_end(records[1]), &records[0]);
  EXPECT_EQ(ends.other_end(records[2]), nullptr);
  EXPECT_EQ(ends.other_end(records[3]), nullptr);
  EXPECT_EQ(ends.other_end(records[4]), nullptr);
}

TEST(SocketEnds, UnixSocketsByPeerInodeAndAListenersFirstWaitingClient) {
  std::vector<SocketRecord> records = {unix_socket(10, 11), unix_socket(11, 10), unix_socket(12, 0, TCP_LISTEN),
                                       unix_socket(13, 99)};
  records[2].unix_waiting_client_inode = 13;
  SocketEnds ends(records);
  EXPECT_EQ(ends.other_end(records[0]), &records[1]);
  EXPECT_EQ(ends.other_end(records[2]), &records[3]);
  EXPECT_EQ(ends.lsof_unix_other_inode(records[2]), 13u);
  EXPECT_EQ(ends.lsof_unix_other_inode(records[0]), 11u);
  EXPECT_EQ(ends.lsof_unix_other_inode(records[3]), 0u);  // lsof names only sockets it has seen
  EXPECT_EQ(ends.other_end(records[3]), nullptr);
}

TEST(SocketEnds, LsofPairsAConnectedDatagramSocketsReceiverWithTheFirstSender) {
  // 20 and 21 both send to 22, which is connected to none; 23 and 24 are a pair.
  std::vector<SocketRecord> records = {unix_socket(20, 22), unix_socket(21, 22), unix_socket(22, 0),
                                       unix_socket(23, 24), unix_socket(24, 23)};
  SocketEnds ends(records);
  EXPECT_EQ(ends.other_end(records[2]), nullptr);
  EXPECT_EQ(ends.lsof_other_end(records[2]), &records[0]);
  EXPECT_EQ(ends.lsof_other_end(records[1]), &records[2]);
  EXPECT_EQ(ends.lsof_other_end(records[3]), &records[4]);
}

TEST(SocketEnds, LsofPairsTcpSocketsOnlyWhileEstablished) {
  std::vector<SocketRecord> records = {inet(Protocol::kTcp, "127.0.0.1", 5000, "127.0.0.1", 40000),
                                       inet(Protocol::kTcp, "127.0.0.1", 40000, "127.0.0.1", 5000)};
  records[0].state = TCP_CLOSE_WAIT;
  records[1].state = TCP_FIN_WAIT2;
  SocketEnds ends(records);
  EXPECT_EQ(ends.other_end(records[0]), &records[1]);
  EXPECT_EQ(ends.lsof_other_end(records[0]), nullptr);
  EXPECT_EQ(ends.lsof_other_end(records[1]), nullptr);
}

}  // namespace
}  // namespace sockscope::sockets
