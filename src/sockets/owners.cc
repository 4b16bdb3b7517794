#include "sockets/owners.h"

#include <linux/capability.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <unordered_map>

#include "bpf/socket_fd_iterator.h"
#include "netlink/channel.h"
#include "procfs/socket_fds.h"
#include "procfs/sysctl.h"
#include "sockets/collect.h"
#include "sys/capabilities.h"
#include "sys/pidfd.h"
#include "sys/socket.h"

namespace sockscope::sockets {
namespace {

// Loading a tracing program takes CAP_BPF and CAP_PERFMON, or CAP_SYS_ADMIN; without them
// the attempt would only cost time (the kernel's BTF is read before the kernel says no).
bool may_load_bpf() {
  auto has = [](int capability) { return sys::has_effective_capability(capability).value_or(false); };
  return has(CAP_SYS_ADMIN) || (has(CAP_BPF) && has(CAP_PERFMON));
}

// The iterator has a fixed price (reading the kernel's BTF and loading the program: ~3 ms)
// where the /proc scan costs ~3 us per open file on the host: they break even near 1500 open
// files (measured with bench/socket_generator.py). fs/file-nr counts them host-wide.
bool iterator_pays_off() {
  constexpr long kOpenFilesWorthTheIterator = 2000;
  return procfs::read_sysctl("fs/file-nr").value_or(kOpenFilesWorthTheIterator) >= kOpenFilesWorthTheIterator;
}

// inode -> a number (a record's or a descriptor's index): open addressing over a
// power-of-two table at most half full. One probe usually answers, where a binary search over
// 100k sorted inodes costs ~17 steps that mostly miss the cache.
class InodeIndex {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;

  explicit InodeIndex(size_t count) {
    size_t size = 16;
    while (size < 2 * count) size *= 2;
    slots_.assign(size, {0, kNone});
    mask_ = size - 1;
  }

  // Keeps the first number given for an inode and returns it; kNone when this one is the first.
  uint32_t insert(uint64_t inode, uint32_t number) {
    if (inode == 0) return kNone;
    size_t slot = spread(inode) & mask_;
    while (slots_[slot].inode != 0 && slots_[slot].inode != inode) slot = (slot + 1) & mask_;
    if (slots_[slot].inode == inode) return slots_[slot].number;
    slots_[slot] = {inode, number};
    return kNone;
  }

  void prefetch(uint64_t inode) const { __builtin_prefetch(&slots_[spread(inode) & mask_]); }

  uint32_t find(uint64_t inode) const {
    if (inode == 0) return kNone;
    for (size_t slot = spread(inode) & mask_;; slot = (slot + 1) & mask_) {
      if (slots_[slot].inode == inode) return slots_[slot].number;
      if (slots_[slot].inode == 0) return kNone;
    }
  }

 private:
  struct Slot {
    uint64_t inode;
    uint32_t number;
  };
  // Inodes are handed out in sequence; a multiplicative hash spreads neighbours apart.
  static size_t spread(uint64_t inode) { return static_cast<size_t>((inode * 0x9E3779B97F4A7C15ull) >> 20); }

  std::vector<Slot> slots_;
  size_t mask_ = 0;
};

}  // namespace

// The host's socket descriptors, indexed by inode, for joining many records walked in
// sequence. What the join reads of one descriptor sits in one place, so that finding it
// costs one cache miss, not four.
struct Descriptors {
  struct Entry {
    pid_t pid;
    int fd;
    uint32_t next;     // the next descriptor of the same socket, kNone at the last
    uint32_t process;  // index into processes
    uint32_t record = InodeIndex::kNone;  // set by the join on the first descriptor it keeps of a socket
  };

  explicit Descriptors(const std::vector<procfs::SocketFd>& fds) : first(fds.size()) {
    entries.reserve(fds.size());
    std::vector<uint32_t> last(fds.size(), InodeIndex::kNone);  // per first descriptor: the end of its chain
    for (uint32_t i = 0; i < fds.size(); ++i) {
      // Descriptors come grouped by process.
      if (i == 0 || fds[i].pid != fds[i - 1].pid) processes.push_back({});
      entries.push_back({fds[i].pid, fds[i].fd, InodeIndex::kNone, static_cast<uint32_t>(processes.size() - 1)});
      uint32_t head = first.insert(fds[i].inode, i);
      if (head == InodeIndex::kNone) continue;
      entries[last[head] == InodeIndex::kNone ? head : last[head]].next = i;
      last[head] = i;
    }
  }

  // comm and uid of the entry's process, read from /proc once and only when it owns a listed
  // socket.
  const procfs::ProcessInfo& process_of(const Entry& entry) {
    procfs::ProcessInfo& process = processes[entry.process];
    if (process.pid != entry.pid) process = procfs::read_process_info("/proc", entry.pid);
    process.pid = entry.pid;
    return process;
  }

