// nc's proxy client (-X, -x, -P): which combinations netcat-openbsd refuses, how it reads
// the -x address, and the connection through the proxy with its HTTP 407 retry loop.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "cli/nc_options.h"

namespace sockscope::cli {

struct ProxySettings {
  std::string protocol;  // "4", "5" or "connect"
  std::string host;
  std::string port;      // the default for the protocol when -x gave none
  std::string user;      // -P; empty when not given
};

// The settings, or netcat-openbsd's one-line refusal ("no proxy support for UDP mode", ...).
tl::expected<ProxySettings, std::string> parse_proxy_settings(const NcOptions& options);

// Opens a TCP connection to host:port, printing nc's messages on failure; -1 then, and
// *give_up when nothing further can work. nc's own dialer, passed in.
using ProxyDialer = std::function<int(const std::string& host, const std::string& port, bool* give_up)>;

// A socket connected to host:port through the proxy, or -1 (messages printed). *give_up is
// set where netcat-openbsd exits (a refused handshake, an unreadable password).
int connect_through_proxy(const ProxySettings& proxy, const std::string& host, uint16_t port,
                          const ProxyDialer& dial, bool* give_up);

}  // namespace sockscope::cli
