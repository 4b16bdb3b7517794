#include "procfs/sockstat.h"

#include "core/decimal.h"
#include "procfs/read_text.h"

namespace sockscope::procfs {
namespace {

// The number after key in a line such as "TCP: inuse 5 orphan 0 tw 2 alloc 7 mem 1".
size_t value_after(std::string_view line, std::string_view key) {
  size_t at = line.find(" " + std::string(key) + " ");
  if (at == std::string_view::npos) return 0;
  std::string_view rest = line.substr(at + key.size() + 2);
  size_t value = 0;
  return parse_decimal(rest.substr(0, rest.find(' ')), value) ? value : 0;
}

}  // namespace

void parse_sockstat(std::string_view text, SocketCounts& counts) {
  while (!text.empty()) {
    size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    if (line.starts_with("TCP: ")) {
      counts.tcp4 = value_after(line, "inuse");
      counts.time_wait = value_after(line, "tw");
    } else if (line.starts_with("UDP: ")) {
      counts.udp4 = value_after(line, "inuse");
    } else if (line.starts_with("TCP6: ")) {
      counts.tcp6 = value_after(line, "inuse");
    } else if (line.starts_with("UDP6: ")) {
      counts.udp6 = value_after(line, "inuse");
    }
  }
}

SocketCounts read_socket_counts(const std::string& root) {
  SocketCounts counts;
  parse_sockstat(read_text(root + "/net/sockstat"), counts);
  parse_sockstat(read_text(root + "/net/sockstat6"), counts);
  return counts;
}

}  // namespace sockscope::procfs
