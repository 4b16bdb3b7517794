#include "sockets/socket_ends.h"

#include <netinet/tcp.h>

namespace sockscope::sockets {
namespace {

bool connected(const SocketRecord& record) { return record.remote.port != 0; }

// Where several records share a key (a socket seen twice while the kernel walked its
// tables), the one some process holds is the one lsof would find.
void keep(const SocketRecord*& kept, const SocketRecord& record) {
  if (kept == nullptr || (kept->owners.empty() && !record.owners.empty())) kept = &record;
}

}  // namespace

size_t SocketEnds::ConnectionHash::operator()(const Connection& connection) const {
  // FNV-1a over what tells connections apart: the addresses' bytes and the ports.
  uint64_t hash = 14695981039346656037ull;
  auto mix = [&](const void* data, size_t size) {
    for (const uint8_t* byte = static_cast<const uint8_t*>(data); size-- > 0; ++byte) hash = (hash ^ *byte) * 1099511628211ull;
  };
  const auto& [protocol, local, local_port, remote, remote_port] = connection;
  mix(&protocol, sizeof protocol);
  mix(local.bytes.data(), local.bytes.size());
  mix(&local_port, sizeof local_port);
  mix(remote.bytes.data(), remote.bytes.size());
  mix(&remote_port, sizeof remote_port);
  return static_cast<size_t>(hash);
}

SocketEnds::SocketEnds(const std::vector<SocketRecord>& records) {
  unix_by_inode_.reserve(records.size());
  inet_by_connection_.reserve(records.size());
  for (const SocketRecord& record : records) {
    if (record.protocol == Protocol::kUnix) {
      keep(unix_by_inode_[record.inode], record);
    } else if (connected(record)) {
      keep(inet_by_connection_[{record.protocol, record.local.address, record.local.port, record.remote.address,
                                record.remote.port}],
           record);
    }
  }
  // lsof reads each socket's peer from the dump in order and pairs both ways, the first
  // pairing of a socket winning, where both are in the dump.
  for (const SocketRecord& record : records) {
    uint64_t peer = record.protocol == Protocol::kUnix ? record.unix_peer_inode : 0;
    if (peer == 0 || !unix_by_inode_.contains(record.inode) || !unix_by_inode_.contains(peer)) continue;
    lsof_unix_peers_.try_emplace(record.inode, peer);
    lsof_unix_peers_.try_emplace(peer, record.inode);
  }
}

const SocketRecord* SocketEnds::unix_by_inode(uint64_t inode) const {
  if (inode == 0) return nullptr;
  auto found = unix_by_inode_.find(inode);
  return found != unix_by_inode_.end() ? found->second : nullptr;
}

uint64_t SocketEnds::lsof_unix_other_inode(const SocketRecord& record) const {
  if (record.protocol != Protocol::kUnix) return 0;
  if (record.state == TCP_LISTEN) return unix_by_inode(record.unix_waiting_client_inode) ? record.unix_waiting_client_inode : 0;
  auto found = lsof_unix_peers_.find(record.inode);
  return found != lsof_unix_peers_.end() ? found->second : 0;
}

const SocketRecord* SocketEnds::other_end(const SocketRecord& record) const {
  if (record.protocol == Protocol::kUnix) {
    return unix_by_inode(record.state == TCP_LISTEN ? record.unix_waiting_client_inode : record.unix_peer_inode);
  }
  if (!connected(record)) return nullptr;
  auto found = inet_by_connection_.find(
      {record.protocol, record.remote.address, record.remote.port, record.local.address, record.local.port});
  return found != inet_by_connection_.end() ? found->second : nullptr;
}

const SocketRecord* SocketEnds::lsof_other_end(const SocketRecord& record) const {
  if (record.protocol == Protocol::kUnix) return unix_by_inode(lsof_unix_other_inode(record));
  if (record.protocol == Protocol::kTcp && record.state != TCP_ESTABLISHED) return nullptr;
  const SocketRecord* other = other_end(record);
  return other != nullptr && (other->protocol != Protocol::kTcp || other->state == TCP_ESTABLISHED) ? other : nullptr;
}

}  // namespace sockscope::sockets
