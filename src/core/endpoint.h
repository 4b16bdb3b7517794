// IP addresses and ADDR:PORT endpoints: parsing, formatting, sockaddr conversion and
// name resolution. IPv6 always prints as [addr%scope]:port, the scope by interface name.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <compare>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace sockscope {

struct IpAddress {
  int family = AF_INET;             // AF_INET or AF_INET6
  std::array<uint8_t, 16> bytes{};  // network byte order; IPv4 uses the first four
  uint32_t scope_id = 0;            // IPv6 interface index, 0 when unscoped

  static IpAddress any(int family);
  static IpAddress from_in(const in_addr& address);
  static IpAddress from_in6(const in6_addr& address, uint32_t scope_id = 0);
  in_addr to_in() const;
  in6_addr to_in6() const;

  bool is_unspecified() const;
  bool is_loopback() const;
  bool is_multicast() const;
  bool is_v4_mapped() const;
  // IPv6 addresses that mean nothing without an interface: link-local unicast and
  // link- or interface-local multicast (the kernel's __ipv6_addr_needs_scope_id).
  bool needs_scope() const;
  // The IPv4 address inside ::ffff:a.b.c.d; only valid when is_v4_mapped().
  IpAddress unmapped() const;

  // Without brackets: "127.0.0.1", "::1", "fe80::1%eth0" (index when the name is gone).
  std::string to_string() const;
  // The same text added to the end of out: listings print 100k addresses.
  void append_to(std::string& out) const;

  auto operator<=>(const IpAddress&) const = default;
};

// The dotted-quad text of the IPv4 address in bytes[0..3], written at out (room for 15
// characters); returns where it ends. glibc's inet_ntop goes through sprintf, and listings
// print 100k addresses.
inline char* write_dotted_quad(const uint8_t* bytes, char* out) {
  for (int i = 0; i < 4; ++i) {
    if (i != 0) *out++ = '.';
    unsigned value = bytes[i];
    if (value >= 100) *out++ = static_cast<char>('0' + value / 100);
    if (value >= 10) *out++ = static_cast<char>('0' + value / 10 % 10);
    *out++ = static_cast<char>('0' + value % 10);
  }
  return out;
}

struct SockAddr {
  sockaddr_storage storage{};
  socklen_t length = 0;
  const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&storage); }
  sockaddr* get() { return reinterpret_cast<sockaddr*>(&storage); }
};

struct Endpoint {
  IpAddress address;
  uint16_t port = 0;

  SockAddr to_sockaddr() const;
  // Accepts AF_INET and AF_INET6 only; anything else is a bug in the caller.
  static Endpoint from_sockaddr(const sockaddr* address, socklen_t length);

  // "127.0.0.1:4444", "[::1]:4444", "[fe80::1%eth0]:4444".
  std::string to_string() const;

  auto operator<=>(const Endpoint&) const = default;
};

enum class ScopeRule {
  kRequired,  // a link-local IPv6 address without %scope is an error (the default)
  kOptional,  // let it through: callers that model what the kernel does with it
};

// Numeric IPv4 or IPv6, the latter with an optional %scope given as a name or an index.
Result<IpAddress> parse_ip_address(std::string_view text, ScopeRule scope_rule = ScopeRule::kRequired);

// A decimal port, 1..65535 (0 too when allow_zero). Errors name the bad token.
Result<uint16_t> parse_port(std::string_view text, bool allow_zero = false);

// "ADDR:PORT", "[V6]:PORT" or "[V6%scope]:PORT", numeric only.
Result<Endpoint> parse_endpoint(std::string_view text, ScopeRule scope_rule = ScopeRule::kRequired);

// Interface index <-> name; the index's decimal form when it has no name.
std::string interface_name(uint32_t index);

struct ResolveRequest {
  std::string_view host;
  int family = AF_UNSPEC;    // AF_UNSPEC, AF_INET or AF_INET6
  int socket_type = 0;       // SOCK_STREAM, SOCK_DGRAM or 0 for either
  bool numeric_only = false; // no DNS: -n
  bool passive = false;      // an empty host means the wildcard address
};

// Every address getaddrinfo returns, in its order, without duplicates. The error's
// context is gai_strerror's text (its code stays 0, as getaddrinfo has its own codes).
Result<std::vector<IpAddress>> resolve_host(const ResolveRequest& request);

}  // namespace sockscope
