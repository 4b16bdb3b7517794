// /proc/net/{tcp,tcp6,udp,udp6}: the socket tables for kernels without sock_diag. The same
// facts as an inet_diag record except the bound device and v6only, which these files lack.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/endpoint.h"

namespace sockscope::procfs {

struct NetTableEntry {
  int family = AF_INET;
  Endpoint local, remote;
  uint8_t state = 0;  // the kernel's TCP_* number
  uint32_t send_queue = 0, receive_queue = 0;
  uid_t uid = 0;
  uint64_t inode = 0;
};

// Parses one table's text (header line first); lines that do not parse are skipped.
std::vector<NetTableEntry> parse_net_table(std::string_view text, int family);

// Reads root + "/net/" + name ("tcp", "udp6", ...); empty when the file is missing.
std::vector<NetTableEntry> read_net_table(const std::string& root, const std::string& name);

}  // namespace sockscope::procfs
