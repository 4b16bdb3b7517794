// pidfd_open and pidfd_getfd: a handle on a process, and a copy of one of its descriptors.
// That copy is how a socket's SO_REUSEADDR/SO_REUSEPORT can be read from outside its owner.
#pragma once

#include <sys/types.h>

#include "core/error.h"
#include "core/unique_fd.h"

namespace sockscope::sys {

Result<UniqueFd> open_pidfd(pid_t pid);
// A duplicate (close-on-exec) of descriptor fd of the process behind pidfd.
Result<UniqueFd> copy_fd_from(int pidfd, int fd);

}  // namespace sockscope::sys
