#include "explain/bind_tables.h"

namespace sockscope::explain {
namespace {

enum class V6Kind { kAny, kMapped, kOther };

V6Kind v6_kind(const BoundAddress& bound) {
  if (bound.family == AF_INET) return V6Kind::kMapped;  // the kernel treats AF_INET as mapped
  if (bound.address.is_unspecified()) return V6Kind::kAny;
  if (bound.address.is_v4_mapped()) return V6Kind::kMapped;
  return V6Kind::kOther;
}

// The bhash2 key: the address in IPv6 form (IPv4 as ::ffff:a.b.c.d), without scope.
std::array<uint8_t, 16> bucket_key(const BoundAddress& bound) {
  if (bound.family == AF_INET6) return bound.address.bytes;
  std::array<uint8_t, 16> key{};
  key[10] = key[11] = 0xff;
  for (int i = 0; i < 4; ++i) key[12 + i] = bound.address.bytes[i];
  return key;
}

bool ipv4_equal(const IpAddress& a, const IpAddress& b) {
  for (int i = 0; i < 4; ++i) {
    if (a.bytes[i] != b.bytes[i]) return false;
  }
  return true;
}

// ipv4_rcv_saddr_equal() with both wildcards matching.
bool ipv4_saddr_equal(const IpAddress& first, const IpAddress& second, bool second_v6only) {
  if (second_v6only) return false;
  return ipv4_equal(first, second) || first.is_unspecified() || second.is_unspecified();
}

}  // namespace

IpAddress ipv4_view(const BoundAddress& bound) {
  if (bound.family == AF_INET) return bound.address;
  switch (v6_kind(bound)) {
    case V6Kind::kAny: return IpAddress::any(AF_INET);
    case V6Kind::kMapped: return bound.address.unmapped();
    case V6Kind::kOther: {
      IpAddress loopback4_ipv6 = IpAddress::any(AF_INET);
      loopback4_ipv6.bytes[0] = 127;
      loopback4_ipv6.bytes[3] = 6;
      return loopback4_ipv6;
    }
  }
  return IpAddress::any(AF_INET);
}

bool rcv_saddr_equal(const BoundAddress& socket, const BoundAddress& other) {
  if (socket.family == AF_INET) return ipv4_saddr_equal(socket.address, ipv4_view(other), other.v6only);
  // ipv6_rcv_saddr_equal(); an AF_INET `other` has no IPv6 address and counts as mapped.
  V6Kind kind = v6_kind(socket);
  V6Kind other_kind = v6_kind(other);
  if (kind == V6Kind::kMapped && other_kind == V6Kind::kMapped) {
    return ipv4_saddr_equal(ipv4_view(socket), ipv4_view(other), other.v6only);
  }
  if (kind == V6Kind::kAny && other_kind == V6Kind::kAny) return true;
  if (other_kind == V6Kind::kAny && !(other.v6only && kind == V6Kind::kMapped)) return true;
  if (kind == V6Kind::kAny && !(socket.v6only && other_kind == V6Kind::kMapped)) return true;
  return other.family == AF_INET6 && other.address.bytes == socket.address.bytes;
}

bool binds_wildcard(const BoundAddress& bound) { return ipv4_view(bound).is_unspecified() && v6_kind(bound) != V6Kind::kOther; }

bool in_checked_bhash2_bucket(const BoundAddress& bound, const BoundAddress& existing) {
  bool ipv4_side = v6_kind(bound) == V6Kind::kMapped;  // AF_INET or v4-mapped
  // __inet_bhash2_conflict(): a v6only socket never conflicts with an IPv4 bind.
  if (existing.v6only && ipv4_side) return false;
  // inet_bhash2_addr_any_conflict() with inet_bind2_bucket_match_addr_any().
  if (v6_kind(existing) == V6Kind::kAny) return true;
  if (v6_kind(existing) == V6Kind::kMapped && ipv4_view(existing).is_unspecified()) return ipv4_side;
  // The socket's own bucket: inet_bind2_bucket_match().
  return bucket_key(bound) == bucket_key(existing);
}

}  // namespace sockscope::explain
