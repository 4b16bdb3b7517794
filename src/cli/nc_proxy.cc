#include "cli/nc_proxy.h"

#include <netdb.h>

#include <cstring>

#include <fmt/format.h>

#include "cli/nc_messages.h"
#include "core/unique_fd.h"
#include "relay/proxy.h"
#include "sys/terminal.h"

namespace sockscope::cli {
namespace {

// netcat-openbsd gives up after the fourth connection the proxy answered with 407.
constexpr int kMostAttempts = 4;
// readpassphrase() into a 256-byte buffer keeps at most 255 bytes of the password.
constexpr size_t kPasswordLimit = 255;

// SOCKS 4 carries only IPv4 addresses: the name is resolved here, IPv4 only, even under -n.
Result<sockaddr_in> socks4_target(const std::string& host, uint16_t port) {
  addrinfo hints{};
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  std::string port_text = std::to_string(port);
  if (int status = ::getaddrinfo(host.c_str(), port_text.c_str(), &hints, &found); status != 0) {
    // netcat cuts both strings at 64 bytes in this message.
    return fail(fmt::format("getaddrinfo(\"{:.64}\", \"{:.64}\"): {}", host, port_text, gai_strerror(status)));
  }
  sockaddr_in target{};
  std::memcpy(&target, found->ai_addr, sizeof target);
  ::freeaddrinfo(found);
  return target;
}

}  // namespace

tl::expected<ProxySettings, std::string> parse_proxy_settings(const NcOptions& options) {
  if (options.udp) return tl::unexpected(std::string("no proxy support for UDP mode"));
  if (options.dccp) return tl::unexpected(std::string("no proxy support for DCCP mode"));
  if (options.listen) return tl::unexpected(std::string("no proxy support for listen"));
  if (options.unix_socket) return tl::unexpected(std::string("no proxy support for unix sockets"));
  if (!options.source_address.empty()) return tl::unexpected(std::string("no proxy support for local source address"));

  ProxySettings proxy;
  proxy.protocol = options.proxy_protocol.empty() ? "5" : options.proxy_protocol;
  proxy.user = options.proxy_user;
  const std::string& text = options.proxy_address;
  std::string port;
  bool has_port = false;
  if (!text.empty() && text[0] == '[') {
    // "[v6]" or "[v6]:port": brackets keep an IPv6 literal's colons apart from the port.
    std::string::size_type close = text.find(']');
    if (close == std::string::npos) return tl::unexpected(std::string("missing closing bracket in proxy"));
    proxy.host = text.substr(1, close - 1);
    std::string rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest[0] != ':') return tl::unexpected(std::string("garbage proxy port delimiter"));
      port = rest.substr(1);
      has_port = true;
    }
  } else if (std::string::size_type colon = text.rfind(':'); colon != std::string::npos) {
    proxy.host = text.substr(0, colon);
    port = text.substr(colon + 1);
    has_port = true;
  } else {
    proxy.host = text;
  }
  proxy.port = has_port ? port : (proxy.protocol == "connect" ? "3128" : "1080");
  return proxy;
}

int connect_through_proxy(const ProxySettings& proxy, const std::string& host, uint16_t port,
                          const ProxyDialer& dial, bool* give_up) {
  for (int attempt = 1;; ++attempt) {
    if (attempt > kMostAttempts) {
      say("Too many authentication failures");
      *give_up = true;
      return -1;
    }
    int fd = dial(proxy.host, proxy.port, give_up);
    if (fd < 0) return -1;
    UniqueFd socket(fd);
    Result<void> done;
    if (proxy.protocol == "5") {
      done = relay::socks5_connect(fd, host, port);
    } else if (proxy.protocol == "4") {
      Result<sockaddr_in> target = socks4_target(host, port);
      done = target ? relay::socks4_connect(fd, *target) : tl::unexpected(target.error());
    } else {
      // The first request goes without credentials; a 407 to it (with -P) asks for the password.
      std::function<Result<std::string>()> credentials;
      if (attempt > 1) {
        credentials = [&]() -> Result<std::string> {
          Result<std::string> password = sys::read_secret_from_tty(
              fmt::format("Proxy password for {}@{}: ", proxy.user, proxy.host), kPasswordLimit);
          if (!password) return fail("Unable to read proxy passphrase");
          return proxy.user + ":" + *password;
        };
      }
      Result<relay::HttpProxyReply> reply = relay::http_connect(fd, host, port, credentials, !proxy.user.empty());
      if (reply && *reply == relay::HttpProxyReply::kAuthenticationRequired) {
        if (attempt > 1) report("Proxy authentication failed");
        continue;
      }
      if (!reply) done = tl::unexpected(reply.error());
    }
    if (!done) {
      say(done.error().message());
      *give_up = true;
      return -1;
    }
    return socket.release();
  }
}

}  // namespace sockscope::cli
