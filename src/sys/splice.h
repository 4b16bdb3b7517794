// Zero-copy moves between fds through a kernel pipe: splice() wrappers and an enlarged pipe.
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

// A close-on-exec pipe grown towards wanted_capacity with F_SETPIPE_SZ (kept smaller when the
// system's pipe-max-size says no).
Result<Pipe> open_pipe(size_t wanted_capacity);

// If fd is a pipe (nc's stdin or stdout handed over by a shell), grows it towards
// wanted_capacity as open_pipe does; anything else is left alone. Best effort.
void grow_if_pipe(int fd, size_t wanted_capacity);

// splice(2) of up to length bytes, non-blocking on the pipe side. 0 means end of input;
// EAGAIN comes back as an error with that code so callers can wait; EINVAL means this fd
// pair cannot be spliced and the caller should copy instead.
Result<size_t> splice_move(int from, int to, size_t length);

}  // namespace sockscope::sys
