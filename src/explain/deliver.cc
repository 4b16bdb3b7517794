// Step 1 follows ip_route_input_slow()/ip_route_output_key_hash_rcu() (is it local, which
// device does it count as arriving on); step 2 the socket lookups: __inet_lookup_listener()
// and inet6_lookup_listener() for TCP, __udp4_lib_lookup() and __udp6_lib_lookup() for UDP.
// See ../shared/reference/linux-bind-semantics.md, §3.5-3.8.
#include "explain/deliver.h"

#include <algorithm>

#include <fmt/format.h>

#include "explain/addresses.h"
#include "explain/bind_tables.h"
#include "explain/chain_order.h"
#include "explain/describe.h"

namespace sockscope::explain {
namespace {

// Where the packet stands after the IP layer.
struct Arrival {
  IpAddress destination;       // after unmapping and the unspecified-address rewrite
  uint16_t port = 0;
  std::optional<IpAddress> source_address;
  uint16_t source_port = 0;    // 0: not known
  uint32_t device = 0;         // what the socket lookup sees as the incoming device
  bool from_host = true;
};

BoundAddress bound_of(const HostSocket& socket) { return {socket.family, socket.local.address, socket.v6only.value_or(false)}; }

bool same_bytes(const IpAddress& a, const IpAddress& b) {
  size_t size = a.family == AF_INET ? 4 : 16;
  return a.family == b.family && std::equal(a.bytes.begin(), a.bytes.begin() + size, b.bytes.begin());
}

// The candidate's address as the lookup of the given family compares it.
bool address_in_bucket(const HostSocket& socket, const IpAddress& bucket) {
  if (bucket.family == AF_INET) {
    if (socket.v6only.value_or(false)) return false;
    if (socket.family == AF_INET6 && !socket.local.address.is_unspecified() && !socket.local.address.is_v4_mapped()) return false;
    return same_bytes(ipv4_view(bound_of(socket)), bucket);
  }
  return socket.family == AF_INET6 && same_bytes(socket.local.address, bucket);
}

class Deliverer {
 public:
  Deliverer(const HostState& host, const DeliveryRequest& request) : host_(host), request_(request) {}

  Result<Verdict> run() {
    if (request_.destination.port == 0) return fail("the destination port must not be 0");
    Result<bool> reached = reach_socket_layer();
    if (!reached) return tl::unexpected(reached.error());
    if (*reached) find_socket();
    return std::move(verdict_);
  }

 private:
  void add(std::string rule, std::string kernel, std::string text) {
    verdict_.reasons.push_back({std::move(rule), std::move(kernel), std::move(text)});
  }

  bool drop(std::string fix) {
    verdict_.outcome = Outcome::kDropped;
    verdict_.fix = std::move(fix);
    return false;
  }

  std::string name(uint32_t index) const { return interface_name(host_, index); }
  std::string text(const IpAddress& address) const { return format_address(host_, address); }
  bool is_tcp() const { return request_.protocol == Protocol::kTcp; }

