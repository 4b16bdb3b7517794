// Runs in the kernel, once per open file of every process (a task_file iterator), and writes
// one SocketFdEntry for each descriptor that is a socket. This replaces one readlink per
// descriptor under /proc/*/fd (the cost that grows with the host) by one read() of a stream.
//
// The kernel's types are declared here with only the fields read, marked
// preserve_access_index: libbpf relocates each access against the running kernel's BTF
// (CO-RE), so no vmlinux.h is generated at build time and one object runs on every kernel
// that has BTF and task_file iterators (5.8+).
#include <linux/bpf.h>
#include <linux/types.h>

#include <bpf/bpf_helpers.h>

#include "bpf/socket_fd_entry.h"

#define S_IFMT 00170000
#define S_IFSOCK 0140000

struct seq_file;

struct bpf_iter_meta {
  struct seq_file *seq;
} __attribute__((preserve_access_index));

struct task_struct {
  int tgid;
} __attribute__((preserve_access_index));

struct inode {
  unsigned short i_mode;
  unsigned long i_ino;
} __attribute__((preserve_access_index));

struct file {
  struct inode *f_inode;
} __attribute__((preserve_access_index));

struct bpf_iter__task_file {
  struct bpf_iter_meta *meta;
  struct task_struct *task;
  __u32 fd;
  struct file *file;
} __attribute__((preserve_access_index));

// bpf_seq_write is offered to GPL-compatible programs only.
char LICENSE[] SEC("license") = "Dual MIT/GPL";

SEC("iter/task_file")
int socket_fds(struct bpf_iter__task_file *context) {
  struct task_struct *task = context->task;
  struct file *file = context->file;
  // The iterator calls once more at the end with no task and no file.
  if (task == 0 || file == 0) return 0;
  struct inode *inode = file->f_inode;
  if (inode == 0 || (inode->i_mode & S_IFMT) != S_IFSOCK) return 0;
  struct SocketFdEntry entry = {
      .inode = inode->i_ino,
      .pid = (__u32)task->tgid,
      .fd = context->fd,
  };
  bpf_seq_write(context->meta->seq, &entry, sizeof entry);
  return 0;
}
