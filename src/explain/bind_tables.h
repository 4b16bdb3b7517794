// How the kernel's bind tables compare local addresses: inet_rcv_saddr_equal() (the full
// scan of a port) and the bhash2 buckets that a bind to a specific address looks in.
#pragma once

#include "core/endpoint.h"

namespace sockscope::explain {

struct BoundAddress {
  int family = AF_INET;  // the socket's family: AF_INET6 for [::ffff:a.b.c.d] too
  IpAddress address;     // as bound; IPv4 for AF_INET sockets
  bool v6only = false;
};

// sk_rcv_saddr, the IPv4 view of a socket's address: itself for AF_INET, 0.0.0.0 for [::],
// a.b.c.d for [::ffff:a.b.c.d], and LOOPBACK4_IPV6 (127.0.0.6) for any other IPv6 address.
IpAddress ipv4_view(const BoundAddress& bound);

// inet_rcv_saddr_equal(sk, sk2, match_wildcard=true): do the two addresses overlap, a
// wildcard covering what it covers ([::] covers IPv4 unless v6only)?
bool rcv_saddr_equal(const BoundAddress& socket, const BoundAddress& other);

// !inet_use_bhash2_on_bind(): 0.0.0.0, [::] and [::ffff:0.0.0.0] scan every socket on the
// port; any other address looks only in bhash2 buckets.
bool binds_wildcard(const BoundAddress& bound);

// For a bind to a specific address: is `existing` in a bhash2 bucket the kernel checks?
// Those are the [::] bucket, the 0.0.0.0 bucket (IPv4 and v4-mapped binds only) and the
// bucket of the same address; v6only sockets never count against IPv4 binds there.
bool in_checked_bhash2_bucket(const BoundAddress& bound, const BoundAddress& existing);

}  // namespace sockscope::explain