  // Step 1: is the destination local, and which device does the lookup see?
  Result<bool> reach_socket_layer() {
    arrival_.destination = request_.destination.address;
    arrival_.port = request_.destination.port;
    if (request_.source) {
      arrival_.source_address = request_.source->address;
      arrival_.source_port = request_.source->port;
    }
    const HostInterface* incoming = nullptr;
    if (request_.arriving_interface) {
      incoming = find_interface(host_, *request_.arriving_interface);
      if (incoming == nullptr) return fail(fmt::format("no interface with index {}", *request_.arriving_interface));
      arrival_.from_host = incoming->loopback;
    }
    if (arrival_.destination.is_v4_mapped()) {
      if (arrival_.from_host && host_.sysctls.bindv6only) {
        add("mapped-needs-dual-stack", is_tcp() ? "tcp_v6_connect" : "ip6_datagram_connect",
            fmt::format("{} is IPv4-mapped, which only a dual-stack IPv6 socket can reach; with net.ipv6.bindv6only=1 a new "
                        "IPv6 socket is IPv6-only, and connect() fails with ENETUNREACH",
                        text(arrival_.destination)));
        return drop(fmt::format("connect to {} from an IPv4 socket, or clear IPV6_V6ONLY on the client", text(arrival_.destination.unmapped())));
      }
      add("mapped-destination", "tcp_v6_connect", fmt::format("{} is IPv4-mapped: it travels as IPv4 to {}", text(arrival_.destination),
                                                              text(arrival_.destination.unmapped())));
      arrival_.destination = arrival_.destination.unmapped();
    }
    if (arrival_.source_address && arrival_.source_address->is_v4_mapped()) arrival_.source_address = arrival_.source_address->unmapped();
    if (!arrival_.from_host) {
      arrival_.device = incoming->index;
      if (!incoming->up) {
        add("interface-down", "netif_receive_skb", fmt::format("{} is down: nothing arrives on it", incoming->name));
        return drop(fmt::format("bring {} up (ip link set {} up)", incoming->name, incoming->name));
      }
    }
    if (arrival_.destination.is_unspecified()) {
      if (!arrival_.from_host) {
        add("unspecified-destination", "ip_route_input_slow", "the unspecified address is never a valid destination on the wire");
        return drop("send to an address of this host");
      }
      bool v4 = arrival_.destination.family == AF_INET;
      IpAddress loopback = IpAddress::any(arrival_.destination.family);
      if (v4) {
        loopback.bytes = {127, 0, 0, 1};
      } else {
        loopback.bytes[15] = 1;
      }
      add("unspecified-destination", v4 ? "ip_route_output_key_hash_rcu" : "tcp_v6_connect",
          fmt::format("connecting to {} reaches the host itself at {}", text(arrival_.destination), text(loopback)));
      arrival_.destination = loopback;
    }
    if (arrival_.destination.is_multicast()) return fail("multicast delivery is not modelled");
    return arrival_.destination.family == AF_INET ? reach_ipv4(incoming) : reach_ipv6(incoming);
  }

  Result<bool> reach_ipv4(const HostInterface* incoming) {
    const IpAddress& destination = arrival_.destination;
    if (!arrival_.from_host && destination.is_loopback() && !incoming->route_localnet) {
      add("martian-destination", "ip_route_input_slow",
          fmt::format("{} is in 127.0.0.0/8, which is only valid inside the host: arriving on {} it is dropped as a martian",
                      text(destination), incoming->name));
      return drop(fmt::format("connect from the host itself, or set net.ipv4.conf.{}.route_localnet=1 to accept 127.0.0.0/8 on {}",
                              incoming->name, incoming->name));
    }
    Ipv4Lookup lookup = lookup_ipv4(host_, destination);
    if (lookup.type == Ipv4AddressType::kBroadcast || lookup.type == Ipv4AddressType::kMulticast) {
      return fail("broadcast and multicast delivery is not modelled");
    }
    if (lookup.type == Ipv4AddressType::kNotLocal) {
      add("local-address", "fib_table_lookup",
          fmt::format("{} is not local: no interface has it, so {}", text(destination),
                      arrival_.from_host ? "the host sends it out rather than to one of its own sockets"
                                         : "the host forwards or drops it; none of its sockets sees it"));
      std::string examples = local_address_examples(host_, AF_INET);
      return drop(fmt::format("send to an address this host has{}, or add {} to an interface", examples.empty() ? "" : " (" + examples + ")",
                              text(destination)));
    }
    uint32_t owner = lookup.route ? lookup.route->device : 0;
    const HostInterface* owner_interface = find_interface(host_, owner);
    std::string down = owner_interface && !owner_interface->up ? fmt::format("; {} is down, but IPv4 keeps its local route", owner_interface->name) : "";
    add("local-address", "fib_table_lookup",
        fmt::format("{} is local: route local {}/{} dev {}{}", text(destination), text(lookup.route->prefix), lookup.route->prefix_length,
                    name(owner), down));
    if (arrival_.from_host) {
      arrival_.device = owner;
      if (!arrival_.source_address) {
        arrival_.source_address = lookup.route->preferred_source.value_or(destination);
      }
      add("host-arrival", "ip_route_output_key_hash_rcu",
          fmt::format("sent by the host, it travels over lo but the lookup sees it arriving on {}, the device whose route owns {}", name(owner),
                      text(destination)));
    } else {
      if (!check_ipv4_source(*incoming)) return false;
      add("weak-host", "ip_route_input_slow",
          owner == incoming->index ? fmt::format("it arrives on {}, which owns {}", incoming->name, text(destination))
                                   : fmt::format("it arrives on {} and is accepted although {} owns {}: Linux accepts any local address on any interface",
                                                 incoming->name, name(owner), text(destination)));
    }
    return true;
  }

