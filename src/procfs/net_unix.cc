#include "procfs/net_unix.h"

#include <sstream>

#include "procfs/read_text.h"

namespace sockscope::procfs {

std::unordered_map<uint64_t, uint64_t> parse_unix_addresses(std::string_view table) {
  // "Num: RefCount Protocol Flags Type St Inode Path", the first line being that header.
  std::unordered_map<uint64_t, uint64_t> addresses;
  std::istringstream lines{std::string(table)};
  std::string line;
  std::getline(lines, line);
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::string number, refcount, protocol, flags, type, state;
    uint64_t inode = 0;
    if (!(fields >> number >> refcount >> protocol >> flags >> type >> state >> inode)) continue;
    if (!number.empty() && number.back() == ':') number.pop_back();
    addresses[inode] = std::strtoull(number.c_str(), nullptr, 16);
  }
  return addresses;
}

std::unordered_map<uint64_t, uint64_t> read_unix_addresses(const std::string& root) {
  return parse_unix_addresses(read_text(root + "/net/unix"));
}

}  // namespace sockscope::procfs
