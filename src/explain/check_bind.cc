// The order of checks follows __inet_bind() (net/ipv4/af_inet.c) and __inet6_bind()
// (net/ipv6/af_inet6.c); the EADDRINUSE rule follows inet_csk_get_port() for TCP and
// udp_lib_get_port() for UDP. See ../shared/reference/linux-bind-semantics.md, §3.1-3.4.
#include "explain/check_bind.h"

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "explain/addresses.h"
#include "explain/bind_tables.h"
#include "explain/chain_order.h"
#include "explain/describe.h"

namespace sockscope::explain {
namespace {

// The socket being bound, with everything the conflict rules look at.
struct NewSocket {
  Protocol protocol = Protocol::kTcp;
  BoundAddress bound;
  uint16_t port = 0;
  uint32_t device = 0;
  bool reuseaddr = false;
  bool reuseport = false;
  uid_t uid = 0;
};

// How one existing socket on the port stands against the new one.
struct Judgement {
  bool overlaps = false;        // addresses overlap and devices are compatible
  bool conflict = false;
  bool exempt_by_reuseaddr = false;
  bool used_unknown = false;    // the answer rests on a flag nobody could read
  std::string text;             // why it conflicts or why it does not
};

bool flag_or(std::optional<bool> value, bool assume_set) { return value.value_or(assume_set); }

BoundAddress bound_of(const HostSocket& socket, bool assume_set) {
  return {socket.family, socket.local.address, socket.v6only.value_or(assume_set)};
}

std::string reuseaddr_failure(const NewSocket& socket, const HostSocket& other) {
  if (!socket.reuseaddr) return "the new socket does not set SO_REUSEADDR";
  if (!other.reuseaddr) return "its SO_REUSEADDR cannot be read (assumed not set)";
  if (!*other.reuseaddr) {
    return other.state == SocketState::kTimeWait ? "the socket that left this TIME_WAIT did not set SO_REUSEADDR"
                                                 : "it does not set SO_REUSEADDR";
  }
  return "it is listening, and SO_REUSEADDR never lets a socket share a listening socket's port on Linux";
}

std::string reuseport_failure(const NewSocket& socket, const HostSocket& other) {
  if (!socket.reuseport) return "the new socket does not set SO_REUSEPORT";
  if (!other.reuseport) return "its SO_REUSEPORT cannot be read (assumed not set)";
  if (!*other.reuseport) {
    return other.state == SocketState::kTimeWait ? "the socket that left this TIME_WAIT did not set SO_REUSEPORT"
                                                 : "it does not set SO_REUSEPORT";
  }
  return fmt::format("it belongs to uid {} and the new socket to uid {} (SO_REUSEPORT needs one owner; root is not exempt)",
                     other.uid, socket.uid);
}

bool devices_compatible(uint32_t first, uint32_t second) { return first == 0 || second == 0 || first == second; }

// inet_bind_conflict() for one pair, after the address filter of inet_csk_bind_conflict().
Judgement judge_tcp(const HostState& host, const NewSocket& socket, const HostSocket& other, bool assume_set) {
  Judgement judgement;
  BoundAddress other_bound = bound_of(other, assume_set);
  bool overlaps = binds_wildcard(socket.bound) ? rcv_saddr_equal(socket.bound, other_bound)
                                               : in_checked_bhash2_bucket(socket.bound, other_bound);
  judgement.used_unknown = other.family == AF_INET6 && !other.v6only;
  if (!overlaps || !devices_compatible(socket.device, other.device)) return judgement;
  judgement.overlaps = true;
  bool other_reuseaddr = flag_or(other.reuseaddr, assume_set);
  bool other_reuseport = flag_or(other.reuseport, assume_set);
  bool by_reuseaddr = socket.reuseaddr && other_reuseaddr && other.state != SocketState::kListen;
  bool by_reuseport = socket.reuseport && other_reuseport &&
                      (other.state == SocketState::kTimeWait || other.uid == socket.uid);
  judgement.used_unknown = judgement.used_unknown || (socket.reuseaddr && !other.reuseaddr) ||
                           (socket.reuseport && !other.reuseport);
  judgement.conflict = !by_reuseaddr && !by_reuseport;
  judgement.exempt_by_reuseaddr = by_reuseaddr && !by_reuseport;
  std::string who = describe_socket(host, other);
  if (by_reuseaddr) {
    judgement.text = fmt::format("{} overlaps, but both set SO_REUSEADDR and it is not listening", who);
  } else if (by_reuseport) {
    judgement.text = other.state == SocketState::kTimeWait
                         ? fmt::format("{} overlaps, but both set SO_REUSEPORT (a TIME_WAIT's owner uid is not compared)", who)
                         : fmt::format("{} overlaps, but both set SO_REUSEPORT and have the same owner uid {}", who, other.uid);
  } else {
    judgement.text = fmt::format("{} conflicts: SO_REUSEADDR does not apply because {}; SO_REUSEPORT does not apply because {}",
                                 who, reuseaddr_failure(socket, other), reuseport_failure(socket, other));
  }
  return judgement;
}

// udp_lib_lport_inuse(): sockets where both set SO_REUSEADDR are skipped; the first other
// overlapping socket decides, and SO_REUSEPORT with the same uid lets the bind through.
Judgement judge_udp(const HostState& host, const NewSocket& socket, const HostSocket& other, bool assume_set) {
  Judgement judgement;
  BoundAddress other_bound = bound_of(other, assume_set);
  if (!rcv_saddr_equal(socket.bound, other_bound) || !devices_compatible(socket.device, other.device)) return judgement;
  judgement.overlaps = true;
  bool other_reuseaddr = flag_or(other.reuseaddr, assume_set);
  bool other_reuseport = flag_or(other.reuseport, assume_set);
  judgement.used_unknown = (socket.reuseaddr && !other.reuseaddr) || (socket.reuseport && !other.reuseport) ||
                           (other.family == AF_INET6 && !other.v6only);
  std::string who = describe_socket(host, other);
  if (socket.reuseaddr && other_reuseaddr) {
    judgement.exempt_by_reuseaddr = true;
    judgement.text = fmt::format("{} overlaps, but both set SO_REUSEADDR, which UDP allows even for identical addresses", who);
    return judgement;
  }
  bool by_reuseport = socket.reuseport && other_reuseport && other.uid == socket.uid;
  judgement.conflict = !by_reuseport;
  if (by_reuseport) {
    judgement.text = fmt::format("{} overlaps, but both set SO_REUSEPORT and have the same owner uid {}", who, other.uid);
  } else {
    judgement.text = fmt::format("{} conflicts: SO_REUSEADDR does not apply because {}; SO_REUSEPORT does not apply because {}",
                                 who, reuseaddr_failure(socket, other), reuseport_failure(socket, other));
  }
  return judgement;
}

struct ConflictScan {
  std::vector<size_t> conflicting;
  std::vector<size_t> exempt_by_reuseaddr;  // bound-only TCP sockets sharing the port through SO_REUSEADDR
  std::vector<std::pair<size_t, Judgement>> judged;
  bool used_unknown = false;
};

// UDP stops at the first deciding socket, so the scan follows the port's chain order.
ConflictScan scan_conflicts(const HostState& host, const NewSocket& socket, bool assume_set) {
  ConflictScan scan;
  std::vector<size_t> order = chain_order(
      host, [&](size_t i) { return host.sockets[i].protocol == socket.protocol && host.sockets[i].local.port == socket.port; },
      [&](size_t i) { return flag_or(host.sockets[i].reuseport, assume_set); });
  for (size_t i : order) {
    const HostSocket& other = host.sockets[i];
    Judgement judgement = socket.protocol == Protocol::kTcp ? judge_tcp(host, socket, other, assume_set)
                                                            : judge_udp(host, socket, other, assume_set);
    if (!judgement.overlaps) continue;
    scan.used_unknown = scan.used_unknown || judgement.used_unknown;
    if (judgement.conflict) scan.conflicting.push_back(i);
    if (judgement.exempt_by_reuseaddr && other.state == SocketState::kBound) scan.exempt_by_reuseaddr.push_back(i);
    bool decisive = socket.protocol == Protocol::kUdp && !judgement.exempt_by_reuseaddr;
    scan.judged.emplace_back(i, std::move(judgement));
    if (decisive) break;  // UDP: the first overlapping socket without shared SO_REUSEADDR decides
  }
  return scan;
}

class BindChecker {
 public:
  BindChecker(const HostState& host, const BindRequest& request) : host_(host), request_(request) {}

