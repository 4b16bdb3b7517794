#include "sys/splice.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

namespace sockscope::sys {
namespace {

constexpr size_t kPageSize = 4096;

// Asks for wanted bytes, halving down to floor until the kernel agrees (never shrinking a pipe
// below floor); the capacity granted, or 0.
size_t set_pipe_size(int fd, size_t wanted, size_t floor) {
  for (size_t size = wanted; size >= floor && size >= 16 * kPageSize; size /= 2) {
    int granted = ::fcntl(fd, F_SETPIPE_SZ, static_cast<int>(size));
    if (granted > 0) return static_cast<size_t>(granted);
  }
  return 0;
}

}  // namespace

size_t pipe_max_size() {
  size_t size = 1 << 20;
  if (FILE* limit = std::fopen("/proc/sys/fs/pipe-max-size", "re")) {
    unsigned long value = 0;
    if (std::fscanf(limit, "%lu", &value) == 1 && value >= 16 * kPageSize) size = value;
    std::fclose(limit);
  }
  return size;
}

Result<Pipe> open_pipe(size_t wanted_capacity) {
  int ends[2];
  if (::pipe2(ends, O_CLOEXEC) < 0) return fail_errno("pipe");
  Pipe pipe{UniqueFd(ends[0]), UniqueFd(ends[1]), 0};
  // Unprivileged callers are capped by pipe-max-size and by the per-user pipe quota.
  pipe.capacity = set_pipe_size(pipe.write_end.get(), wanted_capacity, 0);
  if (pipe.capacity == 0) {
    int current = ::fcntl(pipe.write_end.get(), F_GETPIPE_SZ);
    pipe.capacity = current > 0 ? static_cast<size_t>(current) : 16 * kPageSize;
  }
  return pipe;
}

size_t grow_if_pipe(int fd, size_t wanted_capacity) {
  struct stat info {};
  if (::fstat(fd, &info) != 0 || !S_ISFIFO(info.st_mode)) return 0;
  int current = ::fcntl(fd, F_GETPIPE_SZ);
  if (current <= 0) return 0;
  if (static_cast<size_t>(current) >= wanted_capacity) return static_cast<size_t>(current);
  size_t granted = set_pipe_size(fd, wanted_capacity, static_cast<size_t>(current) + 1);
  return granted > 0 ? granted : static_cast<size_t>(current);
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
