#include "procfs/net_tables.h"

#include <cstdlib>
#include <cstring>
#include <sstream>

#include "procfs/read_text.h"

namespace sockscope::procfs {
namespace {

// "0100007F:115C": the address as the kernel's 32-bit words printed in host order, then the port.
bool parse_endpoint_field(const std::string& field, int family, Endpoint& out) {
  size_t colon = field.find(':');
  size_t hex_length = family == AF_INET ? 8 : 32;
  if (colon != hex_length) return false;
  out.address.family = family;
  for (size_t word = 0; word < hex_length / 8; ++word) {
    uint32_t value = static_cast<uint32_t>(std::strtoul(field.substr(word * 8, 8).c_str(), nullptr, 16));
    std::memcpy(out.address.bytes.data() + word * 4, &value, 4);
  }
  out.port = static_cast<uint16_t>(std::strtoul(field.c_str() + colon + 1, nullptr, 16));
  return true;
}

}  // namespace

std::vector<NetTableEntry> parse_net_table(std::string_view text, int family) {
  std::vector<NetTableEntry> entries;
  std::istringstream lines{std::string(text)};
  std::string line;
  std::getline(lines, line);
  while (std::getline(lines, line)) {
    // sl local rem st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ...
    std::istringstream fields(line);
    std::string slot, local, remote, state, queues, timer, retransmits;
    NetTableEntry entry;
    entry.family = family;
    if (!(fields >> slot >> local >> remote >> state >> queues >> timer >> retransmits >> entry.uid)) continue;
    std::string timeout;
    if (!(fields >> timeout >> entry.inode)) continue;
    if (!parse_endpoint_field(local, family, entry.local) || !parse_endpoint_field(remote, family, entry.remote)) continue;
    entry.state = static_cast<uint8_t>(std::strtoul(state.c_str(), nullptr, 16));
    size_t colon = queues.find(':');
    if (colon != std::string::npos) {
      entry.send_queue = static_cast<uint32_t>(std::strtoul(queues.substr(0, colon).c_str(), nullptr, 16));
      entry.receive_queue = static_cast<uint32_t>(std::strtoul(queues.c_str() + colon + 1, nullptr, 16));
    }
    entries.push_back(entry);
  }
  return entries;
}

std::vector<NetTableEntry> read_net_table(const std::string& root, const std::string& name) {
  return parse_net_table(read_text(root + "/net/" + name), name.ends_with('6') ? AF_INET6 : AF_INET);
}

}  // namespace sockscope::procfs