  bool check_ipv4_source(const HostInterface& incoming) {
    if (!arrival_.source_address) return true;
    const IpAddress& source = *arrival_.source_address;
    if (source.is_loopback() && !incoming.route_localnet) {
      add("martian-source", "ip_route_input_slow", fmt::format("the source {} is a loopback address arriving on {}: a martian", text(source), incoming.name));
      return drop("a packet from outside cannot come from 127.0.0.0/8");
    }
    if (source.is_unspecified() || source.is_multicast() || lookup_ipv4(host_, source).type == Ipv4AddressType::kBroadcast) {
      add("martian-source", "ip_route_input_slow", fmt::format("the source {} is not a unicast address: a martian", text(source)));
      return drop("send from a unicast address");
    }
    if (lookup_ipv4(host_, source).type == Ipv4AddressType::kLocal) {
      add("local-source", "fib_validate_source", fmt::format("the source {} is one of this host's own addresses, arriving from outside", text(source)));
      return drop("send from the peer's own address");
    }
    return true;
  }

  Result<bool> reach_ipv6(const HostInterface* incoming) {
    const IpAddress& destination = arrival_.destination;
    if (!arrival_.from_host && destination.is_loopback()) {
      add("loopback-from-outside", "ip6_rcv_core", fmt::format("::1 arriving on {} is dropped: it is only valid inside the host", incoming->name));
      return drop("connect from the host itself");
    }
    uint32_t device = 0;  // only link-local destinations are tied to a device
    if (destination.needs_scope()) {
      device = arrival_.from_host ? destination.scope_id : incoming->index;
      if (device == 0) {
        add("link-local-scope", "ip6_datagram_connect", fmt::format("{} is link-local and names no interface: connect() fails with EINVAL", text(destination)));
        return drop(fmt::format("give the interface: [{}%IFACE]:{}", text(destination), arrival_.port));
      }
    }
    const HostAddress* found = find_ipv6_address(host_, destination, device);
    if (found == nullptr) {
      const HostAddress* tentative = find_ipv6_address(host_, destination, device, true);
      if (tentative) {
        add("tentative-address", "ipv6_chk_addr",
            fmt::format("{} on {} is still tentative (duplicate address detection); it is not yet a local address", text(destination), name(tentative->interface)));
        return drop("wait for duplicate address detection to finish, or add the address with nodad");
      }
      bool elsewhere = device != 0 && find_ipv6_address(host_, destination, 0) != nullptr;
      add("local-address", "ipv6_chk_addr",
          elsewhere ? fmt::format("{} is link-local and belongs to {}, not to {}: a link-local address is only reachable on its own link",
                                  text(destination), owners_of_address(host_, destination), name(device))
                    : fmt::format("{} is not an address of this host{}", text(destination),
                                  arrival_.from_host ? "" : ", so none of its sockets sees it"));
      std::string examples = local_address_examples(host_, AF_INET6);
      return drop(elsewhere ? fmt::format("use the scope of the interface that has it: {}%{}", text(IpAddress{destination.family, destination.bytes, 0}),
                                          owners_of_address(host_, destination))
                            : fmt::format("send to an address this host has{}", examples.empty() ? "" : " (" + examples + ")"));
    }
    add("local-address", "ipv6_chk_addr", fmt::format("{} is an address of {}", text(destination), name(found->interface)));
    if (arrival_.from_host) {
      arrival_.device = found->interface;
      if (!arrival_.source_address) arrival_.source_address = destination;
      add("host-arrival", "ip6_route_output",
          fmt::format("sent by the host, the lookup sees it arriving on {}, the device that has {}", name(found->interface), text(destination)));
    } else if (found->interface != incoming->index) {
      add("weak-host", "ip6_input_finish",
          fmt::format("it arrives on {} and is accepted although {} has {}", incoming->name, name(found->interface), text(destination)));
    }
    return true;
  }

