// The namespace of reference/linux-bind-semantics.md §1 as a HostState, with helpers that
// add sockets in time order and ask the model in the reference tables' terms. Tests only.
#pragma once

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "explain/check_bind.h"
#include "explain/deliver.h"

namespace sockscope::explain::testing {

struct Options {
  bool reuseaddr = false;
  bool reuseport = false;
  std::optional<bool> v6only;  // unset: the bindv6only default (0); specific IPv6 binds force 1
  std::string device;
  uid_t uid = 0;
  bool freebind = false;
  bool transparent = false;
};

inline Options none() { return {}; }
inline Options ra() {
  Options options;
  options.reuseaddr = true;
  return options;
}
inline Options rp() {
  Options options;
  options.reuseport = true;
  return options;
}
inline Options ra_rp() {
  Options options = ra();
  options.reuseport = true;
  return options;
}
inline Options v6only(bool value, Options options = {}) {
  options.v6only = value;
  return options;
}
inline Options on_device(std::string device, Options options = {}) {
  options.device = std::move(device);
  return options;
}
inline Options as_uid(uid_t uid, Options options = {}) {
  options.uid = uid;
  return options;
}

class ReferenceHost {
 public:
  ReferenceHost() {
    state.interfaces = {{1, "lo", true, true, false, false},
                        {2, "en0", true, false, false, false},
                        {3, "en2", true, false, false, false},
                        {4, "p2p0", false, false, true, false}};
    add_address("127.0.0.1", "lo", 8);
    add_address("::1", "lo", 128);
    add_address("192.168.1.89", "en0", 24);
    add_address("2001:db8:1::89", "en0", 64);
    add_address("fe80::89%en0", "en0", 64);
    add_address("10.88.0.1", "en2", 24);
    add_address("2001:db8:88::1", "en2", 64);
    add_address("fe80::89%en2", "en2", 64);
    add_address("10.99.0.1", "p2p0", 24);
    add_address("2001:db8:99::1", "p2p0", 64);
    add_address("fe80::99%p2p0", "p2p0", 64);
    add_route("127.0.0.0", 8, RouteType::kLocal, "lo", "127.0.0.1");
    add_route("127.0.0.1", 32, RouteType::kLocal, "lo", "127.0.0.1");
    add_route("127.255.255.255", 32, RouteType::kBroadcast, "lo", "127.0.0.1");
    add_route("192.168.1.89", 32, RouteType::kLocal, "en0", "192.168.1.89");
    add_route("192.168.1.255", 32, RouteType::kBroadcast, "en0", "192.168.1.89");
    add_route("10.88.0.1", 32, RouteType::kLocal, "en2", "10.88.0.1");
    add_route("10.88.0.255", 32, RouteType::kBroadcast, "en2", "10.88.0.1");
    add_route("10.99.0.1", 32, RouteType::kLocal, "p2p0", "10.99.0.1");  // p2p0 is down: no broadcast route
    state.caller_uid = 0;
    state.caller_can_bind_privileged = true;
    state.caller_can_set_transparent = true;
  }

  uint32_t index(const std::string& name) const {
    for (const HostInterface& interface : state.interfaces) {
      if (interface.name == name) return interface.index;
    }
    ADD_FAILURE() << "no interface " << name;
    return 0;
  }

  // "[fe80::89%en0]:4444", "127.0.0.1:4444", "fe80::89%en0": scopes named from this host.
  IpAddress address(std::string text) const {
    uint32_t scope = 0;
    if (size_t percent = text.find('%'); percent != std::string::npos) {
      scope = index(text.substr(percent + 1));
      text.resize(percent);
    }
    Result<IpAddress> parsed = parse_ip_address(text, ScopeRule::kOptional);
    EXPECT_TRUE(parsed) << text;
    IpAddress result = parsed.value_or(IpAddress{});
    result.scope_id = scope;
    return result;
  }

  Endpoint endpoint(const std::string& text) const {
    size_t colon = text.rfind(':');
    std::string host = text.substr(0, colon);
    if (host.front() == '[') host = host.substr(1, host.size() - 2);
    return Endpoint{address(host), static_cast<uint16_t>(std::stoi(text.substr(colon + 1)))};
  }

  void add_address(const std::string& text, const std::string& device, uint8_t prefix, bool tentative = false) {
    state.addresses.push_back({address(text), index(device), prefix, tentative});
  }

  void remove_addresses_of(const std::string& device, int family) {
    std::erase_if(state.addresses, [&](const HostAddress& a) { return a.interface == index(device) && a.address.family == family; });
  }

  void add_route(const std::string& prefix, uint8_t length, RouteType type, const std::string& device, const std::string& source) {
    state.local_routes.push_back({address(prefix), length, type, index(device), address(source)});
  }