  Verdict run() {
    socket_.protocol = request_.protocol;
    socket_.port = request_.endpoint.port;
    socket_.device = request_.device;
    socket_.reuseaddr = request_.reuseaddr;
    socket_.reuseport = request_.reuseport;
    socket_.uid = request_.uid.value_or(host_.caller_uid);
    const IpAddress& address = request_.endpoint.address;
    socket_.bound.family = address.family;
    socket_.bound.address = address;
    socket_.bound.address.scope_id = 0;
    socket_.bound.v6only = address.family == AF_INET6 && request_.v6only.value_or(host_.sysctls.bindv6only);
    bool other_uid = request_.uid && *request_.uid != host_.caller_uid;
    privileged_ = other_uid ? *request_.uid == 0 : host_.caller_can_bind_privileged;
    can_transparent_ = other_uid ? *request_.uid == 0 : host_.caller_can_set_transparent;

    if (!check_options()) return finish();
    bool passed = address.family == AF_INET ? check_ipv4() : check_ipv6();
    if (passed) check_port_in_use();
    return finish();
  }

 private:
  void add(std::string rule, std::string kernel, std::string text) {
    verdict_.reasons.push_back({std::move(rule), std::move(kernel), std::move(text)});
  }

  bool deny(int error, std::string fix) {
    verdict_.outcome = Outcome::kDenied;
    verdict_.error = error;
    verdict_.fix = std::move(fix);
    return false;
  }