  // Which sockets could take it at all: same protocol and port; TCP only listeners.
  bool is_candidate(const HostSocket& socket) const {
    if (socket.protocol != request_.protocol || socket.local.port != arrival_.port) return false;
    if (is_tcp()) return socket.state == SocketState::kListen;
    return socket.state == SocketState::kBound || socket.state == SocketState::kConnected;
  }

  // A TCP listener that shares its port with an overlapping listener must have SO_REUSEPORT.
  bool effective_reuseport(size_t index, bool* assumed) const {
    const HostSocket& socket = host_.sockets[index];
    if (socket.reuseport) return *socket.reuseport;
    if (is_tcp()) {
      for (size_t j = 0; j < host_.sockets.size(); ++j) {
        const HostSocket& other = host_.sockets[j];
        if (j == index || !is_candidate(other)) continue;
        bool devices = socket.device == 0 || other.device == 0 || socket.device == other.device;
        if (devices && rcv_saddr_equal(bound_of(socket), bound_of(other))) return true;
      }
    }
    if (assumed) *assumed = true;
    return false;
  }

  std::vector<size_t> chain() const {
    return chain_order(
        host_, [&](size_t i) { return is_candidate(host_.sockets[i]); },
        [&](size_t i) {
          bool unused = false;
          return effective_reuseport(i, &unused);
        });
  }

  bool device_matches(const HostSocket& socket) const { return socket.device == 0 || socket.device == arrival_.device; }

  // compute_score() of the four lookups; -1 when the socket does not match at all.
  int score(const HostSocket& socket, bool* source_unknown) const {
    if (!device_matches(socket)) return -1;
    bool v4 = arrival_.destination.family == AF_INET;
    int value = 0;
    if (is_tcp()) {
      value = 1 + (socket.device ? 1 : 0) + (v4 && socket.family == AF_INET ? 1 : 0);
      return value;
    }
    int per_match = v4 ? 4 : 1;
    value = v4 ? (socket.family == AF_INET ? 2 : 1) : 0;
    if (socket.state == SocketState::kConnected) {
      if (!arrival_.source_address || arrival_.source_port == 0) {
        if (source_unknown) *source_unknown = true;
        return -1;
      }
      IpAddress remote = socket.remote.address;
      if (v4 && remote.is_v4_mapped()) remote = remote.unmapped();
      if (!same_bytes(remote, *arrival_.source_address) || socket.remote.port != arrival_.source_port) return -1;
      value += 2 * per_match;
    }
    if (socket.device) value += per_match;
    return value;
  }

  struct Walk {
    std::vector<size_t> matched;     // in chain order
    std::optional<size_t> winner;
    std::vector<size_t> group;       // a reuseport group ended the walk
    bool undetermined = false;
    std::optional<size_t> better_later;  // a higher-scoring socket the group short-circuited
  };

  std::vector<size_t> group_of(size_t index) const {
    const HostSocket& socket = host_.sockets[index];
    std::vector<size_t> members;
    for (size_t i : chain()) {
      const HostSocket& other = host_.sockets[i];
      bool unused = false;
      if (other.family == socket.family && other.v6only.value_or(false) == socket.v6only.value_or(false) &&
          other.device == socket.device && other.uid == socket.uid && same_bytes(other.local.address, socket.local.address) &&
          effective_reuseport(i, &unused)) {
        members.push_back(i);
      }
    }
    return members;
  }

