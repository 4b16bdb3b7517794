#include "sys/splice.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace sockscope::sys {

Result<Pipe> open_pipe(size_t wanted_capacity) {
  int ends[2];
  if (::pipe2(ends, O_CLOEXEC) < 0) return fail_errno("pipe");
  Pipe pipe{UniqueFd(ends[0]), UniqueFd(ends[1]), 0};
  // Halve the request until the kernel accepts it: unprivileged callers are capped by pipe-max-size.
  for (size_t size = wanted_capacity; size >= 65536; size /= 2) {
    int granted = ::fcntl(pipe.write_end.get(), F_SETPIPE_SZ, static_cast<int>(size));
    if (granted > 0) {
      pipe.capacity = static_cast<size_t>(granted);
      return pipe;
    }
  }
  int current = ::fcntl(pipe.write_end.get(), F_GETPIPE_SZ);
  pipe.capacity = current > 0 ? static_cast<size_t>(current) : 65536;
  return pipe;
}

void grow_if_pipe(int fd, size_t wanted_capacity) {
  struct stat info {};
  if (::fstat(fd, &info) != 0 || !S_ISFIFO(info.st_mode)) return;
  int current = ::fcntl(fd, F_GETPIPE_SZ);
  for (size_t size = wanted_capacity; size >= 65536 && current > 0 && size > static_cast<size_t>(current); size /= 2) {
    if (::fcntl(fd, F_SETPIPE_SZ, static_cast<int>(size)) > 0) return;
  }
}

Result<size_t> splice_move(int from, int to, size_t length) {
  while (true) {
    ssize_t moved = ::splice(from, nullptr, to, nullptr, length, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
    if (moved >= 0) return static_cast<size_t>(moved);
    if (errno == EINTR) continue;
    return fail_errno("splice");
  }
}

}  // namespace sockscope::sys