  Verdict finish() {
    if (verdict_.error == 0) verdict_.outcome = Outcome::kAllowed;
    return std::move(verdict_);
  }

  std::string endpoint_text() const { return format_endpoint(host_, request_.endpoint); }

  // setsockopt() runs before bind(): SO_BINDTODEVICE needs the device, IP_TRANSPARENT a capability.
  bool check_options() {
    if (request_.device != 0) {
      if (find_interface(host_, request_.device) == nullptr) {
        add("device-exists", "sock_setbindtodevice", fmt::format("SO_BINDTODEVICE names interface index {}, which does not exist", request_.device));
        return deny(ENODEV, "name an existing interface");
      }
      add("bound-device", "sock_setbindtodevice",
          fmt::format("SO_BINDTODEVICE ties the socket to {}: it only conflicts with sockets on no device or the same device, "
                      "and only receives what arrives on {}", interface_name(host_, request_.device), interface_name(host_, request_.device)));
    }
    if (request_.transparent && !can_transparent_) {
      add("transparent-privilege", "do_ip_setsockopt",
          "IP_TRANSPARENT needs CAP_NET_ADMIN or CAP_NET_RAW, which the socket's owner lacks; setsockopt() fails with EPERM");
      return deny(EPERM, "drop --transparent and use --freebind, which needs no privilege");
    }
    return true;
  }

  bool nonlocal_allowed(bool ipv6) const {
    return request_.freebind || request_.transparent || (ipv6 ? host_.sysctls.ipv6_nonlocal_bind : host_.sysctls.ipv4_nonlocal_bind);
  }

