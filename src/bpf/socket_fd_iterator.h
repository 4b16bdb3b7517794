// Which process holds which socket, read from the kernel in one stream by a BPF task_file
// iterator (socket_fds_program.cc) instead of one readlink per descriptor under /proc/*/fd.
// Needs CAP_BPF and CAP_PERFMON (root), a kernel with BTF, and the initial pid namespace
// (the iterator numbers processes as that namespace does); callers fall back to /proc.
#pragma once

#include <vector>

#include "core/error.h"
#include "procfs/socket_fds.h"

namespace sockscope::bpf {

// Every socket descriptor of every process on the host, in pid then descriptor order.
Result<std::vector<procfs::SocketFd>> iterate_socket_fds();

}  // namespace sockscope::bpf
