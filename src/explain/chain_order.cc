#include "explain/chain_order.h"

#include <algorithm>

namespace sockscope::explain {

std::vector<size_t> chain_order(const HostState& host, const std::function<bool(size_t)>& include,
                                const std::function<bool(size_t)>& reuseport) {
  std::vector<size_t> head;
  std::vector<size_t> tail;
  for (size_t i = 0; i < host.sockets.size(); ++i) {
    if (!include(i)) continue;
    if (host.sockets[i].family == AF_INET6 && reuseport(i)) {
      tail.push_back(i);
    } else {
      head.push_back(i);
    }
  }
  std::reverse(tail.begin(), tail.end());
  head.insert(head.end(), tail.begin(), tail.end());
  return head;
}

}  // namespace sockscope::explain
