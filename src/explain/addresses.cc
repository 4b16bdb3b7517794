#include "explain/addresses.h"

#include <arpa/inet.h>

#include <algorithm>

#include <fmt/format.h>

namespace sockscope::explain {
namespace {

uint32_t ipv4_value(const IpAddress& address) {
  return (uint32_t{address.bytes[0]} << 24) | (uint32_t{address.bytes[1]} << 16) |
         (uint32_t{address.bytes[2]} << 8) | address.bytes[3];
}

bool prefix_contains(const LocalRoute& route, const IpAddress& address) {
  if (route.prefix.family != AF_INET || address.family != AF_INET || route.prefix_length > 32) return false;
  uint32_t mask = route.prefix_length == 0 ? 0 : ~uint32_t{0} << (32 - route.prefix_length);
  return (ipv4_value(route.prefix) & mask) == (ipv4_value(address) & mask);
}

bool same_address_ignoring_scope(const IpAddress& a, const IpAddress& b) {
  return a.family == b.family && a.bytes == b.bytes;
}

}  // namespace

const HostInterface* find_interface(const HostState& host, uint32_t index) {
  for (const HostInterface& interface : host.interfaces) {
    if (interface.index == index) return &interface;
  }
  return nullptr;
}

std::string interface_name(const HostState& host, uint32_t index) {
  const HostInterface* interface = find_interface(host, index);
  return interface ? interface->name : fmt::format("#{}", index);
}

std::string format_address(const HostState& host, const IpAddress& address) {
  char text[INET6_ADDRSTRLEN] = {};
  inet_ntop(address.family, address.bytes.data(), text, sizeof text);
  if (address.family == AF_INET6 && address.scope_id != 0) {
    return fmt::format("{}%{}", text, interface_name(host, address.scope_id));
  }
  return text;
}

std::string format_endpoint(const HostState& host, const Endpoint& endpoint) {
  if (endpoint.address.family == AF_INET6) return fmt::format("[{}]:{}", format_address(host, endpoint.address), endpoint.port);
  return fmt::format("{}:{}", format_address(host, endpoint.address), endpoint.port);
}

Ipv4Lookup lookup_ipv4(const HostState& host, const IpAddress& address) {
  if (ipv4_value(address) == 0xffffffff) return {Ipv4AddressType::kBroadcast, nullptr};
  if (address.is_multicast()) return {Ipv4AddressType::kMulticast, nullptr};
  const LocalRoute* best = nullptr;
  for (const LocalRoute& route : host.local_routes) {
    if (!prefix_contains(route, address)) continue;
    if (best == nullptr || route.prefix_length > best->prefix_length) best = &route;
  }
  if (best == nullptr) return {Ipv4AddressType::kNotLocal, nullptr};
  switch (best->type) {
    case RouteType::kLocal: return {Ipv4AddressType::kLocal, best};
    case RouteType::kBroadcast: return {Ipv4AddressType::kBroadcast, best};
    case RouteType::kMulticast: return {Ipv4AddressType::kMulticast, best};
  }
  return {Ipv4AddressType::kNotLocal, nullptr};
}

bool is_device_scoped_ipv6(const IpAddress& address) {
  if (address.family != AF_INET6) return false;
  in6_addr bytes = address.to_in6();
  return IN6_IS_ADDR_LOOPBACK(&bytes) || IN6_IS_ADDR_LINKLOCAL(&bytes);
}

const HostAddress* find_ipv6_address(const HostState& host, const IpAddress& address, uint32_t device,
                                     bool allow_tentative) {
  for (const HostAddress& candidate : host.addresses) {
    if (!same_address_ignoring_scope(candidate.address, address)) continue;
    if (candidate.tentative && !allow_tentative) continue;
    if (device != 0 && candidate.interface != device && is_device_scoped_ipv6(address)) continue;
    return &candidate;
  }
  return nullptr;
}

std::string owners_of_address(const HostState& host, const IpAddress& address) {
  std::vector<std::string> names;
  for (const HostAddress& candidate : host.addresses) {
    if (!same_address_ignoring_scope(candidate.address, address)) continue;
    std::string name = interface_name(host, candidate.interface);
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  }
  if (names.empty()) return "";
  if (names.size() == 1) return names[0];
  std::string last = names.back();
  names.pop_back();
  return fmt::format("{} and {}", fmt::join(names, ", "), last);
}

std::string local_address_examples(const HostState& host, int family, size_t limit) {
  std::vector<std::string> examples;
  for (const HostAddress& candidate : host.addresses) {
    if (candidate.address.family != family || candidate.tentative) continue;
    std::string text = format_address(host, candidate.address);
    if (std::find(examples.begin(), examples.end(), text) != examples.end()) continue;
    examples.push_back(text);
    if (examples.size() == limit) break;
  }
  return fmt::format("{}", fmt::join(examples, ", "));
}

}  // namespace sockscope::explain
