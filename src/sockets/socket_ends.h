// lsof's endpoint information (-E, +E): when the other end of a socket's connection is a
// socket of this host too (a TCP or UDP connection over loopback or to a local address, a
// UNIX socket pair or connection), which socket that is, and so which processes hold it.
#pragma once

#include <cstdint>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "sockets/socket_record.h"

namespace sockscope::sockets {

class SocketEnds {
 public:
  // Indexes records, which must stay where they are while this is used.
  explicit SocketEnds(const std::vector<SocketRecord>& records);

  // The socket at the other end of record's connection, when it is among the records.
  const SocketRecord* other_end(const SocketRecord& record) const;

  // The other end as lsof pairs sockets for -E, which differs from the truth in two ways: TCP
  // sockets pair only while ESTABLISHED (the ends of a half-closed connection name none), and
  // a UNIX socket's peer takes it as its own peer where it has none: a datagram socket that
  // others connect to names the first of them in the kernel's dump.
  const SocketRecord* lsof_other_end(const SocketRecord& record) const;

  // The inode lsof names as a UNIX socket's other end ("->INO="): its peer as lsof pairs them,
  // or for a listener the client of the first connection waiting to be accepted; 0 for none.
  uint64_t lsof_unix_other_inode(const SocketRecord& record) const;

 private:
  // (protocol, local, remote) of a connected TCP or UDP socket.
  using Connection = std::tuple<Protocol, IpAddress, uint16_t, IpAddress, uint16_t>;
  struct ConnectionHash {
    size_t operator()(const Connection& connection) const;
  };

  const SocketRecord* unix_by_inode(uint64_t inode) const;

  std::unordered_map<uint64_t, const SocketRecord*> unix_by_inode_;
  std::unordered_map<uint64_t, uint64_t> lsof_unix_peers_;
  std::unordered_map<Connection, const SocketRecord*, ConnectionHash> inet_by_connection_;
};

}  // namespace sockscope::sockets
