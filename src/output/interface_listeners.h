// Which listening sockets accept connections to each interface address: the listeners bound
// to that very address, and the wildcard ones (0.0.0.0, [::]) that cover it. A specific
// listener takes its address's connections from a wildcard on the same port (the kernel looks
// up the exact address first), which is the seed's lesson; listeners bound to a device only
// hear what arrives for that device's addresses.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "interfaces/interface_record.h"
#include "sockets/socket_record.h"

namespace sockscope::output {

struct AddressListener {
  const sockets::SocketRecord* socket = nullptr;
  bool wildcard = false;
  bool shadowed = false;  // a specific listener on the same port and protocol takes this address
};

struct ListenerMap {
  // (interface index, position in its addresses) -> the listeners that accept connections to it.
  std::map<std::pair<int, size_t>, std::vector<AddressListener>> by_address;
  std::vector<const sockets::SocketRecord*> wildcards;  // 0.0.0.0 and [::]: every address
  std::vector<const sockets::SocketRecord*> elsewhere;  // bound to an address no interface has
  std::map<int, std::string> names;  // every interface's name by index, for scopes and devices
};

// TCP sockets in LISTEN and UDP sockets bound to a port and not connected count; the rest of
// sockets is ignored. The result points into both vectors.
ListenerMap match_listeners(const std::vector<interfaces::Interface>& interfaces,
                            const std::vector<sockets::SocketRecord>& sockets);

// "tcp 127.0.0.1:4444 nc (pid 38331, fd 3)" and a note when shadowed or device-bound.
std::string listener_line(const AddressListener& listener, const ListenerMap& map);

// What a wildcard listener covers, in words: "every IPv4 address", ...
std::string wildcard_coverage(const sockets::SocketRecord& socket, const ListenerMap& map);

// "nc (pid 38331, fd 3)", several owners joined by ", ", or "no visible process".
std::string owners_text(const sockets::SocketRecord& socket);

// "tcp 127.0.0.1:4444", with the device name for link-local addresses.
std::string socket_text(const sockets::SocketRecord& socket, const ListenerMap& map);

}  // namespace sockscope::output
