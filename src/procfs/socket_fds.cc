#include "procfs/socket_fds.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "core/decimal.h"
#include "core/unique_fd.h"

namespace sockscope::procfs {
namespace {

struct DirCloser {
  void operator()(DIR* dir) const { closedir(dir); }
};
using DirPtr = std::unique_ptr<DIR, DirCloser>;

// Reads the socket descriptors of one process; false when its fd table is not readable.
bool scan_process(int proc_fd, pid_t pid, const std::function<bool(uint64_t)>& wanted, std::vector<SocketFd>& out) {
  std::string fd_path = std::to_string(pid) + "/fd";
  int fd_dir = openat(proc_fd, fd_path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd_dir < 0) return errno == ENOENT;  // a process that just exited is not "unreadable"
  DirPtr dir(fdopendir(fd_dir));
  if (!dir) {
    close(fd_dir);
    return false;
  }
  size_t first = out.size();
  char link[64];
  while (dirent* entry = readdir(dir.get())) {
    int fd = 0;
    if (!parse_decimal(std::string_view(entry->d_name), fd)) continue;
    ssize_t length = readlinkat(fd_dir, entry->d_name, link, sizeof link);
    if (length <= 0) continue;
    uint64_t inode = parse_socket_link(std::string_view(link, static_cast<size_t>(length)));
    if (inode != 0 && (!wanted || wanted(inode))) out.push_back({inode, pid, fd});
  }
  std::sort(out.begin() + static_cast<std::ptrdiff_t>(first), out.end(),
            [](const SocketFd& a, const SocketFd& b) { return a.fd < b.fd; });
  return true;
}

}  // namespace

uint64_t parse_socket_link(std::string_view link) {
  constexpr std::string_view kPrefix = "socket:[";
  if (!link.starts_with(kPrefix) || !link.ends_with("]")) return 0;
  uint64_t inode = 0;
  return parse_decimal(link.substr(kPrefix.size(), link.size() - kPrefix.size() - 1), inode) ? inode : 0;
}

SocketFdScan scan_socket_fds(const std::string& root, const std::function<bool(uint64_t)>& wanted,
                             const std::vector<pid_t>& only_pids) {
  SocketFdScan scan;
  UniqueFd proc(open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!proc) return scan;
  std::vector<pid_t> pids = only_pids;
  if (pids.empty()) {
    pids = list_processes(root);  // ascending already
  } else {
    std::sort(pids.begin(), pids.end());
    pids.erase(std::unique(pids.begin(), pids.end()), pids.end());
  }
  for (pid_t pid : pids) {
    if (!scan_process(proc.get(), pid, wanted, scan.fds)) ++scan.unreadable;
  }
  return scan;
}

std::vector<pid_t> list_processes(const std::string& root) {
  std::vector<pid_t> pids;
  DirPtr dir(opendir(root.c_str()));
  if (!dir) return pids;
  while (dirent* entry = readdir(dir.get())) {
    pid_t pid = 0;
    if (parse_decimal(std::string_view(entry->d_name), pid)) pids.push_back(pid);
  }
  std::sort(pids.begin(), pids.end());
  return pids;
}

ProcessInfo read_process_info(const std::string& root, pid_t pid) {
  ProcessInfo info;
  info.pid = pid;
  std::string base = root + "/" + std::to_string(pid);
  struct stat status;
  if (stat(base.c_str(), &status) == 0) info.uid = status.st_uid;
  UniqueFd comm(open((base + "/comm").c_str(), O_RDONLY | O_CLOEXEC));
  if (comm) {
    char buffer[64];
    ssize_t length = read(comm.get(), buffer, sizeof buffer);
    if (length > 0) {
      info.command.assign(buffer, static_cast<size_t>(length));
      if (!info.command.empty() && info.command.back() == '\n') info.command.pop_back();
    }
  }
  return info;
}

}  // namespace sockscope::procfs

namespace sockscope::procfs {
namespace {

std::string read_small_file(const std::string& path) {
  UniqueFd file(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!file) return {};
  char buffer[1024];
  ssize_t length = read(file.get(), buffer, sizeof buffer);
  return length > 0 ? std::string(buffer, static_cast<size_t>(length)) : std::string();
}

}  // namespace

ProcessIds read_process_ids(const std::string& root, pid_t pid) {
  // "PID (comm) S PPID PGRP ...": comm may hold spaces and parentheses, so parse after the last ')'.
  std::string stat = read_small_file(root + "/" + std::to_string(pid) + "/stat");
  size_t close = stat.rfind(')');
  ProcessIds ids;
  if (close == std::string::npos) return ids;
  int parent = 0, group = 0;
  char state = 0;
  if (std::sscanf(stat.c_str() + close + 1, " %c %d %d", &state, &parent, &group) == 3) {
    ids.parent = parent;
    ids.process_group = group;
  }
  return ids;
}

uint32_t FdFlagsReader::read(pid_t pid, int fd) {
  if (pid != pid_) {
    pid_ = pid;
    directory_ = UniqueFd(open((root_ + "/" + std::to_string(pid) + "/fdinfo").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  }
  if (!directory_) return 0;
  UniqueFd file(openat(directory_.get(), std::to_string(fd).c_str(), O_RDONLY | O_CLOEXEC));
  if (!file) return 0;
  char info[256];
  ssize_t length = ::read(file.get(), info, sizeof info - 1);
  if (length <= 0) return 0;
  info[length] = '\0';
  const char* at = std::strstr(info, "flags:");
  return at == nullptr ? 0 : static_cast<uint32_t>(std::strtoul(at + 6, nullptr, 8));
}

}  // namespace sockscope::procfs