  // inet_lhash2_lookup() / udp4_lib_lookup2(): the first socket that scores strictly higher
  // than everything before it wins for now; if it is in a reuseport group, the group ends
  // the walk at once.
  Walk walk(const IpAddress& bucket) {
    Walk result;
    bool v6_udp = !is_tcp() && arrival_.destination.family == AF_INET6;
    int best = v6_udp ? -1 : 0;
    for (size_t index : chain()) {
      const HostSocket& socket = host_.sockets[index];
      if (!address_in_bucket(socket, bucket)) continue;
      bool source_unknown = false;
      int value = score(socket, &source_unknown);
      if (source_unknown) {
        verdict_.assumptions.push_back(fmt::format("{} is connected to {}; assumed the sender is not that peer",
                                                   short_socket(host_, socket), format_endpoint(host_, socket.remote)));
      }
      if (value < 0) {
        if (!device_matches(socket)) {
          add("device-mismatch", is_tcp() ? "inet_sk_bound_dev_eq" : "udp_sk_bound_dev_eq",
              fmt::format("{} is bound to device {}, and this arrives on {}", short_socket(host_, socket), name(socket.device), name(arrival_.device)));
        } else if (!source_unknown) {
          add("connected-elsewhere", "compute_score",
              fmt::format("{} is connected to {}, not to this sender", short_socket(host_, socket), format_endpoint(host_, socket.remote)));
        }
        continue;
      }
      result.matched.push_back(index);
      if (!result.group.empty()) {
        if (value > best && !result.better_later) result.better_later = index;
        continue;
      }
      if (value <= best) continue;
      best = value;
      if (!is_tcp() && socket.state == SocketState::kConnected) {
        result.winner = index;
        continue;
      }
      bool assumed = false;
      bool reuseport = effective_reuseport(index, &assumed);
      if (assumed && !is_tcp()) result.undetermined = true;
      if (reuseport) {
        std::vector<size_t> members = group_of(index);
        bool has_connected = std::any_of(members.begin(), members.end(),
                                         [&](size_t i) { return host_.sockets[i].state == SocketState::kConnected; });
        if (has_connected) {
          result.undetermined = true;
          result.winner = index;
          continue;
        }
        result.group = members;
        result.winner = index;
        continue;  // keep walking only to notice better sockets the group hides
      }
      result.winner = index;
    }
    return result;
  }

  void find_socket() {
    if (is_tcp() && find_connection()) return;
    const IpAddress& destination = arrival_.destination;
    bool v4 = destination.family == AF_INET;
    std::string lookup = is_tcp() ? (v4 ? "__inet_lookup_listener" : "inet6_lookup_listener") : (v4 ? "__udp4_lib_lookup" : "__udp6_lib_lookup");
    std::string what = is_tcp() ? "listener" : "socket";
    Walk exact = walk(destination);
    if (exact.winner) {
      add("exact-bucket-first", lookup, fmt::format("the {}s bound to exactly {}:{} are searched first, and one matches", what, text(destination), arrival_.port));
      conclude(exact);
      return;
    }
    add("exact-bucket-first", lookup,
        fmt::format("no {} bound to exactly {}:{} matches; next come the wildcard ones, {}", what, text(destination), arrival_.port,
                    v4 ? fmt::format("0.0.0.0:{} (and [::]:{} without IPV6_V6ONLY)", arrival_.port, arrival_.port)
                       : fmt::format("[::]:{}", arrival_.port)));
    Walk wildcard = walk(IpAddress::any(destination.family));
    if (wildcard.winner) {
      conclude(wildcard);
      return;
    }
    refuse();
  }

  // An established connection with the same 4-tuple takes the segment before any listener.
  bool find_connection() {
    if (!arrival_.source_address || arrival_.source_port == 0) return false;
    for (size_t i = 0; i < host_.sockets.size(); ++i) {
      const HostSocket& socket = host_.sockets[i];
      if (socket.protocol != Protocol::kTcp || socket.local.port != arrival_.port || socket.remote.port != arrival_.source_port) continue;
      IpAddress local = socket.local.address.is_v4_mapped() ? socket.local.address.unmapped() : socket.local.address;
      IpAddress remote = socket.remote.address.is_v4_mapped() ? socket.remote.address.unmapped() : socket.remote.address;
      if (!same_bytes(local, arrival_.destination) || !same_bytes(remote, *arrival_.source_address)) continue;
      if (socket.state == SocketState::kTimeWait) {
        add("time-wait-4-tuple", "tcp_timewait_state_process",
            "a TIME_WAIT socket holds this 4-tuple; a new SYN with a newer timestamp or sequence number takes it over and goes to the listeners");
        return false;
      }
      if (socket.state != SocketState::kConnected) continue;
      add("established-first", "__inet_lookup_established",
          fmt::format("{} already is a connection with this 4-tuple; its segments go to it, and no new connection can use the same ports",
                      describe_socket(host_, socket)));
      verdict_.outcome = Outcome::kDelivered;
      verdict_.choice = Choice::kSingle;
      verdict_.sockets.push_back({i, socket, "the existing connection"});
      return true;
    }
    return false;
  }