  // A socket that entered the tables now (newest first). `label` names it in expectations.
  HostSocket& add(Protocol protocol, SocketState socket_state, const std::string& local, const Options& options,
                  const std::string& label, const std::string& remote = "") {
    HostSocket socket;
    socket.protocol = protocol;
    socket.local = endpoint(local);
    socket.family = socket.local.address.family;
    socket.state = socket_state;
    if (!remote.empty()) socket.remote = endpoint(remote);
    socket.device = options.device.empty() ? socket.local.address.scope_id : index(options.device);
    bool specific_v6 = socket.family == AF_INET6 && !socket.local.address.is_unspecified() && !socket.local.address.is_v4_mapped();
    socket.v6only = socket.family == AF_INET6 && (specific_v6 || options.v6only.value_or(state.sysctls.bindv6only));
    socket.uid = options.uid;
    socket.reuseaddr = options.reuseaddr;
    socket.reuseport = options.reuseport;
    socket.owners = {{static_cast<pid_t>(100 + state.sockets.size()), label}};
    state.sockets.insert(state.sockets.begin(), socket);
    return state.sockets.front();
  }

  HostSocket& listen(const std::string& local, const Options& options, const std::string& label) {
    return add(Protocol::kTcp, SocketState::kListen, local, options, label);
  }
  HostSocket& udp(const std::string& local, const Options& options, const std::string& label) {
    return add(Protocol::kUdp, SocketState::kBound, local, options, label);
  }

  BindRequest bind_request(Protocol protocol, const std::string& local, const Options& options, bool listen) const {
    BindRequest request;
    request.protocol = protocol;
    request.endpoint = endpoint(local);
    request.reuseaddr = options.reuseaddr;
    request.reuseport = options.reuseport;
    request.v6only = options.v6only;
    request.device = options.device.empty() ? 0 : index(options.device);
    if (options.uid != state.caller_uid) request.uid = options.uid;
    request.freebind = options.freebind;
    request.transparent = options.transparent;
    request.listen = listen;
    return request;
  }

  // "OK" or the errno's name, as the reference tables write results.
  std::string bind(Protocol protocol, const std::string& local, const Options& options = {}, bool listen = true) const {
    return result_text(check_bind(state, bind_request(protocol, local, options, listen)));
  }
  std::string bind_tcp(const std::string& local, const Options& options = {}) const { return bind(Protocol::kTcp, local, options); }
  std::string bind_udp(const std::string& local, const Options& options = {}) const {
    return bind(Protocol::kUdp, local, options, false);
  }

  static std::string result_text(const Verdict& verdict) {
    if (verdict.outcome == Outcome::kAllowed) return "OK";
    switch (verdict.error) {
      case EADDRINUSE: return "EADDRINUSE";
      case EADDRNOTAVAIL: return "EADDRNOTAVAIL";
      case EACCES: return "EACCES";
      case EINVAL: return "EINVAL";
      case ENODEV: return "ENODEV";
      case EPERM: return "EPERM";
      default: return std::to_string(verdict.error);
    }
  }

  // The receiver's label, "A|B" for a reuseport group, "refused" or "dropped".
  static std::string receiver_text(const Result<Verdict>& verdict) {
    if (!verdict) return "error: " + verdict.error().message();
    if (verdict->outcome == Outcome::kRefused) return "refused";
    if (verdict->outcome == Outcome::kDropped) return "dropped";
    std::vector<std::string> labels;
    for (const NamedSocket& named : verdict->sockets) labels.push_back(named.socket.owners.front().command);
    std::sort(labels.begin(), labels.end());
    std::string text;
    for (const std::string& label : labels) text += (text.empty() ? "" : "|") + label;
    if (verdict->choice == Choice::kUndetermined) text = "undetermined:" + text;
    return text;
  }

  Result<Verdict> deliver_to(Protocol protocol, const std::string& destination, const std::string& arriving = "",
                             const std::string& source = "") const {
    DeliveryRequest request;
    request.protocol = protocol;
    request.destination = endpoint(destination);
    if (!arriving.empty()) request.arriving_interface = index(arriving);
    if (!source.empty()) request.source = endpoint(source);
    return deliver(state, request);
  }

  // Who gets a TCP connection / UDP datagram from the host, or from the peer on en0.
  std::string tcp_from_host(const std::string& destination) const { return receiver_text(deliver_to(Protocol::kTcp, destination)); }
  std::string tcp_from_peer(const std::string& destination, const std::string& arriving = "en0") const {
    return receiver_text(deliver_to(Protocol::kTcp, destination, arriving));
  }
  std::string udp_from_host(const std::string& destination, const std::string& source = "") const {
    return receiver_text(deliver_to(Protocol::kUdp, destination, "", source));
  }
  std::string udp_from_peer(const std::string& destination, const std::string& arriving = "en0") const {
    return receiver_text(deliver_to(Protocol::kUdp, destination, arriving));
  }

  HostState state;
};

}  // namespace sockscope::explain::testing
