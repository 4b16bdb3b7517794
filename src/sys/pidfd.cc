#include "sys/pidfd.h"

#include <sys/syscall.h>
#include <unistd.h>

#include <fmt/format.h>

namespace sockscope::sys {

// glibc 2.36 has no wrappers for these on every architecture; the raw calls are stable ABI.
Result<UniqueFd> open_pidfd(pid_t pid) {
  long fd = syscall(SYS_pidfd_open, pid, 0);
  if (fd < 0) return fail_errno(fmt::format("pidfd_open {}", pid));
  return UniqueFd(static_cast<int>(fd));
}

Result<UniqueFd> copy_fd_from(int pidfd, int fd) {
  long copy = syscall(SYS_pidfd_getfd, pidfd, fd, 0);
  if (copy < 0) return fail_errno(fmt::format("pidfd_getfd {}", fd));
  return UniqueFd(static_cast<int>(copy));
}

}  // namespace sockscope::sys
