// Reads integer sysctls from /proc/sys (a root path stands in for /proc in tests). The
// network ones are per network namespace: they describe the namespace we run in.
#pragma once

#include <optional>
#include <string>

namespace sockscope::procfs {

// name as a path below sys/: "net/ipv4/ip_nonlocal_bind". Empty when missing or not a number.
std::optional<long> read_sysctl(const std::string& name, const std::string& root = "/proc");

}  // namespace sockscope::procfs