  void conclude(const Walk& result) {
    verdict_.outcome = Outcome::kDelivered;
    if (is_tcp() && reply_device_down(*result.winner)) return;
    if (result.undetermined && result.matched.size() > 1) {
      verdict_.choice = Choice::kUndetermined;
      for (size_t index : result.matched) verdict_.sockets.push_back({index, host_.sockets[index], "a possible receiver"});
      add("undetermined", "reuseport_select_sock",
          "which of these receives it depends on SO_REUSEPORT flags or group state that cannot be read here");
      verdict_.assumptions.push_back("the SO_REUSEPORT flags of some candidate sockets could not be read");
      return;
    }
    if (!result.group.empty() && result.group.size() > 1) {
      verdict_.choice = Choice::kReuseportGroup;
      for (size_t index : result.group) verdict_.sockets.push_back({index, host_.sockets[index], "member of the SO_REUSEPORT group"});
      add("reuseport-group", "reuseport_select_sock",
          fmt::format("{} is the first match and belongs to a SO_REUSEPORT group of {}: a hash of the 4-tuple picks one member, the same one "
                      "for every packet of a connection or flow",
                      short_socket(host_, host_.sockets[*result.winner]), result.group.size()));
    } else {
      size_t index = *result.winner;
      verdict_.choice = Choice::kSingle;
      verdict_.sockets.push_back({index, host_.sockets[index], "receives it"});
      std::string why = winner_reason(result, index);
      add("best-score", "compute_score", why);
    }
    if (result.better_later) {
      const HostSocket& hidden = host_.sockets[*result.better_later];
      add("listen-order", "inet_lhash2_lookup",
          fmt::format("{} would score higher, but it comes later in the lookup chain and the SO_REUSEPORT group ends the search first: "
                      "the order in which the sockets were {} decides",
                      short_socket(host_, hidden), is_tcp() ? "put to listen()" : "bound"));
    }
  }

  // An IPv4 listener's SYN-ACK leaves through the device it is bound to (inet_csk_route_req
  // uses ir_iif), and ip_route_output_key_hash_rcu() refuses a DOWN output device, so the
  // handshake never completes. IPv6 finds its local route anyway (seen by the oracle).
  bool reply_device_down(size_t index) {
    if (arrival_.destination.family != AF_INET) return false;
    const HostSocket& socket = host_.sockets[index];
    const HostInterface* device = socket.device ? find_interface(host_, socket.device) : nullptr;
    if (device == nullptr || device->up) return false;
    verdict_.outcome = Outcome::kDropped;
    verdict_.choice = Choice::kSingle;
    verdict_.sockets.push_back({index, socket, "gets the SYN but cannot answer"});
    add("reply-device-down", "inet_csk_route_req",
        fmt::format("{} takes the SYN, but it is bound to {}, which is down: its SYN-ACK has no route out, so the client times out",
                    short_socket(host_, socket), device->name));
    verdict_.fix = fmt::format("bring {} up, or do not bind the listener to it", device->name);
    return true;
  }

  std::string winner_reason(const Walk& result, size_t index) const {
    const HostSocket& socket = host_.sockets[index];
    std::string who = describe_socket(host_, socket);
    if (result.matched.size() == 1) return fmt::format("{} is the only match", who);
    std::vector<std::string> details;
    if (socket.state == SocketState::kConnected) details.push_back("connected to this sender");
    if (socket.device) details.push_back(fmt::format("bound to {}", name(socket.device)));
    if (arrival_.destination.family == AF_INET && socket.family == AF_INET) details.push_back("an IPv4 socket (beats IPv6 dual-stack ones)");
    bool tie = false;
    for (size_t other : result.matched) {
      if (other == index) continue;
      if (score(host_.sockets[other], nullptr) == score(socket, nullptr)) tie = true;
    }
    if (tie) details.push_back("the most recently bound of equals (newest first in the chain)");
    return fmt::format("{} scores highest of {} matches{}", who, result.matched.size(),
                       details.empty() ? "" : fmt::format(": {}", fmt::join(details, "; ")));
  }

