// One pass over /proc/*/fd: which process holds which socket inode under which descriptor.
// This is the part of a socket listing that grows with the host (one readlink per open
// file), so it runs only when owners are shown or selected, and reads only what it must.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/unique_fd.h"

namespace sockscope::procfs {

struct SocketFd {
  uint64_t inode = 0;
  pid_t pid = 0;
  int fd = -1;
};

struct ProcessInfo {
  pid_t pid = 0;
  std::string command;  // comm, as the kernel keeps it (at most 15 bytes)
  uid_t uid = 0;        // owner of /proc/PID: the process's effective uid
};

struct SocketFdScan {
  std::vector<SocketFd> fds;     // in pid order, then descriptor order
  size_t unreadable = 0;         // processes whose fd table we were not allowed to read
};

// Every socket descriptor of every process under root (normally "/proc") whose inode
// passes wanted (all of them when wanted is empty), optionally only for the given pids.
SocketFdScan scan_socket_fds(const std::string& root, const std::function<bool(uint64_t)>& wanted,
                             const std::vector<pid_t>& only_pids = {});

// The pids of the processes under root (normally "/proc"), ascending.
std::vector<pid_t> list_processes(const std::string& root);

// comm and owner uid of one process; the command is empty when the process is gone.
ProcessInfo read_process_info(const std::string& root, pid_t pid);

// Parses "socket:[12345]" (an fd's link text); 0 when it is not a socket.
uint64_t parse_socket_link(std::string_view link);

}  // namespace sockscope::procfs

namespace sockscope::procfs {

struct ProcessIds {
  pid_t parent = 0;
  pid_t process_group = 0;
};
// From /proc/PID/stat; zeros when the process is gone.
ProcessIds read_process_ids(const std::string& root, pid_t pid);

// The open flags of descriptors (the "flags:" line of /proc/PID/fdinfo/FD, octal there; 0
// when the descriptor or process is gone). Each process's fdinfo directory is opened once and
// its descriptors looked up from there, so ask in pid order (50k descriptors: 10% less CPU
// than walking the whole path for each).
class FdFlagsReader {
 public:
  explicit FdFlagsReader(std::string root) : root_(std::move(root)) {}
  uint32_t read(pid_t pid, int fd);

 private:
  std::string root_;
  pid_t pid_ = 0;
  UniqueFd directory_;
};

}  // namespace sockscope::procfs
