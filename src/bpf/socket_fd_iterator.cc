#include "bpf/socket_fd_iterator.h"

#include <linux/bpf.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string_view>

#include "bpf/socket_fd_entry.h"
#include "bpf/socket_fds_program.h"
#include "core/unique_fd.h"
#include "procfs/sysctl.h"

namespace sockscope::bpf {
namespace {

// The inode number the kernel gives the initial pid namespace (PROC_PID_INIT_INO).
constexpr ino_t kInitialPidNamespaceInode = 0xEFFFFFFCU;
constexpr const char* kKernelBtf = "/sys/kernel/btf/vmlinux";
// bpf_seq_write is offered to GPL-compatible programs only.
constexpr const char* kLicense = "Dual MIT/GPL";

bool in_initial_pid_namespace() {
  struct stat status;
  return stat("/proc/self/ns/pid", &status) == 0 && status.st_ino == kInitialPidNamespaceInode;
}

int bpf(int command, bpf_attr& attributes) {
  return static_cast<int>(syscall(__NR_bpf, command, &attributes, sizeof attributes));
}

uint64_t address_of(const void* pointer) { return reinterpret_cast<uintptr_t>(pointer); }

// The last line the verifier wrote: why it refused the program.
std::string verdict_of(const std::vector<char>& log) {
  std::string_view text(log.data(), strnlen(log.data(), log.size()));
  while (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  size_t line = text.rfind('\n');
  return std::string(line == std::string_view::npos ? text : text.substr(line + 1));
}

Result<UniqueFd> load(const SocketFdsProgram& program) {
  bpf_attr attributes{};
  attributes.prog_type = BPF_PROG_TYPE_TRACING;
  attributes.expected_attach_type = BPF_TRACE_ITER;
  attributes.attach_btf_id = program.attach_btf_id;
  attributes.insns = address_of(program.instructions.data());
  attributes.insn_cnt = static_cast<uint32_t>(program.instructions.size());
  attributes.license = address_of(kLicense);
  std::strncpy(attributes.prog_name, "socket_fds", sizeof attributes.prog_name - 1);
  int fd = bpf(BPF_PROG_LOAD, attributes);
  if (fd >= 0) return UniqueFd(fd);
  int error = errno;
  // Once more with the verifier's log, so that the error says why.
  std::vector<char> log(64 * 1024, '\0');
  attributes.log_level = 1;
  attributes.log_buf = address_of(log.data());
  attributes.log_size = static_cast<uint32_t>(log.size());
  fd = bpf(BPF_PROG_LOAD, attributes);
  if (fd >= 0) return UniqueFd(fd);
  std::string verdict = verdict_of(log);
  return fail(error, "loading the socket_fds BPF iterator" + (verdict.empty() ? "" : " (" + verdict + ")"));
}

}  // namespace

Result<std::vector<procfs::SocketFd>> iterate_socket_fds() {
  if (!in_initial_pid_namespace()) return fail("the BPF iterator numbers processes as the initial pid namespace does");
  Result<SocketFdsProgram> program = build_socket_fds_program(kKernelBtf);
  if (!program) return tl::unexpected(program.error());
  Result<UniqueFd> loaded = load(*program);
  if (!loaded) return tl::unexpected(loaded.error());
  bpf_attr attributes{};
  attributes.link_create.prog_fd = static_cast<uint32_t>(loaded->get());
  attributes.link_create.attach_type = BPF_TRACE_ITER;
  UniqueFd link(bpf(BPF_LINK_CREATE, attributes));
  if (!link) return fail_errno("attaching the socket_fds BPF iterator");
  attributes = {};
  attributes.iter_create.link_fd = static_cast<uint32_t>(link.get());
  UniqueFd stream(bpf(BPF_ITER_CREATE, attributes));
  if (!stream) return fail_errno("starting the socket_fds BPF iterator");

  std::vector<procfs::SocketFd> fds;
  // Room for every open file on the host (fs/file-nr's first number): tens of thousands of
  // entries appended one by one would otherwise be copied a dozen times over fresh pages.
  fds.reserve(static_cast<size_t>(std::clamp<long>(procfs::read_sysctl("fs/file-nr").value_or(0), 0, 1 << 22)));
  // The iterator hands out its output in seq_file pages; an entry may straddle two reads.
  std::vector<char> buffer(1 << 16);
  size_t filled = 0;
  while (true) {
    ssize_t got = read(stream.get(), buffer.data() + filled, buffer.size() - filled);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return fail_errno("reading the socket_fds BPF iterator");
    if (got == 0) break;
    filled += static_cast<size_t>(got);
    size_t whole = filled / sizeof(SocketFdEntry) * sizeof(SocketFdEntry);
    for (size_t at = 0; at < whole; at += sizeof(SocketFdEntry)) {
      SocketFdEntry entry;
      std::memcpy(&entry, buffer.data() + at, sizeof entry);
      fds.push_back({entry.inode, static_cast<pid_t>(entry.pid), static_cast<int>(entry.fd)});
    }
    std::memmove(buffer.data(), buffer.data() + whole, filled - whole);
    filled -= whole;
  }
  // The iterator walks processes by pid and each table by descriptor: sorted already, but
  // the order is the kernel's to keep, so it is checked.
  auto before = [](const procfs::SocketFd& a, const procfs::SocketFd& b) {
    return a.pid != b.pid ? a.pid < b.pid : a.fd < b.fd;
  };
  if (!std::is_sorted(fds.begin(), fds.end(), before)) std::sort(fds.begin(), fds.end(), before);
  return fds;
}

}  // namespace sockscope::bpf
