// The BPF program behind the socket_fds iterator, assembled for the running kernel: it runs
// once per open file of every process (a task_file iterator) and writes one SocketFdEntry for
// each descriptor that is a socket.
//
// It is built here, instruction by instruction, rather than compiled from C and relocated by
// libbpf: libbpf's relocation parses the kernel's whole BTF (see kernel_btf.h), which cost
// more memory than everything else a one-port query does. The struct offsets it needs come
// from the kernel's BTF all the same, so one binary runs on every kernel with BTF and
// task_file iterators (5.8+).
#pragma once

#include <linux/bpf.h>

#include <cstdint>
#include <string>
#include <vector>

#include "core/error.h"

namespace sockscope::bpf {

struct SocketFdsProgram {
  uint32_t attach_btf_id = 0;  // the kernel function bpf_iter_task_file, as its BTF numbers it
  std::vector<bpf_insn> instructions;
};

Result<SocketFdsProgram> build_socket_fds_program(const std::string& kernel_btf_path);

}  // namespace sockscope::bpf
