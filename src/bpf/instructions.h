// Constructors for the few BPF instructions socket_fds_program.cc needs, named for what they
// do, so that the program reads as a listing rather than as opcode arithmetic.
#pragma once

#include <linux/bpf.h>

#include <cstdint>

namespace sockscope::bpf::instruction {

constexpr bool is_load_width(uint32_t bytes) { return bytes == 1 || bytes == 2 || bytes == 4 || bytes == 8; }

// BPF_B, BPF_H, BPF_W or BPF_DW for a load or store of `bytes` (one of is_load_width's).
constexpr uint8_t width(uint32_t bytes) {
  return bytes == 1 ? BPF_B : bytes == 2 ? BPF_H : bytes == 4 ? BPF_W : BPF_DW;
}

constexpr bpf_insn make(uint8_t code, uint8_t dst, uint8_t src, int16_t offset, int32_t immediate) {
  bpf_insn insn{};
  insn.code = code;
  insn.dst_reg = dst & 0xf;
  insn.src_reg = src & 0xf;
  insn.off = offset;
  insn.imm = immediate;
  return insn;
}

// dst = *(bytes wide *)(src + offset), zero-extended.
constexpr bpf_insn load(uint32_t bytes, uint8_t dst, uint8_t src, int16_t offset) {
  return make(BPF_LDX | BPF_MEM | width(bytes), dst, src, offset, 0);
}
// *(bytes wide *)(dst + offset) = src
constexpr bpf_insn store(uint32_t bytes, uint8_t dst, int16_t offset, uint8_t src) {
  return make(BPF_STX | BPF_MEM | width(bytes), dst, src, offset, 0);
}
constexpr bpf_insn copy(uint8_t dst, uint8_t src) { return make(BPF_ALU64 | BPF_MOV | BPF_X, dst, src, 0, 0); }
constexpr bpf_insn set(uint8_t dst, int32_t value) { return make(BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, value); }
constexpr bpf_insn add(uint8_t dst, int32_t value) { return make(BPF_ALU64 | BPF_ADD | BPF_K, dst, 0, 0, value); }
constexpr bpf_insn bitwise_and(uint8_t dst, int32_t value) {
  return make(BPF_ALU64 | BPF_AND | BPF_K, dst, 0, 0, value);
}
// Jumps skip `offset` instructions after the next one when dst compares so with value.
constexpr bpf_insn jump_if_equal(uint8_t dst, int32_t value, int16_t offset) {
  return make(BPF_JMP | BPF_JEQ | BPF_K, dst, 0, offset, value);
}
constexpr bpf_insn jump_if_not_equal(uint8_t dst, int32_t value, int16_t offset) {
  return make(BPF_JMP | BPF_JNE | BPF_K, dst, 0, offset, value);
}
constexpr bpf_insn call(int32_t helper) { return make(BPF_JMP | BPF_CALL, 0, 0, 0, helper); }
constexpr bpf_insn exit() { return make(BPF_JMP | BPF_EXIT, 0, 0, 0, 0); }

// Registers: r0 return value, r1-r5 helper arguments (r1 holds the context on entry), r6-r9
// kept across calls, r10 the read-only frame pointer.
enum Register : uint8_t { r0, r1, r2, r3, r4, r5, r6, r7, r8, r9, r10 };

}  // namespace sockscope::bpf::instruction
