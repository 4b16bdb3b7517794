// Joins processes to sockets: one pass over every process's descriptors (a BPF iterator, or
// /proc/*/fd) fills each record's owners.
#pragma once

#include <string>
#include <vector>

#include "core/error.h"
#include "sockets/socket_record.h"

namespace sockscope::sockets {

// Where the descriptors are read from. kAny takes the BPF iterator where it can be loaded
// (root, BTF, the initial pid namespace) and no pids are named, and /proc otherwise.
enum class OwnerSource { kAny, kProc, kBpf };

struct OwnerJoin {
  size_t unreadable_processes = 0;  // fd tables we could not read (other users' without root)
  OwnerSource used = OwnerSource::kProc;
};

// Fills owners of every record; only_pids narrows the scan when the selection names its
// processes. Fails only when kBpf is asked for and the iterator cannot run.
Result<OwnerJoin> attach_owners(std::vector<SocketRecord>& records, OwnerSource source = OwnerSource::kAny,
                                const std::vector<pid_t>& only_pids = {});

// The TCP (or UDP) sockets of this network namespace bound to local port, with their owners:
// what "who holds this port" questions need (nc's hints, explain).
Result<std::vector<SocketRecord>> collect_port_holders(Protocol protocol, uint16_t port);

// Reads SO_REUSEADDR and SO_REUSEPORT of every record with a live owner, through a
// duplicate of the owner's descriptor (pidfd_getfd; needs ptrace rights over the owner).
void read_reuse_flags(std::vector<SocketRecord>& records);

}  // namespace sockscope::sockets
