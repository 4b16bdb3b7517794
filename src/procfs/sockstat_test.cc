#include "procfs/sockstat.h"

#include <gtest/gtest.h>

namespace sockscope::procfs {
namespace {

TEST(Sockstat, ReadsInuseAndTimeWaitOfEachProtocol) {
  SocketCounts counts;
  parse_sockstat("sockets: used 130\nTCP: inuse 51 orphan 0 tw 7 alloc 60 mem 3\nUDP: inuse 4 mem 1\nUDPLITE: inuse 0\n",
                 counts);
  parse_sockstat("TCP6: inuse 12\nUDP6: inuse 2\nUDPLITE6: inuse 0\n", counts);
  EXPECT_EQ(counts.tcp4, 51u);
  EXPECT_EQ(counts.time_wait, 7u);
  EXPECT_EQ(counts.udp4, 4u);
  EXPECT_EQ(counts.tcp6, 12u);
  EXPECT_EQ(counts.udp6, 2u);
}

TEST(Sockstat, LeavesZerosForWhatIsMissingOrMalformed) {
  SocketCounts counts;
  parse_sockstat("TCP: inuse x orphan 0\nUDP6: inuse\n", counts);
  EXPECT_EQ(counts.tcp4, 0u);
  EXPECT_EQ(counts.udp6, 0u);
  EXPECT_EQ(read_socket_counts("/nonexistent").tcp4, 0u);
}

}  // namespace
}  // namespace sockscope::procfs