  void refuse() {
    verdict_.outcome = Outcome::kRefused;
    verdict_.choice = Choice::kNone;
    std::string proto = protocol_name(request_.protocol);
    add("no-socket", is_tcp() ? "tcp_v4_send_reset" : "icmp_send",
        is_tcp() ? "no listener takes it: the host answers with a reset (connection refused)"
                 : "no socket takes it: the host answers with ICMP port unreachable");
    // Name what is on the port and why it did not match, for the fix.
    std::vector<std::string> other_addresses;
    std::vector<std::string> notes;
    bool any = false;
    for (const HostSocket& socket : host_.sockets) {
      if (socket.protocol != request_.protocol || socket.local.port != arrival_.port) continue;
      if (is_tcp() && socket.state != SocketState::kListen) {
        if (socket.state == SocketState::kBound) notes.push_back(fmt::format("{} is bound but never called listen()", short_socket(host_, socket)));
        continue;
      }
      any = true;
      bool v4 = arrival_.destination.family == AF_INET;
      if (v4 && socket.family == AF_INET6 && socket.v6only.value_or(false) && socket.local.address.is_unspecified()) {
        notes.push_back(fmt::format("{} is IPv6-only (IPV6_V6ONLY): clear that or also listen on 0.0.0.0:{}", short_socket(host_, socket), arrival_.port));
      } else if (!v4 && socket.family == AF_INET) {
        notes.push_back(fmt::format("{} is an IPv4 socket: listen on [::]:{} for IPv6", short_socket(host_, socket), arrival_.port));
      } else if (address_in_bucket(socket, arrival_.destination) || address_in_bucket(socket, IpAddress::any(arrival_.destination.family))) {
        if (!device_matches(socket)) {
          notes.push_back(fmt::format("{} is bound to device {}, but this arrives on {}{}", short_socket(host_, socket), name(socket.device),
                                      name(arrival_.device),
                                      arrival_.from_host ? " (from the host, the device that owns the destination address counts)" : ""));
        } else if (socket.state == SocketState::kConnected) {
          notes.push_back(fmt::format("{} is connected to {} and takes only its datagrams", short_socket(host_, socket), format_endpoint(host_, socket.remote)));
        }
      } else {
        other_addresses.push_back(format_address(host_, socket.local.address));
      }
    }
    std::string wildcard = arrival_.destination.family == AF_INET ? "0.0.0.0" : "[::]";
    std::string destination = text(arrival_.destination);
    if (arrival_.destination.family == AF_INET6) destination = "[" + destination + "]";
    std::string listens = is_tcp() ? "listens" : "is bound";
    if (!other_addresses.empty()) {
      std::sort(other_addresses.begin(), other_addresses.end());
      other_addresses.erase(std::unique(other_addresses.begin(), other_addresses.end()), other_addresses.end());
      notes.insert(notes.begin(), fmt::format("the only {} on {} port {} {} bound to {}; bind {} or {}", is_tcp() ? "listener" : "socket", proto,
                                              arrival_.port, other_addresses.size() == 1 ? "is" : "are", fmt::join(other_addresses, " and "),
                                              wildcard, destination));
    }
    if (!any && notes.empty()) {
      notes.push_back(fmt::format("nothing {} on {} port {}; start one on {}:{} or {}:{}", listens, proto, arrival_.port, wildcard, arrival_.port,
                                  destination, arrival_.port));
    }
    // The first note is the fix; the others explain the remaining sockets on the port.
    for (size_t i = 1; i < notes.size(); ++i) add("why-not", "compute_score", notes[i]);
    verdict_.fix = notes.empty() ? "" : notes.front();
  }

  const HostState& host_;
  const DeliveryRequest& request_;
  Arrival arrival_;
  Verdict verdict_;
};

}  // namespace

Result<Verdict> deliver(const HostState& host, const DeliveryRequest& request) { return Deliverer(host, request).run(); }

}  // namespace sockscope::explain
