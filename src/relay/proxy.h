// The client side of the three proxy protocols netcat-openbsd speaks (SOCKS 4, SOCKS 5
// without authentication, HTTP CONNECT), over a socket already connected to the proxy.
// A failure's message is netcat-openbsd's own, so the caller prints it unchanged.
#pragma once

#include <netinet/in.h>

#include <cstdint>
#include <functional>
#include <string>

#include "core/error.h"

namespace sockscope::relay {

// SOCKS 4 CONNECT to an IPv4 address with an empty user id (nc resolves names itself).
Result<void> socks4_connect(int fd, const sockaddr_in& target);

// SOCKS 5 CONNECT: an IPv4 or IPv6 literal is sent as an address, anything else as a name
// for the proxy to resolve.
Result<void> socks5_connect(int fd, const std::string& host, uint16_t port);

enum class HttpProxyReply { kConnected, kAuthenticationRequired };

// HTTP/1.0 CONNECT host:port. When credentials is set it is called after the request line
// is sent and its "user:password" goes out as Basic Proxy-Authorization. A 407 answer is
// kAuthenticationRequired when allow_retry (nc: -P was given), an error otherwise. On
// success the proxy's header lines have been consumed, byte by byte, so no relayed data is.
Result<HttpProxyReply> http_connect(int fd, const std::string& host, uint16_t port,
                                    const std::function<Result<std::string>()>& credentials, bool allow_retry);

}  // namespace sockscope::relay