  std::string nonlocal_source(bool ipv6) const {
    if (request_.freebind) return "IP_FREEBIND";
    if (request_.transparent) return "IP_TRANSPARENT";
    return ipv6 ? "net.ipv6.ip_nonlocal_bind=1" : "net.ipv4.ip_nonlocal_bind=1";
  }

  // inet_addr_type_table() + inet_addr_valid_or_nonlocal(), shared by IPv4 and v4-mapped binds.
  bool check_ipv4_address(const IpAddress& address) {
    std::string text = format_address(host_, address);
    if (address.is_unspecified()) {
      add("wildcard-address", "inet_addr_valid_or_nonlocal", fmt::format("{} is the wildcard: every local IPv4 address", text));
      return true;
    }
    Ipv4Lookup lookup = lookup_ipv4(host_, address);
    switch (lookup.type) {
      case Ipv4AddressType::kLocal: {
        std::string owner = owners_of_address(host_, address);
        std::string route = lookup.route ? fmt::format("local {}/{} dev {}", format_address(host_, lookup.route->prefix),
                                                       lookup.route->prefix_length, interface_name(host_, lookup.route->device))
                                         : "a local route";
        const HostInterface* device = lookup.route ? find_interface(host_, lookup.route->device) : nullptr;
        std::string down = device && !device->up ? fmt::format(" ({} is down, but IPv4 keeps its local route)", device->name) : "";
        add("local-address", "inet_addr_type_table",
            owner.empty() ? fmt::format("{} is local: the local table has {}{}", text, route, down)
                          : fmt::format("{} is local: {} has it (route {}){}", text, owner, route, down));
        return true;
      }
      case Ipv4AddressType::kBroadcast:
        add("broadcast-address", "inet_addr_valid_or_nonlocal", fmt::format("{} is a broadcast address, which bind() accepts", text));
        return true;
      case Ipv4AddressType::kMulticast:
        add("multicast-address", "inet_addr_valid_or_nonlocal", fmt::format("{} is a multicast address, which IPv4 bind() accepts", text));
        return true;
      case Ipv4AddressType::kNotLocal: break;
    }
    if (nonlocal_allowed(false)) {
      add("nonlocal-bind", "inet_can_nonlocal_bind",
          fmt::format("{} is not local, but {} lets the socket bind it anyway (it receives nothing until the address appears)", text, nonlocal_source(false)));
      return true;
    }
    add("local-address", "inet_addr_valid_or_nonlocal",
        fmt::format("{} is not local: no interface has it and the local routing table has no local, broadcast or multicast route for it", text));
    std::string examples = local_address_examples(host_, AF_INET);
    return deny(EADDRNOTAVAIL, fmt::format("bind 0.0.0.0 or an address this host has{}; or set IP_FREEBIND (--freebind) to bind it before it exists",
                                           examples.empty() ? "" : " (" + examples + ")"));
  }

  bool check_privileged_port() {
    uint16_t port = request_.endpoint.port;
    int start = host_.sysctls.unprivileged_port_start;
    if (port == 0 || port >= start) return true;
    if (privileged_) {
      add("privileged-port", "inet_port_requires_bind_service",
          fmt::format("port {} is below net.ipv4.ip_unprivileged_port_start ({}), and the owner has CAP_NET_BIND_SERVICE", port, start));
      return true;
    }
    add("privileged-port", "inet_port_requires_bind_service",
        fmt::format("port {} is below net.ipv4.ip_unprivileged_port_start ({}) and the socket's owner lacks CAP_NET_BIND_SERVICE", port, start));
    return deny(EACCES, fmt::format("use a port of {} or more, run with CAP_NET_BIND_SERVICE (root, or setcap/ambient capability), "
                                    "or lower net.ipv4.ip_unprivileged_port_start", start));
  }

