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

  // The inode lsof names as a UNIX socket's other end ("->INO="): its peer, or for a listener
  // the client of the first connection waiting to be accepted; 0 when there is none.
  static uint64_t unix_other_inode(const SocketRecord& record);

 private:
  // (protocol, local, remote) of a connected TCP or UDP socket.
  using Connection = std::tuple<Protocol, IpAddress, uint16_t, IpAddress, uint16_t>;
  struct ConnectionHash {
    size_t operator()(const Connection& connection) const;
  };

  std::unordered_map<uint64_t, const SocketRecord*> unix_by_inode_;
  std::unordered_map<Connection, const SocketRecord*, ConnectionHash> inet_by_connection_;
};

}  // namespace sockscope::sockets
