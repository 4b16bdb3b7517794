// Zero-copy moves between fds: splice() through kernel pipes, and pipes grown so that each
// move carries more.
#pragma once

#include <cstddef>

#include "core/error.h"
#include "core/unique_fd.h"

namespace sockscope::sys {

struct Pipe {
  UniqueFd read_end;
  UniqueFd write_end;
  size_t capacity = 0;
};

// The largest pipe an unprivileged process may ask for (/proc/sys/fs/pipe-max-size);
// 1 MiB, the kernel's default, when it cannot be read.
size_t pipe_max_size();

// A close-on-exec pipe grown towards wanted_capacity with F_SETPIPE_SZ (kept smaller when the
// system's pipe-max-size says no).
Result<Pipe> open_pipe(size_t wanted_capacity);

// If fd is a pipe (nc's stdin or stdout handed over by a shell), grows it towards
// wanted_capacity as open_pipe does; anything else is left alone. Best effort: returns the
// pipe's capacity afterwards, or 0 when fd is not a pipe.
size_t grow_if_pipe(int fd, size_t wanted_capacity);

// splice(2) of up to length bytes, non-blocking on the pipe side. 0 means end of input;
// EAGAIN comes back as an error with that code so callers can wait; EINVAL means this fd
// pair cannot be spliced and the caller should copy instead.
Result<size_t> splice_move(int from, int to, size_t length);

}  // namespace sockscope::sys
