// SocketRecord: one socket as sock_diag (or /proc/net) reports it, plus the processes that
// hold it. Plain data: no I/O, so every renderer and the explain model test from tables.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/endpoint.h"

namespace sockscope::sockets {

// UDP-Lite (IPPROTO_UDPLITE) is UDP with partial checksums: listed as lsof lists it.
enum class Protocol : uint8_t { kTcp, kUdp, kUdpLite, kUnix };

// The name as /etc/services and /proc/net spell it: "tcp", "udp", "udplite"; "unix".
constexpr std::string_view protocol_name(Protocol protocol) {
  switch (protocol) {
    case Protocol::kTcp: return "tcp";
    case Protocol::kUdp: return "udp";
    case Protocol::kUdpLite: return "udplite";
    case Protocol::kUnix: return "unix";
  }
  return "";
}

// The kernel keeps this much of a command name (TASK_COMM_LEN less its NUL).
constexpr size_t kCommandNameLimit = 15;

// A process that has the socket open, with the descriptor it holds it as.
struct Owner {
  pid_t pid = 0;
  std::string command;  // /proc/PID/comm
  uid_t uid = 0;        // the process's real uid (what lsof's USER column shows)
  int fd = -1;
  char access = 'u';    // lsof's mode letter: 'r', 'w' or 'u' (read and write)
  // Read only for lsof's -F fields g, R and G.
  pid_t process_group = 0;
  pid_t parent = 0;
  uint32_t file_flags = 0;  // the descriptor's open flags (O_RDWR | O_CLOEXEC ...)
};

struct SocketRecord {
  Protocol protocol = Protocol::kTcp;
  int family = AF_INET;        // AF_INET, AF_INET6 or AF_UNIX
  int type = 0;                // UNIX: SOCK_STREAM, SOCK_DGRAM or SOCK_SEQPACKET
  uint8_t state = 0;           // the kernel's TCP_* numbering (TCP_LISTEN = 10, TCP_CLOSE = 7, ...)
  Endpoint local;              // IPv6 link-local addresses carry their scope
  Endpoint remote;             // unspecified address and port 0 when not connected
  uint32_t bound_device = 0;   // SO_BINDTODEVICE index, 0 when unbound
  bool v6only = false;         // IPV6_V6ONLY (AF_INET6 only); meaningful only when v6only_known
  // sock_diag reports IPV6_V6ONLY only for LISTEN and CLOSE sockets; others need the owner's fd.
  bool v6only_known = false;
  uid_t uid = 0;               // the socket's owner uid (sk_uid)
  uint64_t inode = 0;
  uint64_t cookie = 0;
  uint32_t receive_queue = 0;  // for listeners: the accept queue length
  uint32_t send_queue = 0;     // for listeners: the backlog
  // UNIX sockets only.
  std::string unix_path;       // "@name" for abstract names, empty when unnamed
  uint64_t unix_peer_inode = 0;
  // A listener's first connection waiting to be accepted: its client's inode (lsof's -E shows
  // that client as the listener's other end), 0 when none waits.
  uint64_t unix_waiting_client_inode = 0;
  uint64_t kernel_address = 0; // the (hashed) socket address /proc/net/unix shows; lsof's DEVICE
  // Read from a live owner through pidfd_getfd + getsockopt; empty when it could not be.
  std::optional<bool> reuseaddr;
  std::optional<bool> reuseport;
  std::vector<Owner> owners;   // empty when owners were not asked for or not visible
  // The processes holding the other end of the connection, when that is a socket of this host
  // too (see SocketEnds); filled for the table and JSON views.
  std::vector<Owner> peer_owners;
};

}  // namespace sockscope::sockets
