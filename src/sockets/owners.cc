#include "sockets/owners.h"

#include <linux/capability.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
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

}  // namespace

OwnerScan OwnerScan::start(OwnerSource source, std::vector<pid_t> only_pids) {
  OwnerScan scan;
  scan.source_ = source;
  std::sort(only_pids.begin(), only_pids.end());
  scan.only_pids_ = std::move(only_pids);
  // With named processes, reading their few descriptor tables beats loading a program.
  bool try_bpf = source == OwnerSource::kBpf ||
                 (source == OwnerSource::kAny && scan.only_pids_.empty() && iterator_pays_off() && may_load_bpf());
  if (try_bpf) scan.from_bpf_ = std::async(std::launch::async, bpf::iterate_socket_fds);
  return scan;
}

Result<OwnerJoin> OwnerScan::attach(std::vector<SocketRecord>& records) {
  // (inode, record) sorted by inode: one allocation, and lookups that stay in cache, where a
  // hash map of 100k sockets allocates a node each.
  std::vector<std::pair<uint64_t, size_t>> by_inode;
  by_inode.reserve(records.size());
  for (size_t i = 0; i < records.size(); ++i) {
    if (records[i].inode != 0) by_inode.emplace_back(records[i].inode, i);
  }
  std::sort(by_inode.begin(), by_inode.end());
  auto record_of = [&](uint64_t inode) -> std::optional<size_t> {
    auto found = std::lower_bound(by_inode.begin(), by_inode.end(), std::pair<uint64_t, size_t>(inode, 0));
    if (found == by_inode.end() || found->first != inode) return std::nullopt;
    return found->second;
  };
  OwnerJoin join;
  std::vector<procfs::SocketFd> fds;
  bool iterated = false;
  if (from_bpf_.valid()) {
    Result<std::vector<procfs::SocketFd>> every = from_bpf_.get();
    if (every) {
      iterated = true;
      fds = std::move(*every);
    } else if (source_ == OwnerSource::kBpf) {
      return tl::unexpected(every.error());
    }
  }
  if (!iterated) {
    procfs::SocketFdScan scan = procfs::scan_socket_fds(
        "/proc", [&](uint64_t inode) { return record_of(inode).has_value(); }, only_pids_);
    join.unreadable_processes = scan.unreadable;
    fds = std::move(scan.fds);
  }

  std::unordered_map<pid_t, procfs::ProcessInfo> processes;
  for (const procfs::SocketFd& fd : fds) {
    std::optional<size_t> record = record_of(fd.inode);
    if (!record) continue;
    if (!only_pids_.empty() && !std::binary_search(only_pids_.begin(), only_pids_.end(), fd.pid)) continue;
    auto known = processes.find(fd.pid);
    if (known == processes.end()) known = processes.emplace(fd.pid, procfs::read_process_info("/proc", fd.pid)).first;
    const procfs::ProcessInfo& process = known->second;
    records[*record].owners.push_back({fd.pid, process.command, process.uid, fd.fd, 'u'});
  }
  return join;
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
  request.ports = {{port, port}};
  Result<std::vector<SocketRecord>> records = collect_sockets(*channel, request);
  if (!records) return records;
  // The kernel's port filter matches either end; only sockets bound to the port hold it.
  std::erase_if(*records, [&](const SocketRecord& record) { return record.local.port != port; });
  // The owner join reads every process's descriptors: skip it when there is nothing to own.
  if (!records->empty()) attach_owners(*records);
  return records;
}

void read_reuse_flags(std::vector<SocketRecord>& records) {
  std::unordered_map<pid_t, UniqueFd> pidfds;
  for (SocketRecord& record : records) {
    if (record.protocol == Protocol::kUnix || record.owners.empty()) continue;
    const Owner& owner = record.owners.front();
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
    if (reuseaddr) record.reuseaddr = *reuseaddr != 0;
    if (reuseport) record.reuseport = *reuseport != 0;
    if (record.family == AF_INET6 && !record.v6only_known) {
      if (Result<int> v6only = sys::get_socket_option(copy->get(), IPPROTO_IPV6, IPV6_V6ONLY)) {
        record.v6only = *v6only != 0;
        record.v6only_known = true;
      }
    }
  }
}

}  // namespace sockscope::sockets
