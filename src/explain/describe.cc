#include "explain/describe.h"

#include <vector>

#include <fmt/format.h>

#include "explain/addresses.h"

namespace sockscope::explain {

std::string protocol_name(Protocol protocol) { return protocol == Protocol::kTcp ? "tcp" : "udp"; }

std::string state_word(const HostSocket& socket) {
  if (!socket.state_name.empty()) return socket.state_name;
  switch (socket.state) {
    case SocketState::kListen: return "LISTEN";
    case SocketState::kBound: return socket.protocol == Protocol::kTcp ? "bound, not listening" : "unconnected";
    case SocketState::kConnected: return socket.protocol == Protocol::kTcp ? "ESTABLISHED" : "connected";
    case SocketState::kTimeWait: return "TIME_WAIT";
  }
  return "?";
}

std::string owners_text(const HostSocket& socket) {
  if (socket.owners.empty()) return socket.state == SocketState::kTimeWait ? "no owner" : "owner not visible";
  const Owner& first = socket.owners.front();
  std::string text = fmt::format("{} pid {}", first.command, first.pid);
  if (socket.owners.size() > 1) text += fmt::format(" and {} more", socket.owners.size() - 1);
  return text;
}

std::string reuse_flags_text(std::optional<bool> reuseaddr, std::optional<bool> reuseport) {
  if (reuseaddr && reuseport) {
    if (*reuseaddr && *reuseport) return "SO_REUSEADDR+SO_REUSEPORT";
    if (*reuseaddr) return "SO_REUSEADDR";
    if (*reuseport) return "SO_REUSEPORT";
    return "no SO_REUSEADDR/SO_REUSEPORT";
  }
  if (!reuseaddr && !reuseport) return "SO_REUSEADDR/SO_REUSEPORT unknown";
  auto word = [](std::optional<bool> flag) { return !flag ? "unknown" : *flag ? "set" : "not set"; };
  return fmt::format("SO_REUSEADDR {}, SO_REUSEPORT {}", word(reuseaddr), word(reuseport));
}

std::string describe_socket(const HostState& host, const HostSocket& socket) {
  std::vector<std::string> details;
  details.push_back(owners_text(socket));
  if (socket.state != SocketState::kTimeWait) details.push_back(fmt::format("uid {}", socket.uid));
  details.push_back(reuse_flags_text(socket.reuseaddr, socket.reuseport));
  if (socket.device != 0) details.push_back(fmt::format("device {}", interface_name(host, socket.device)));
  if (socket.family == AF_INET6 && socket.v6only.value_or(false)) details.push_back("v6only");
  std::string where = format_endpoint(host, socket.local);
  if (socket.state == SocketState::kConnected || socket.state == SocketState::kTimeWait) {
    where += fmt::format(" <-> {}", format_endpoint(host, socket.remote));
  }
  return fmt::format("{} {} {} ({})", protocol_name(socket.protocol), where, state_word(socket),
                     fmt::join(details, ", "));
}

std::string short_socket(const HostState& host, const HostSocket& socket) {
  return fmt::format("{} ({})", format_endpoint(host, socket.local), owners_text(socket));
}

}  // namespace sockscope::explain
