// How many sockets this network namespace holds, by protocol, from /proc/net/sockstat and
// sockstat6: one small read that lets a dump of 100k sockets size its vector once instead
// of doubling it (the doubling's old and new copies are the listing's peak memory).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace sockscope::procfs {

struct SocketCounts {
  size_t tcp4 = 0, tcp6 = 0, udp4 = 0, udp6 = 0;
  size_t time_wait = 0;  // TCP TIME_WAIT entries, IPv4 and IPv6 together
};

// Zeros for whatever the files do not say (a kernel without IPv6 has no sockstat6).
SocketCounts read_socket_counts(const std::string& root = "/proc");

// Adds the counts found in one file's text to counts.
void parse_sockstat(std::string_view text, SocketCounts& counts);

}  // namespace sockscope::procfs