  bool check_ipv4() {
    if (!check_ipv4_address(request_.endpoint.address)) return false;
    return check_privileged_port();
  }

  bool check_ipv6() {
    const IpAddress& address = request_.endpoint.address;
    std::string text = format_address(host_, address);
    if (address.is_multicast() && request_.protocol == Protocol::kTcp) {
      add("tcp-multicast", "__inet6_bind", fmt::format("{} is multicast, and a TCP socket cannot bind a multicast address", text));
      return deny(EINVAL, "bind a unicast address or the wildcard [::]");
    }
    if (!check_privileged_port()) return false;
    if (address.is_v4_mapped()) {
      if (socket_.bound.v6only) {
        add("mapped-on-v6only", "__inet6_bind",
            fmt::format("{} is an IPv4-mapped address, which makes no sense on a socket with IPV6_V6ONLY", text));
        return deny(EINVAL, fmt::format("drop IPV6_V6ONLY (--v6only{}), or bind {} on an IPv4 socket",
                                        host_.sysctls.bindv6only ? "; net.ipv6.bindv6only=1 sets it by default" : "",
                                        format_address(host_, address.unmapped())));
      }
      add("mapped-address", "__inet6_bind", fmt::format("{} is IPv4-mapped: the IPv4 rules apply to {}", text, format_address(host_, address.unmapped())));
      return check_ipv4_address(address.unmapped());
    }
    if (address.is_unspecified()) {
      add("wildcard-address", "__inet6_bind",
          socket_.bound.v6only ? "[::] with IPV6_V6ONLY: every local IPv6 address, no IPv4"
                               : "[::] without IPV6_V6ONLY: every local IPv6 address and, through IPv4-mapped addresses, every IPv4 address");
      return true;
    }
    uint32_t device = request_.device;
    if (address.needs_scope()) {
      if (address.scope_id != 0) {
        if (device != 0 && device != address.scope_id) {
          add("scope-overrides-device", "__inet6_bind",
              fmt::format("the scope %{} replaces the SO_BINDTODEVICE device {}", interface_name(host_, address.scope_id), interface_name(host_, device)));
        }
        device = address.scope_id;
      }
      if (device == 0) {
        add("link-local-scope", "__inet6_bind", fmt::format("{} is link-local and names no interface (no scope id, no SO_BINDTODEVICE)", text));
        return deny(EINVAL, fmt::format("say which interface: [{}%IFACE]:{}, or --device IFACE", text, request_.endpoint.port));
      }
      if (find_interface(host_, device) == nullptr) {
        add("scope-device", "__inet6_bind", fmt::format("the scope names interface index {}, which does not exist", device));
        return deny(ENODEV, "name an existing interface as the scope");
      }
      socket_.device = device;
    }
    if (!address.is_multicast()) {
      if (nonlocal_allowed(true)) {
        if (find_ipv6_address(host_, address, device) == nullptr) {
          add("nonlocal-bind", "ipv6_can_nonlocal_bind",
              fmt::format("{} is not usable here, but {} lets the socket bind it anyway", text, nonlocal_source(true)));
        } else {
          add("local-address", "ipv6_chk_addr", fmt::format("{} is an address of {}", text, owners_of_address(host_, address)));
        }
      } else if (const HostAddress* found = find_ipv6_address(host_, address, device)) {
        add("local-address", "ipv6_chk_addr", fmt::format("{} is an address of {}", text, interface_name(host_, found->interface)));
      } else {
        return deny_missing_ipv6(address, device);
      }
    } else {
      add("multicast-address", "__inet6_bind", fmt::format("{} is multicast: no address check for UDP", text));
    }
    socket_.bound.v6only = true;
    add("specific-is-v6only", "__inet6_bind", fmt::format("binding {} makes the socket IPv6-only, so it never competes with IPv4", text));
    return true;
  }

