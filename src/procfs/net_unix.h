// /proc/net/unix: the one place that shows a UNIX socket's (hashed) kernel address, which
// lsof prints as the DEVICE of a UNIX socket.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

namespace sockscope::procfs {

// inode -> kernel address, parsed from the text of /proc/net/unix.
std::unordered_map<uint64_t, uint64_t> parse_unix_addresses(std::string_view table);

// The same, read from root + "/net/unix"; empty when unreadable.
std::unordered_map<uint64_t, uint64_t> read_unix_addresses(const std::string& root = "/proc");

}  // namespace sockscope::procfs
