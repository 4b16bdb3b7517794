#include "sockets/owners.h"

#include <unistd.h>

#include <algorithm>

#include <gtest/gtest.h>

namespace sockscope::sockets {
namespace {

// Records with inodes 1000, 1001, ... (dump order), and descriptors of this process that
// hold them in another order: every third socket twice, the second time at a later fd.
struct Host {
  std::vector<SocketRecord> records;
  std::vector<procfs::SocketFd> fds;
};

Host make_host(size_t sockets, size_t unrelated_fds) {
  Host host;
  pid_t self = getpid();
  for (size_t i = 0; i < sockets; ++i) {
    SocketRecord record;
    record.inode = 1000 + (i * 7919) % sockets;  // a permutation: the dump's hash order
    host.records.push_back(record);
  }
  int fd = 3;
  for (size_t i = 0; i < sockets; ++i) host.fds.push_back({1000 + i, self, fd++});
  for (size_t i = 0; i < sockets; i += 3) host.fds.push_back({1000 + i, self, fd++});
  for (size_t i = 0; i < unrelated_fds; ++i) host.fds.push_back({900000 + i, self, fd++});
  return host;
}

// (inode, fd) of each owner, record by record, and the records in lsof's order.
using Joined = std::pair<std::vector<std::vector<std::pair<uint64_t, int>>>, std::vector<uint64_t>>;

Joined describe(const std::vector<SocketRecord>& records, const OwnerJoin& join) {
  Joined joined;
  for (const SocketRecord& record : records) {
    joined.first.emplace_back();
    for (const Owner& owner : record.owners) joined.first.back().emplace_back(record.inode, owner.fd);
  }
  for (uint32_t index : join.by_first_descriptor) joined.second.push_back(records[index].inode);
  return joined;
}

Joined expected(const Host& host) {
  Joined joined;
  for (const SocketRecord& record : host.records) {
    joined.first.emplace_back();
    for (const procfs::SocketFd& fd : host.fds) {
      if (fd.inode == record.inode) joined.first.back().emplace_back(record.inode, fd.fd);
    }
  }
  for (const procfs::SocketFd& fd : host.fds) {
    bool first = std::find_if(host.fds.begin(), host.fds.end(), [&](const procfs::SocketFd& other) {
                   return other.inode == fd.inode;
                 })->fd == fd.fd;
    bool listed = std::any_of(host.records.begin(), host.records.end(), [&](const SocketRecord& r) { return r.inode == fd.inode; });
    if (first && listed) joined.second.push_back(fd.inode);
  }
  return joined;
}

// One attach() of every record, compared with the brute-force join.
void expect_attach_joins(Host host) {
  OwnerScan scan = OwnerScan::with_descriptors(host.fds);
  Result<OwnerJoin> join = scan.attach(host.records);
  ASSERT_TRUE(join) << join.error().message();
  EXPECT_EQ(describe(host.records, *join), expected(host));
  ASSERT_FALSE(host.records[0].owners.empty());
  EXPECT_FALSE(host.records[0].owners.front().command.empty());  // this process's comm
}

TEST(OwnerScan, JoinsManyRecordsThroughTheDescriptorIndex) { expect_attach_joins(make_host(3000, 10)); }

TEST(OwnerScan, JoinsRecordsAsTheyArriveAndTheRestAtTheEnd) {
  Host host = make_host(3000, 10);
  OwnerScan scan = OwnerScan::with_descriptors(host.fds);
  // As collect_sockets hands them over: growing prefixes, the last records only to attach().
  std::span<SocketRecord> all(host.records);
  scan.join_early(all.first(1000));
  scan.join_early(all.first(1000));
  scan.join_early(all.first(2500));
  EXPECT_FALSE(host.records[2499].owners.empty());
  EXPECT_TRUE(host.records[2500].owners.empty());
  Result<OwnerJoin> join = scan.attach(host.records);
  ASSERT_TRUE(join) << join.error().message();
  EXPECT_EQ(describe(host.records, *join), expected(host));
}

TEST(OwnerScan, JoinsAFewRecordsAmongManyDescriptors) { expect_attach_joins(make_host(30, 5000)); }

}  // namespace
}  // namespace sockscope::sockets
