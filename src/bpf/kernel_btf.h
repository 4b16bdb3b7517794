// Where the fields a BPF program reads lie in the running kernel's structs, and the BTF id of
// the function it attaches to, looked up in the kernel's BTF (/sys/kernel/btf/vmlinux).
//
// libbpf does this (CO-RE) by parsing the whole BTF into memory: ~11 MiB and ~10 ms, more
// than the rest of `sockets -i :PORT` on a host with 50k sockets. The few answers needed here
// come from two streaming passes instead (the string section, then the type section, from a
// memory map of the kernel's BTF or read in 64 KiB pieces) plus a handful of single records:
// under 1 MiB and 1-3 ms.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace sockscope::bpf {

// A member of a named struct or union; found also inside anonymous structs and unions, as C
// lets code name it.
struct FieldQuery {
  std::string_view type;
  std::string_view member;
};

struct FieldLocation {
  uint32_t offset = 0;  // bytes from the start of the outer struct
  uint32_t size = 0;    // bytes
};

struct KernelLayout {
  uint32_t function_id = 0;           // BTF id of the function asked for
  std::vector<FieldLocation> fields;  // one per query, in the same order
};

// How the BTF's bytes are reached: a memory map where the file allows one (the kernel's own
// since Linux 6.16), reads otherwise; or reads only (for tests of that path).
enum class BtfAccess { kMapOrRead, kRead };

// Fails when the BTF is missing or malformed, when a name is not there or names two different
// structs, or when a member is a bit field (no plain load reads it).
Result<KernelLayout> read_kernel_layout(const std::string& btf_path, std::string_view function,
                                        std::span<const FieldQuery> fields, BtfAccess access = BtfAccess::kMapOrRead);

}  // namespace sockscope::bpf
