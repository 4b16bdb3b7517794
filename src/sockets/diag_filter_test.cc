#include "sockets/diag_filter.h"

#include <linux/inet_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include <gtest/gtest.h>

#include "netlink/channel.h"
#include "sockets/collect.h"

namespace sockscope::sockets {
namespace {

// Runs a program the way the kernel's inet_diag_bc_run does, over one socket's two ports.
bool run_program(const std::vector<uint8_t>& program, uint16_t sport, uint16_t dport) {
  int length = static_cast<int>(program.size());
  const uint8_t* at = program.data();
  while (length > 0) {
    inet_diag_bc_op op;
    std::memcpy(&op, at, sizeof op);
    bool yes = true;
    inet_diag_bc_op port_op{};
    if (op.code != INET_DIAG_BC_JMP) std::memcpy(&port_op, at + sizeof op, sizeof port_op);
    switch (op.code) {
      case INET_DIAG_BC_S_EQ: yes = sport == port_op.no; break;
      case INET_DIAG_BC_D_EQ: yes = dport == port_op.no; break;
      case INET_DIAG_BC_S_GE: yes = sport >= port_op.no; break;
      case INET_DIAG_BC_S_LE: yes = sport <= port_op.no; break;
      case INET_DIAG_BC_D_GE: yes = dport >= port_op.no; break;
      case INET_DIAG_BC_D_LE: yes = dport <= port_op.no; break;
      case INET_DIAG_BC_JMP: yes = false; break;
      default: ADD_FAILURE() << "unexpected op " << int(op.code); return false;
    }
    int step = yes ? op.yes : op.no;
    length -= step;
    at += step;
  }
  return length == 0;
}

TEST(DiagFilter, AcceptsEitherPortInAnyRange) {
  std::vector<uint8_t> program = compile_port_filter({{4444, 4444}, {8000, 8010}});
  ASSERT_FALSE(program.empty());
  EXPECT_TRUE(run_program(program, 4444, 0));
  EXPECT_TRUE(run_program(program, 50000, 4444));
  EXPECT_TRUE(run_program(program, 8005, 1));
  EXPECT_TRUE(run_program(program, 1, 8010));
  EXPECT_FALSE(run_program(program, 4445, 7999));
  EXPECT_FALSE(run_program(program, 8011, 80));
}

TEST(DiagFilter, NoRangesMeansNoProgram) { EXPECT_TRUE(compile_port_filter({}).empty()); }

// The kernel audits every program it is sent: a malformed one fails the dump with EINVAL.
TEST(DiagFilter, TheKernelAcceptsTheProgramAndFiltersWithIt) {
  int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(listener, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(listen(listener, 1), 0);
  socklen_t length = sizeof address;
  getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length);
  uint16_t port = ntohs(address.sin_port);

  Result<netlink::Channel> channel = netlink::Channel::open(NETLINK_SOCK_DIAG);
  ASSERT_TRUE(channel) << channel.error().message();
  CollectRequest request;
  request.udp = false;
  request.ipv6 = false;
  // Hundreds of ports make a program of several pages: the request must grow to carry it.
  for (uint16_t other = 1; other <= 400; ++other) request.ports.push_back({other, other});
  request.ports.push_back({port, port});
  Result<std::vector<SocketRecord>> records = collect_sockets(*channel, request);
  ASSERT_TRUE(records) << records.error().message();
  ASSERT_FALSE(records->empty());
  for (const SocketRecord& record : *records) {
    EXPECT_TRUE(record.local.port == port || record.remote.port == port);
  }
  close(listener);
}

// Makes a listener of family on loopback and one connection to it; returns their three fds.
std::vector<int> listener_and_pair(int family) {
  int listener = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_storage address{};
  socklen_t length;
  if (family == AF_INET) {
    auto* v4 = reinterpret_cast<sockaddr_in*>(&address);
    v4->sin_family = AF_INET;
    v4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    length = sizeof *v4;
  } else {
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&address);
    v6->sin6_family = AF_INET6;
    v6->sin6_addr = in6addr_loopback;
    length = sizeof *v6;
  }
  if (bind(listener, reinterpret_cast<sockaddr*>(&address), length) != 0 || listen(listener, 4) != 0) return {};
  getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length);
  int client = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (connect(client, reinterpret_cast<sockaddr*>(&address), length) != 0) return {};
  return {listener, client, accept4(listener, nullptr, nullptr, SOCK_CLOEXEC)};
}

// TCP over both families comes in one dump (the original TCP request), filtered or not:
// every socket of either family must come back, once.
TEST(DiagFilter, OneDumpOfBothFamiliesHasEverySocketOnce) {
  std::vector<int> fds = listener_and_pair(AF_INET);
  std::vector<int> v6 = listener_and_pair(AF_INET6);
  ASSERT_EQ(fds.size(), 3u);
  fds.insert(fds.end(), v6.begin(), v6.end());
  std::vector<ino_t> inodes;
  CollectRequest filtered;
  filtered.udp = false;
  for (int fd : fds) {
    struct stat info {};
    ASSERT_EQ(fstat(fd, &info), 0);
    inodes.push_back(info.st_ino);
    sockaddr_storage address{};
    socklen_t length = sizeof address;
    getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
    uint16_t port = ntohs(reinterpret_cast<sockaddr_in*>(&address)->sin_port);  // same place in sockaddr_in6
    filtered.ports.push_back({port, port});
  }
  CollectRequest everything;
  everything.udp = false;
  for (const CollectRequest& request : {everything, filtered}) {
    Result<netlink::Channel> channel = netlink::Channel::open(NETLINK_SOCK_DIAG);
    ASSERT_TRUE(channel) << channel.error().message();
    Result<std::vector<SocketRecord>> records = collect_sockets(*channel, request);
    ASSERT_TRUE(records) << records.error().message();
    for (ino_t inode : inodes) {
      long seen = std::count_if(records->begin(), records->end(), [&](const SocketRecord& r) { return r.inode == inode; });
      EXPECT_EQ(seen, 1) << "inode " << inode << (request.ports.empty() ? "" : ", filtered");
    }
  }
  for (int fd : fds) close(fd);
}

}  // namespace
}  // namespace sockscope::sockets