  bool deny_missing_ipv6(const IpAddress& address, uint32_t device) {
    std::string text = format_address(host_, address);
    if (const HostAddress* tentative = find_ipv6_address(host_, address, device, true)) {
      add("tentative-address", "ipv6_chk_addr",
          fmt::format("{} on {} is still tentative: duplicate address detection has not finished, and tentative addresses cannot be bound",
                      text, interface_name(host_, tentative->interface)));
      return deny(EADDRNOTAVAIL, "wait for duplicate address detection to finish (a second or two), add the address with nodad, or set IPV6_FREEBIND (--freebind)");
    }
    if (device != 0 && find_ipv6_address(host_, address, 0) != nullptr) {
      add("address-on-device", "ipv6_chk_addr",
          fmt::format("{} belongs to {}, not to {}, and the socket is tied to {}", text, owners_of_address(host_, address),
                      interface_name(host_, device), interface_name(host_, device)));
      return deny(EADDRNOTAVAIL, fmt::format("bind it on {} instead", owners_of_address(host_, address)));
    }
    bool loopback = address.is_loopback();
    add("local-address", "ipv6_chk_addr",
        loopback ? fmt::format("{} is not configured (IPv6 loopback is the single address ::1)", text)
                 : fmt::format("{} is not an address of any interface{}", text,
                               device != 0 ? fmt::format(" (looked on {})", interface_name(host_, device)) : ""));
    std::string examples = local_address_examples(host_, AF_INET6);
    return deny(EADDRNOTAVAIL, fmt::format("bind [::] or an address this host has{}; or set IPV6_FREEBIND (--freebind)",
                                           examples.empty() ? "" : " (" + examples + ")"));
  }

  void check_port_in_use() {
    if (request_.endpoint.port == 0) {
      add("ephemeral-port", request_.protocol == Protocol::kTcp ? "inet_csk_find_open_port" : "udp_lib_get_port",
          "port 0: the kernel picks a free port");
      return;
    }
    std::string kernel = request_.protocol == Protocol::kTcp ? "inet_bind_conflict" : "udp_lib_lport_inuse";
    ConflictScan scan = scan_conflicts(host_, socket_, false);
    for (const auto& [index, judgement] : scan.judged) add(judgement.conflict ? "port-conflict" : "port-shared", kernel, judgement.text);
    if (scan.judged.empty()) {
      add("port-free", kernel, fmt::format("no {} socket overlaps {} on a compatible device", protocol_name(request_.protocol), endpoint_text()));
    }
    if (!scan.conflicting.empty()) {
      for (size_t index : scan.conflicting) {
        NamedSocket named{index, host_.sockets[index], ""};
        for (const auto& [judged_index, judgement] : scan.judged) {
          if (judged_index == index) named.note = judgement.text;
        }
        verdict_.sockets.push_back(std::move(named));
      }
      deny(EADDRINUSE, conflict_fix(scan));
    } else if (request_.listen && request_.protocol == Protocol::kTcp) {
      add("listen-recheck", "inet_csk_listen_start",
          "listen() runs the same check again; nothing overlapping is listening that would change the answer");
    }
    for (size_t index : scan.exempt_by_reuseaddr) {
      if (request_.protocol != Protocol::kTcp) break;
      const HostSocket& other = host_.sockets[index];
      verdict_.warnings.push_back(fmt::format(
          "{} shares the port through SO_REUSEADDR only while neither socket listens: {}",
          short_socket(host_, other),
          request_.listen ? "once this socket listens, that socket's own listen() will fail with EADDRINUSE"
                          : "whichever calls listen() second will fail with EADDRINUSE"));
    }
    record_unknowns(scan);
  }

