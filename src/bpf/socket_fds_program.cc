#include "bpf/socket_fds_program.h"

#include <array>
#include <cstddef>
#include <limits>

#include "bpf/instructions.h"
#include "bpf/kernel_btf.h"
#include "bpf/socket_fd_entry.h"

namespace sockscope::bpf {
namespace {

// What the program reads, in the order of the Field indices below.
constexpr std::array<FieldQuery, 9> kFields = {{
    {"bpf_iter__task_file", "meta"},
    {"bpf_iter__task_file", "task"},
    {"bpf_iter__task_file", "fd"},
    {"bpf_iter__task_file", "file"},
    {"bpf_iter_meta", "seq"},
    {"task_struct", "tgid"},
    {"file", "f_inode"},
    {"inode", "i_mode"},
    {"inode", "i_ino"},
}};
enum Field : size_t { kMeta, kTask, kFd, kFile, kSeq, kTgid, kInode, kMode, kIno };

constexpr int32_t kFileTypeMask = 0170000;  // S_IFMT
constexpr int32_t kSocketType = 0140000;    // S_IFSOCK
// The entry is built at the top of the stack, below the frame pointer r10.
constexpr int16_t kEntry = -static_cast<int16_t>(sizeof(SocketFdEntry));
constexpr int16_t entry_field(size_t offset) { return static_cast<int16_t>(kEntry + static_cast<int16_t>(offset)); }

}  // namespace

Result<SocketFdsProgram> build_socket_fds_program(const std::string& kernel_btf_path) {
  Result<KernelLayout> layout = read_kernel_layout(kernel_btf_path, "bpf_iter_task_file", kFields);
  if (!layout) return tl::unexpected(layout.error());
  const std::vector<FieldLocation>& at = layout->fields;
  for (Field pointer : {kMeta, kTask, kFile, kSeq, kInode}) {
    if (at[pointer].size != sizeof(uint64_t)) return fail("the kernel's BTF gives a pointer an unexpected size");
  }
  for (const FieldLocation& field : at) {
    if (!instruction::is_load_width(field.size) || field.offset > std::numeric_limits<int16_t>::max()) {
      return fail("the kernel's BTF places a field where one load cannot reach it");
    }
  }
  auto offset = [&](Field field) { return static_cast<int16_t>(at[field].offset); };

  using namespace instruction;
  // In C:
  //   if (!ctx->task || !ctx->file || !ctx->file->f_inode) return 0;   // the last call has none
  //   inode = ctx->file->f_inode;
  //   if ((inode->i_mode & S_IFMT) != S_IFSOCK) return 0;
  //   entry = {inode->i_ino, ctx->task->tgid, ctx->fd};
  //   bpf_seq_write(ctx->meta->seq, &entry, sizeof entry);
  //   return 0;
  // Each early return is a jump to the final two instructions, patched once the length is known.
  SocketFdsProgram program;
  program.attach_btf_id = layout->function_id;
  std::vector<bpf_insn>& code = program.instructions;
  std::vector<size_t> returns;
  auto return_if_zero = [&](uint8_t reg) {
    returns.push_back(code.size());
    code.push_back(jump_if_equal(reg, 0, 0));
  };
  code.push_back(load(8, r2, r1, offset(kTask)));
  return_if_zero(r2);
  code.push_back(load(8, r3, r1, offset(kFile)));
  return_if_zero(r3);
  code.push_back(load(8, r3, r3, offset(kInode)));
  return_if_zero(r3);
  code.push_back(load(at[kMode].size, r4, r3, offset(kMode)));
  code.push_back(bitwise_and(r4, kFileTypeMask));
  returns.push_back(code.size());
  code.push_back(jump_if_not_equal(r4, kSocketType, 0));
  code.push_back(load(at[kIno].size, r4, r3, offset(kIno)));
  code.push_back(store(8, r10, entry_field(offsetof(SocketFdEntry, inode)), r4));
  code.push_back(load(at[kTgid].size, r4, r2, offset(kTgid)));
  code.push_back(store(4, r10, entry_field(offsetof(SocketFdEntry, pid)), r4));
  code.push_back(load(at[kFd].size, r4, r1, offset(kFd)));
  code.push_back(store(4, r10, entry_field(offsetof(SocketFdEntry, fd)), r4));
  code.push_back(load(8, r1, r1, offset(kMeta)));
  code.push_back(load(8, r1, r1, offset(kSeq)));
  code.push_back(copy(r2, r10));
  code.push_back(add(r2, kEntry));
  code.push_back(set(r3, static_cast<int32_t>(sizeof(SocketFdEntry))));
  code.push_back(call(BPF_FUNC_seq_write));
  size_t final_return = code.size();
  code.push_back(set(r0, 0));
  code.push_back(exit());
  for (size_t jump : returns) code[jump].off = static_cast<int16_t>(final_return - jump - 1);
  return program;
}

}  // namespace sockscope::bpf
