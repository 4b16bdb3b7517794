// The record the socket_fds iterator writes, laid out by the program that socket_fds_program.cc
// assembles and read back by socket_fd_iterator.cc: fixed-size fields, no padding.
#pragma once

#include <linux/types.h>

struct SocketFdEntry {
  __u64 inode;
  __u32 pid;         // the process (thread group) id, as the initial pid namespace numbers it
  __u32 fd;
};