  // Flags of TIME_WAIT sockets and of uninspectable owners are unknown: the answer above
  // assumed them unset. If assuming them set changes the answer, say so.
  void record_unknowns(const ConflictScan& scan) {
    if (!scan.used_unknown) return;
    for (const auto& [index, judgement] : scan.judged) {
      if (!judgement.used_unknown) continue;
      const HostSocket& other = host_.sockets[index];
      bool flags_unknown = !other.reuseaddr || !other.reuseport;
      std::string what = other.state == SocketState::kTimeWait
                             ? "the flags of a TIME_WAIT socket are not visible; assumed the socket that left it set neither SO_REUSEADDR nor SO_REUSEPORT"
                         : flags_unknown ? "its owner could not be inspected; assumed neither SO_REUSEADDR nor SO_REUSEPORT"
                                         : "its owner could not be inspected";
      if (other.family == AF_INET6 && !other.v6only) what += ", and not IPV6_V6ONLY (the kernel reports it only for listening and unconnected sockets)";
      verdict_.assumptions.push_back(fmt::format("{}: {}", short_socket(host_, other), what));
    }
    ConflictScan permissive = scan_conflicts(host_, socket_, true);
    bool denied_if_set = !permissive.conflicting.empty();
    if (denied_if_set != (verdict_.error == EADDRINUSE)) {
      verdict_.outcome_if_unknown_set = denied_if_set ? Outcome::kDenied : Outcome::kAllowed;
      verdict_.error_if_unknown_set = denied_if_set ? EADDRINUSE : 0;
    }
  }

  std::string conflict_fix(const ConflictScan& scan) const {
    bool reuseport_would_do = true;
    bool reuseaddr_would_do = true;
    bool all_time_wait = true;
    for (size_t index : scan.conflicting) {
      const HostSocket& other = host_.sockets[index];
      bool same_owner = other.state == SocketState::kTimeWait || other.uid == socket_.uid;
      reuseport_would_do = reuseport_would_do && other.reuseport.value_or(false) && same_owner;
      reuseaddr_would_do = reuseaddr_would_do && other.reuseaddr.value_or(false) && other.state != SocketState::kListen;
      all_time_wait = all_time_wait && other.state == SocketState::kTimeWait;
    }
    if (request_.protocol == Protocol::kUdp && !socket_.reuseaddr && reuseaddr_would_do) {
      return "set SO_REUSEADDR on the new socket (--reuseaddr); the other socket already has it";
    }
    if (!socket_.reuseport && reuseport_would_do) {
      return "set SO_REUSEPORT on the new socket (--reuseport): every conflicting socket has it and the same owner";
    }
    if (!socket_.reuseaddr && reuseaddr_would_do) {
      return "set SO_REUSEADDR on the new socket (--reuseaddr): the conflicting sockets have it and none is listening";
    }
    if (all_time_wait) {
      return "wait for the TIME_WAIT to expire (60 s), or set SO_REUSEADDR on both the old server socket and the new one";
    }
    const HostSocket& first = host_.sockets[scan.conflicting.front()];
    std::string holder = short_socket(host_, first);
    if (first.state == SocketState::kListen && request_.reuseaddr && !request_.reuseport) {
      return fmt::format("{} is listening: on Linux only SO_REUSEPORT on every socket, all owned by one uid, lets two listeners share a port; "
                         "or stop it, or pick another port", holder);
    }
    if (first.reuseport.value_or(false) && socket_.reuseport && first.uid != socket_.uid &&
        first.state != SocketState::kTimeWait) {
      return fmt::format("run the new socket as uid {} (the owner of {}), or pick another port", first.uid, holder);
    }
    return fmt::format("stop {} or pick another port{}", holder,
                       first.reuseport.value_or(false) ? "; or set SO_REUSEPORT on every socket of the port, all owned by one uid" : "");
  }

  const HostState& host_;
  const BindRequest& request_;
  NewSocket socket_;
  bool privileged_ = false;
  bool can_transparent_ = false;
  Verdict verdict_;
};

}  // namespace

Verdict check_bind(const HostState& host, const BindRequest& request) { return BindChecker(host, request).run(); }

}  // namespace sockscope::explain
