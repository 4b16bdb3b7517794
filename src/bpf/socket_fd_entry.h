// The record the socket_fds iterator writes, shared by the BPF program (C, kernel side) and
// its C++ reader: fixed-size fields only, laid out the same by both compilers.
#pragma once

#include <linux/types.h>

struct SocketFdEntry {
  __u64 inode;
  __u32 pid;         // the process (thread group) id, as the initial pid namespace numbers it
  __u32 fd;
};