  InodeIndex first;  // inode -> its first descriptor
  std::vector<Entry> entries;
  std::vector<procfs::ProcessInfo> processes;  // pid 0 until read
};

OwnerScan::OwnerScan() = default;
OwnerScan::OwnerScan(OwnerScan&&) noexcept = default;
OwnerScan& OwnerScan::operator=(OwnerScan&&) noexcept = default;
OwnerScan::~OwnerScan() = default;

OwnerScan OwnerScan::start(OwnerSource source, std::vector<pid_t> only_pids) {
  OwnerScan scan;
  scan.source_ = source;
  std::sort(only_pids.begin(), only_pids.end());
  scan.only_pids_ = std::move(only_pids);
  // With named processes, reading their few descriptor tables beats loading a program.
  bool try_bpf = source == OwnerSource::kBpf ||
                 (source == OwnerSource::kAny && scan.only_pids_.empty() && iterator_pays_off() && may_load_bpf());
  if (try_bpf) {
    scan.reading_ = std::async(std::launch::async, []() -> Result<procfs::SocketFdScan> {
      Result<std::vector<procfs::SocketFd>> fds = bpf::iterate_socket_fds();
      if (!fds) return tl::unexpected(fds.error());
      return procfs::SocketFdScan{std::move(*fds), 0};
    });
  } else {
    // The /proc scan reads every socket descriptor (a readlink each) beside the dump too: which
    // sockets come back would only spare storing the others, not reading them.
    scan.reading_ = std::async(std::launch::async, [only = scan.only_pids_]() -> Result<procfs::SocketFdScan> {
      return procfs::scan_socket_fds("/proc", {}, only);
    });
  }
  return scan;
}

OwnerScan OwnerScan::with_descriptors(std::vector<procfs::SocketFd> fds) {
  OwnerScan scan;
  std::promise<Result<procfs::SocketFdScan>> given;
  given.set_value(procfs::SocketFdScan{std::move(fds), 0});
  scan.reading_ = given.get_future();
  return scan;
}

bool OwnerScan::take_read() {
  if (fds_ || !reading_.valid()) return fds_.has_value();
  Result<procfs::SocketFdScan> read = reading_.get();
  if (read) {
    fds_ = std::move(read->fds);
    unreadable_ = read->unreadable;
  } else {
    iterator_error_ = read.error();
  }
  return fds_.has_value();
}

void OwnerScan::join_early(std::span<SocketRecord> so_far) {
  if (!fds_ && !(reading_.valid() && reading_.wait_for(std::chrono::seconds(0)) == std::future_status::ready)) return;
  if (!take_read()) return;
  if (!descriptors_) descriptors_ = std::make_unique<Descriptors>(*fds_);
  join(so_far.data(), joined_, so_far.size());
  joined_ = so_far.size();
}

void OwnerScan::join(SocketRecord* records, size_t begin, size_t end) {
  // The records are walked in sequence and their descriptors found by inode: the records are
  // too large for the cache, the descriptor table is not, and a record waited on at a random
  // place cost more than the rest of the join. Lookups run a few records ahead: the record is
  // fetched 32 ahead, its index slot 16 ahead, the entry that names 8 ahead.
  Descriptors& descriptors = *descriptors_;
  std::vector<Descriptors::Entry>& entries = descriptors.entries;
  constexpr size_t kRecordAhead = 32;
  constexpr size_t kSlotAhead = 16;
  constexpr size_t kEntryAhead = 8;
  for (size_t i = begin; i < end; ++i) {
    if (i + kRecordAhead < end) {
      __builtin_prefetch(&records[i + kRecordAhead].inode);
      __builtin_prefetch(&records[i + kRecordAhead].owners, 1);
    }
    if (i + kSlotAhead < end) descriptors.first.prefetch(records[i + kSlotAhead].inode);
    if (i + kEntryAhead < end) {
      uint32_t ahead = descriptors.first.find(records[i + kEntryAhead].inode);
      if (ahead != InodeIndex::kNone) __builtin_prefetch(&entries[ahead], 1);
    }
    SocketRecord& record = records[i];
    for (uint32_t at = descriptors.first.find(record.inode); at != InodeIndex::kNone; at = entries[at].next) {
      Descriptors::Entry& entry = entries[at];
      if (!only_pids_.empty() && !std::binary_search(only_pids_.begin(), only_pids_.end(), entry.pid)) continue;
      const procfs::ProcessInfo& process = descriptors.process_of(entry);
      if (record.owners.empty()) entry.record = static_cast<uint32_t>(i);
      record.owners.push_back({entry.pid, process.command, process.uid, entry.fd, 'u'});
    }
  }
}

Result<OwnerJoin> OwnerScan::attach(std::vector<SocketRecord>& records) {
  OwnerJoin result;
  if (!take_read()) {
    if (iterator_error_ && source_ == OwnerSource::kBpf) return tl::unexpected(*iterator_error_);
    // The iterator could not run after all: the /proc scan, keeping only the descriptors of
    // sockets that came back.
    InodeIndex listed(records.size());
    for (uint32_t i = 0; i < records.size(); ++i) listed.insert(records[i].inode, i);
    procfs::SocketFdScan scan = procfs::scan_socket_fds(
        "/proc", [&](uint64_t inode) { return listed.find(inode) != InodeIndex::kNone; }, only_pids_);
    unreadable_ = scan.unreadable;
    fds_ = std::move(scan.fds);
  }
  result.unreadable_processes = unreadable_;
  // A few records among many descriptors (one port on a busy host) are looked up the other
  // way: an index of the records, and one pass over the descriptors.
  constexpr size_t kFewRecords = 8;
  if (!descriptors_ && records.size() * kFewRecords < fds_->size()) {
    join_few(records, result);
    return result;
  }
  if (!descriptors_) descriptors_ = std::make_unique<Descriptors>(*fds_);
  join(records.data(), joined_, records.size());
  joined_ = records.size();
  result.by_first_descriptor.reserve(records.size());
  for (const Descriptors::Entry& entry : descriptors_->entries) {
    if (entry.record != InodeIndex::kNone) result.by_first_descriptor.push_back(entry.record);
  }
  return result;
}

void OwnerScan::join_few(std::vector<SocketRecord>& records, OwnerJoin& result) {
  InodeIndex index(records.size());
  for (uint32_t i = 0; i < records.size(); ++i) index.insert(records[i].inode, i);
  procfs::ProcessInfo process;
  process.pid = -1;
  for (const procfs::SocketFd& fd : *fds_) {
    uint32_t record = index.find(fd.inode);
    if (record == InodeIndex::kNone) continue;
    if (!only_pids_.empty() && !std::binary_search(only_pids_.begin(), only_pids_.end(), fd.pid)) continue;
    // Descriptors come grouped by process.
    if (fd.pid != process.pid) process = procfs::read_process_info("/proc", fd.pid);
    std::vector<Owner>& owners = records[record].owners;
    if (owners.empty()) result.by_first_descriptor.push_back(record);
    owners.push_back({fd.pid, process.command, process.uid, fd.fd, 'u'});
  }
}

Result<OwnerJoin> attach_owners(std::vector<SocketRecord>& records, OwnerSource source,
                                const std::vector<pid_t>& only_pids) {
  return OwnerScan::start(source, only_pids).attach(records);
}

Result<std::vector<SocketRecord>> collect_port_holders(Protocol protocol, uint16_t port) {
  Result<netlink::Channel> channel = netlink::Channel::open(NETLINK_SOCK_DIAG);
  if (!channel) return tl::unexpected(channel.error());
  CollectRequest request;
  request.tcp = protocol == Protocol::kTcp;
  request.udp = protocol == Protocol::kUdp;
  request.udplite = protocol == Protocol::kUdpLite;
  request.ports = {{port, port}};
  request.by_family = true;  // explain models each family's listener chains apart
  Result<std::vector<SocketRecord>> records = collect_sockets(*channel, request);
  if (!records) return records;
  // The kernel's port filter matches either end; only sockets bound to the port hold it.
  std::erase_if(*records, [&](const SocketRecord& record) { return record.local.port != port; });
  // The owner join reads every process's descriptors: skip it when there is nothing to own.
  if (!records->empty()) attach_owners(*records);
  return records;
}

namespace {

// read_reuse_flags over records [begin, end), with its own cache of process handles.
void read_reuse_flags_of(SocketRecord* begin, SocketRecord* end) {
  std::unordered_map<pid_t, UniqueFd> pidfds;
  for (SocketRecord* record = begin; record != end; ++record) {
    if (record->protocol == Protocol::kUnix || record->owners.empty()) continue;
    const Owner& owner = record->owners.front();
    auto known = pidfds.find(owner.pid);
    if (known == pidfds.end()) {
      Result<UniqueFd> pidfd = sys::open_pidfd(owner.pid);
      known = pidfds.emplace(owner.pid, pidfd ? std::move(*pidfd) : UniqueFd()).first;
    }
    if (!known->second) continue;
    Result<UniqueFd> copy = sys::copy_fd_from(known->second.get(), owner.fd);
    if (!copy) continue;
    Result<int> reuseaddr = sys::get_socket_option(copy->get(), SOL_SOCKET, SO_REUSEADDR);
    Result<int> reuseport = sys::get_socket_option(copy->get(), SOL_SOCKET, SO_REUSEPORT);
    if (reuseaddr) record->reuseaddr = *reuseaddr != 0;
    if (reuseport) record->reuseport = *reuseport != 0;
    if (record->family == AF_INET6 && !record->v6only_known) {
      if (Result<int> v6only = sys::get_socket_option(copy->get(), IPPROTO_IPV6, IPV6_V6ONLY)) {
        record->v6only = *v6only != 0;
        record->v6only_known = true;
      }
    }
  }
}

}  // namespace

void read_reuse_flags(std::vector<SocketRecord>& records) {
  // Four or five system calls per socket: on a large listing, two threads halve the wait.
  constexpr size_t kWorthAThread = 2000;
  SocketRecord* begin = records.data();
  SocketRecord* end = begin + records.size();
  if (records.size() < kWorthAThread) return read_reuse_flags_of(begin, end);
  SocketRecord* middle = begin + records.size() / 2;
  std::future<void> first_half = std::async(std::launch::async, read_reuse_flags_of, begin, middle);
  read_reuse_flags_of(middle, end);
  first_half.get();
}

}  // namespace sockscope::sockets
