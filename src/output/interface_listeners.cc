#include "output/interface_listeners.h"

#include <netinet/tcp.h>

#include <algorithm>
#include <tuple>

#include <fmt/format.h>

#include "output/interface_fields.h"

namespace sockscope::output {
namespace {

bool is_listener(const sockets::SocketRecord& socket) {
  if (socket.protocol == sockets::Protocol::kTcp) return socket.state == TCP_LISTEN;
  // A UDP socket bound to a port and not connected takes datagrams from anyone.
  return socket.protocol == sockets::Protocol::kUdp && socket.state == TCP_CLOSE && socket.local.port != 0 &&
         socket.remote.port == 0;
}

// The IPv4 address an AF_INET6 socket bound to ::ffff:a.b.c.d really listens on.
IpAddress effective_address(const sockets::SocketRecord& socket) {
  return socket.local.address.is_v4_mapped() ? socket.local.address.unmapped() : socket.local.address;
}

bool is_wildcard(const sockets::SocketRecord& socket) { return effective_address(socket).is_unspecified(); }

// Whether a wildcard socket covers addresses of this family.
bool covers_family(const sockets::SocketRecord& socket, int family) {
  IpAddress address = effective_address(socket);
  if (address.family == AF_INET) return family == AF_INET;
  return family == AF_INET6 || !socket.v6only;
}

bool same_address(const sockets::SocketRecord& socket, const interfaces::InterfaceAddress& address, int index) {
  IpAddress bound = effective_address(socket);
  if (bound.family != address.address.family) return false;
  size_t size = bound.family == AF_INET ? 4 : 16;
  if (!std::equal(bound.bytes.begin(), bound.bytes.begin() + static_cast<long>(size), address.address.bytes.begin())) {
    return false;
  }
  // A link-local address exists once per link: the socket names which one.
  return !address.address.needs_scope() || bound.scope_id == static_cast<uint32_t>(index);
}

std::string protocol_name(const sockets::SocketRecord& socket) {
  return socket.protocol == sockets::Protocol::kTcp ? "tcp" : "udp";
}

std::string interface_name_of(uint32_t index, const ListenerMap& map) {
  auto found = map.names.find(static_cast<int>(index));
  return found == map.names.end() ? fmt::format("{}", index) : found->second;
}

auto listener_order(const sockets::SocketRecord* socket) {
  return std::tuple(socket->protocol, socket->local.port, is_wildcard(*socket), socket->family,
                    socket->local.address.bytes, socket->inode);
}

}  // namespace

ListenerMap match_listeners(const std::vector<interfaces::Interface>& interfaces,
                            const std::vector<sockets::SocketRecord>& sockets) {
  ListenerMap map;
  for (const interfaces::Interface& interface : interfaces) map.names[interface.index] = interface.name;
  std::vector<const sockets::SocketRecord*> listeners;
  for (const sockets::SocketRecord& socket : sockets) {
    if (is_listener(socket)) listeners.push_back(&socket);
  }
  std::sort(listeners.begin(), listeners.end(), [](auto* a, auto* b) { return listener_order(a) < listener_order(b); });

  std::vector<bool> placed(listeners.size(), false);
  for (const interfaces::Interface& interface : interfaces) {
    for (size_t position = 0; position < interface.addresses.size(); ++position) {
      const interfaces::InterfaceAddress& address = interface.addresses[position];
      std::vector<AddressListener> found;
      for (size_t i = 0; i < listeners.size(); ++i) {
        const sockets::SocketRecord& socket = *listeners[i];
        if (is_wildcard(socket)) {
          bool device_ok = socket.bound_device == 0 || socket.bound_device == static_cast<uint32_t>(interface.index);
          if (device_ok && covers_family(socket, address.address.family)) found.push_back({&socket, true, false});
        } else if (same_address(socket, address, interface.index)) {
          found.push_back({&socket, false, false});
          placed[i] = true;
        }
      }
      // The kernel looks up the exact address before the wildcard: a specific listener that
      // can hear this interface leaves the wildcards on its port nothing here.
      for (AddressListener& candidate : found) {
        if (!candidate.wildcard) continue;
        candidate.shadowed = std::any_of(found.begin(), found.end(), [&](const AddressListener& other) {
          return !other.wildcard && other.socket->protocol == candidate.socket->protocol &&
                 other.socket->local.port == candidate.socket->local.port &&
                 (other.socket->bound_device == 0 || other.socket->bound_device == static_cast<uint32_t>(interface.index));
        });
      }
      if (!found.empty()) map.by_address[{interface.index, position}] = std::move(found);
    }
  }
  for (size_t i = 0; i < listeners.size(); ++i) {
    if (is_wildcard(*listeners[i])) {
      map.wildcards.push_back(listeners[i]);
    } else if (!placed[i]) {
      map.elsewhere.push_back(listeners[i]);
    }
  }
  return map;
}

std::string owners_text(const sockets::SocketRecord& socket) {
  if (socket.owners.empty()) return "no visible process";
  std::string text;
  for (const sockets::Owner& owner : socket.owners) {
    text += fmt::format("{}{} (pid {}, fd {})", text.empty() ? "" : ", ", owner.command, owner.pid, owner.fd);
  }
  return text;
}

std::string socket_text(const sockets::SocketRecord& socket, const ListenerMap& map) {
  const IpAddress& address = socket.local.address;
  std::string host = bare_address(address);
  if (address.scope_id != 0) host += "%" + interface_name_of(address.scope_id, map);
  if (address.family == AF_INET6) host = "[" + host + "]";
  return fmt::format("{} {}:{}", protocol_name(socket), host, socket.local.port);
}

std::string wildcard_coverage(const sockets::SocketRecord& socket, const ListenerMap& map) {
  std::string text;
  if (effective_address(socket).family == AF_INET) {
    text = "every IPv4 address";
  } else if (socket.v6only) {
    text = "every IPv6 address (v6only)";
  } else {
    text = "every IPv6 and IPv4 address";
  }
  if (socket.bound_device != 0) {
    text += ", for connections arriving on " + interface_name_of(socket.bound_device, map);
  }
  return text;
}

std::string listener_line(const AddressListener& listener, const ListenerMap& map) {
  const sockets::SocketRecord& socket = *listener.socket;
  std::string line = socket_text(socket, map) + " " + owners_text(socket);
  std::vector<std::string> notes;
  if (listener.wildcard) notes.emplace_back("wildcard");
  if (listener.shadowed) notes.emplace_back("not used here: a listener bound to this address takes its connections");
  // A link-local address already names its device; others say which device they are tied to.
  if (socket.bound_device != 0 && !socket.local.address.needs_scope()) {
    notes.push_back("only for connections arriving on " +
                    interface_name_of(socket.bound_device, map));
  }
  for (size_t i = 0; i < notes.size(); ++i) line += (i == 0 ? "; " : ", ") + notes[i];
  return line;
}

}  // namespace sockscope::output
