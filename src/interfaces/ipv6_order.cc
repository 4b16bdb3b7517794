#include "interfaces/ipv6_order.h"

#include <algorithm>
#include <map>
#include <utility>

namespace sockscope::interfaces {

void order_ipv6_as_listed(std::vector<Interface>& interfaces, const std::vector<procfs::Inet6Line>& listed) {
  std::map<std::pair<int, std::array<uint8_t, 16>>, size_t> position;
  for (size_t i = 0; i < listed.size(); ++i) position.emplace(std::pair(listed[i].index, listed[i].address.bytes), i);

  for (Interface& interface : interfaces) {
    auto rank = [&](const InterfaceAddress& address) {
      if (address.address.family == AF_INET) return std::pair<int, size_t>(0, 0);
      auto found = position.find(std::pair(interface.index, address.address.bytes));
      return found == position.end() ? std::pair<int, size_t>(2, 0) : std::pair<int, size_t>(1, found->second);
    };
    std::stable_sort(interface.addresses.begin(), interface.addresses.end(),
                     [&](const InterfaceAddress& a, const InterfaceAddress& b) { return rank(a) < rank(b); });
  }
}

}  // namespace sockscope::interfaces
