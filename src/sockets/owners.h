// Joins processes to sockets: one pass over every process's descriptors (a BPF iterator, or
// /proc/*/fd) fills each record's owners.
#pragma once

#include <future>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/error.h"
#include "procfs/socket_fds.h"
#include "sockets/socket_record.h"

namespace sockscope::sockets {

// Where the descriptors are read from. kAny takes the BPF iterator where it can be loaded
// (root, BTF, the initial pid namespace), no pids are named and the host has enough open
// files for it to pay off, and /proc otherwise.
enum class OwnerSource { kAny, kProc, kBpf };

struct OwnerJoin {
  size_t unreadable_processes = 0;  // fd tables we could not read (other users' without root)
  // The records that got owners, by their first descriptor in the order the scan read them:
  // by pid, then descriptor, which is the order lsof lists them in.
  std::vector<uint32_t> by_first_descriptor;
};

struct Descriptors;  // owners.cc: the descriptors indexed for the join

// The host's socket descriptors, joined to socket records in two steps. start() sets the BPF
// iterator (or the /proc scan) going on a thread of its own, so that it runs while the caller
// dumps the sockets (both wait on the kernel; this host has cores to spare), and join_early()
// joins the records that have come by the time it is done; attach() joins the rest.
class OwnerScan {
 public:
  OwnerScan(OwnerScan&&) noexcept;
  OwnerScan& operator=(OwnerScan&&) noexcept;
  ~OwnerScan();

  // only_pids narrows the scan when the selection names its processes.
  static OwnerScan start(OwnerSource source, std::vector<pid_t> only_pids = {});

  // A scan whose descriptors are already in (pid then descriptor order), as the iterator
  // would give them: for tests of the join.
  static OwnerScan with_descriptors(std::vector<procfs::SocketFd> fds);

  // Fills the owners of records while the dump is still running (collect_sockets' so_far),
  // if the iterator is done by then; never waits. so_far: the first records of what attach()
  // will be given.
  void join_early(std::span<SocketRecord> so_far);

  // Fills owners of every record not joined yet. Fails only when kBpf was asked for and the
  // iterator could not run; with kAny the /proc scan takes over.
  Result<OwnerJoin> attach(std::vector<SocketRecord>& records);

 private:
  OwnerScan();
  // Takes the descriptors read on the thread once it is done (waiting for it); false when the
  // iterator failed.
  bool take_read();
  // Records [begin, end) through descriptors_.
  void join(SocketRecord* records, size_t begin, size_t end);
  // Every record, through an index of the records and a pass over the descriptors.
  void join_few(std::vector<SocketRecord>& records, OwnerJoin& result);

  OwnerSource source_ = OwnerSource::kAny;
  std::vector<pid_t> only_pids_;  // sorted
  std::future<Result<procfs::SocketFdScan>> reading_;  // the iterator or the /proc scan, on its thread
  std::optional<std::vector<procfs::SocketFd>> fds_;   // the iterator's or the scan's
  size_t unreadable_ = 0;                              // processes the scan could not read
  std::unique_ptr<Descriptors> descriptors_;           // fds_ indexed, once many records are joined
  std::optional<Error> iterator_error_;
  size_t joined_ = 0;  // records [0, joined_) have their owners
};

// start() and attach() at once.
Result<OwnerJoin> attach_owners(std::vector<SocketRecord>& records, OwnerSource source = OwnerSource::kAny,
                                const std::vector<pid_t>& only_pids = {});

// The TCP (or UDP) sockets of this network namespace bound to local port, with their owners:
// what "who holds this port" questions need (nc's hints, explain).
Result<std::vector<SocketRecord>> collect_port_holders(Protocol protocol, uint16_t port);

// Reads SO_REUSEADDR and SO_REUSEPORT of every record with a live owner, through a
// duplicate of the owner's descriptor (pidfd_getfd; needs ptrace rights over the owner).
void read_reuse_flags(std::vector<SocketRecord>& records);

}  // namespace sockscope::sockets
