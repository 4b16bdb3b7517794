// Address facts the kernel consults, computed from a HostState only (never from the live
// kernel): the IPv4 local-table lookup, the IPv6 address check, and display names.
#pragma once

#include <string>

#include "core/endpoint.h"
#include "explain/host_state.h"

namespace sockscope::explain {

const HostInterface* find_interface(const HostState& host, uint32_t index);
// The interface's name, or "#N" when the index is unknown.
std::string interface_name(const HostState& host, uint32_t index);

// Like IpAddress::to_string, but the scope is named from `host`: "fe80::89%en0".
std::string format_address(const HostState& host, const IpAddress& address);
// "127.0.0.1:4444", "[::1]:4444", "[fe80::89%en0]:4444".
std::string format_endpoint(const HostState& host, const Endpoint& endpoint);

enum class Ipv4AddressType : uint8_t { kLocal, kBroadcast, kMulticast, kNotLocal };

struct Ipv4Lookup {
  Ipv4AddressType type = Ipv4AddressType::kNotLocal;
  const LocalRoute* route = nullptr;  // the local-table route that decided, if any
};

// inet_addr_type_table(): 255.255.255.255 is broadcast, 224/4 multicast, anything else is
// what the longest matching local-table route says (no route: not local).
Ipv4Lookup lookup_ipv4(const HostState& host, const IpAddress& address);

// ipv6_chk_addr(): an address configured on this host. With `device` set, link-local and
// host-scoped (::1) addresses must be on that device; global ones may be anywhere.
// Tentative addresses count only when allow_tentative.
const HostAddress* find_ipv6_address(const HostState& host, const IpAddress& address, uint32_t device,
                                     bool allow_tentative = false);

// True for ::1 and link-local unicast: the kernel ties these to one device.
bool is_device_scoped_ipv6(const IpAddress& address);

// "lo", "en0 and en2": the interfaces that carry `address` (IPv4 or IPv6), for reasons.
std::string owners_of_address(const HostState& host, const IpAddress& address);

// A few local addresses of the given family suitable for a "bind one of these" hint.
std::string local_address_examples(const HostState& host, int family, size_t limit = 3);

}  // namespace sockscope::explain
