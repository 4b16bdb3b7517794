#include "relay/proxy.h"

#include <netdb.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string_view>

#include <fmt/format.h>

#include "core/base64.h"

namespace sockscope::relay {
namespace {

constexpr unsigned char kSocks4 = 4;
constexpr unsigned char kSocks5 = 5;
constexpr unsigned char kSocksConnect = 1;
constexpr unsigned char kSocks4Granted = 90;
constexpr unsigned char kSocks5NoAuthentication = 0;
constexpr unsigned char kSocks5NoAcceptableMethod = 0xff;
constexpr unsigned char kSocks5Ipv4 = 1;
constexpr unsigned char kSocks5Domain = 3;
constexpr unsigned char kSocks5Ipv6 = 4;
// netcat's fixed buffers: a status or header line of 1024 bytes or more is refused, and
// so is a reply with 64 header lines or more.
constexpr size_t kLineLimit = 1024;
constexpr int kHeaderLimit = 64;

// Writes everything; nc's "write failed (sent/total)" otherwise. `total` is what nc prints.
Result<void> write_all(int fd, std::string_view bytes, std::string_view total) {
  size_t sent = 0;
  while (sent < bytes.size()) {
    ssize_t written = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) return fail(written < 0 ? errno : EPIPE, fmt::format("write failed ({}/{})", sent, total));
    sent += static_cast<size_t>(written);
  }
  return {};
}

// Reads exactly size bytes; an early end reads as EPIPE, as netcat's atomicio reports it.
// `total` is the count nc prints, which for the SOCKS 5 method reply is not the size.
Result<void> read_exact(int fd, unsigned char* into, size_t size, std::string_view total) {
  size_t got = 0;
  while (got < size) {
    ssize_t n = ::read(fd, into + got, size - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return fail(n < 0 ? errno : EPIPE, fmt::format("read failed ({}/{})", got, total));
    got += static_cast<size_t>(n);
  }
  return {};
}

// One line of the proxy's answer without CR and LF, read a byte at a time so that nothing
// after the headers is consumed.
Result<std::string> read_line(int fd) {
  std::string line;
  while (true) {
    if (line.size() >= kLineLimit) return fail("proxy read too long");
    char byte;
    ssize_t n = ::read(fd, &byte, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return fail(n < 0 ? errno : EPIPE, "proxy read");
    if (byte == '\r') continue;
    if (byte == '\n') return line;
    line += byte;
  }
}

const char* socks4_reason(int code) {
  switch (code) {
    case 90: return "Succeeded";
    case 91: return "Request rejected or failed";
    case 92: return "SOCKS server cannot connect to identd on the client";
    case 93: return "Client program and identd report different user-ids";
    default: return "Unknown error";
  }
}

const char* socks5_reason(int code) {
  switch (code) {
    case 0: return "Succeeded";
    case 1: return "General SOCKS server failure";
    case 2: return "Connection not allowed by ruleset";
    case 3: return "Network unreachable";
    case 4: return "Host unreachable";
    case 5: return "Connection refused";
    case 6: return "TTL expired";
    case 7: return "Command not supported";
    case 8: return "Address type not supported";
    default: return "Unknown error";
  }
}

bool starts_with(const std::string& text, std::string_view prefix) {
  return std::string_view(text).substr(0, prefix.size()) == prefix;
}

}  // namespace

Result<void> socks4_connect(int fd, const sockaddr_in& target) {
  unsigned char request[9] = {kSocks4, kSocksConnect};
  std::memcpy(request + 2, &target.sin_port, 2);
  std::memcpy(request + 4, &target.sin_addr, 4);
  request[8] = 0;  // empty user id
  if (Result<void> sent = write_all(fd, {reinterpret_cast<char*>(request), sizeof request}, "9"); !sent) return sent;
  unsigned char reply[8];
  if (Result<void> got = read_exact(fd, reply, sizeof reply, "8"); !got) return got;
  if (reply[1] != kSocks4Granted) return fail(fmt::format("connection failed, SOCKSv4 error: {}", socks4_reason(reply[1])));
  return {};
}

Result<void> socks5_connect(int fd, const std::string& host, uint16_t port) {
  const unsigned char greeting[3] = {kSocks5, 1, kSocks5NoAuthentication};
  if (Result<void> sent = write_all(fd, {reinterpret_cast<const char*>(greeting), 3}, "3"); !sent) return sent;
  unsigned char reply[4 + 18];
  // netcat reads the two-byte method reply but reports it out of three.
  if (Result<void> got = read_exact(fd, reply, 2, "3"); !got) return got;
  if (reply[1] == kSocks5NoAcceptableMethod) return fail("authentication method negotiation failed");

  std::string request = {static_cast<char>(kSocks5), static_cast<char>(kSocksConnect), 0};
  addrinfo hints{};
  hints.ai_flags = AI_NUMERICHOST;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* literal = nullptr;
  uint16_t port_bytes = htons(port);
  if (::getaddrinfo(host.c_str(), nullptr, &hints, &literal) == 0) {
    if (literal->ai_family == AF_INET) {
      const auto* v4 = reinterpret_cast<const sockaddr_in*>(literal->ai_addr);
      request += static_cast<char>(kSocks5Ipv4);
      request.append(reinterpret_cast<const char*>(&v4->sin_addr), 4);
    } else {
      const auto* v6 = reinterpret_cast<const sockaddr_in6*>(literal->ai_addr);
      request += static_cast<char>(kSocks5Ipv6);
      request.append(reinterpret_cast<const char*>(&v6->sin6_addr), 16);
    }
    ::freeaddrinfo(literal);
  } else {
    if (host.size() > 255) return fail("host name too long for SOCKS5");
    request += static_cast<char>(kSocks5Domain);
    request += static_cast<char>(host.size());
    request += host;
  }
  request.append(reinterpret_cast<const char*>(&port_bytes), 2);
  if (Result<void> sent = write_all(fd, request, std::to_string(request.size())); !sent) return sent;

  if (Result<void> got = read_exact(fd, reply, 4, "4"); !got) return got;
  if (reply[1] != 0) return fail(fmt::format("connection failed, SOCKSv5 error: {}", socks5_reason(reply[1])));
  // The bound address that follows is read and ignored; its type says how long it is.
  if (reply[3] == kSocks5Ipv4) return read_exact(fd, reply + 4, 6, "6");
  if (reply[3] == kSocks5Ipv6) return read_exact(fd, reply + 4, 18, "18");
  return fail("connection failed, unsupported address type");
}

Result<HttpProxyReply> http_connect(int fd, const std::string& host, uint16_t port,
                                    const std::function<Result<std::string>()>& credentials, bool allow_retry) {
  if (host.find_first_of("\r\n\t []") != std::string::npos) return fail("Invalid hostname");
  // An IPv6 literal needs brackets to keep its colons apart from the port's.
  std::string request = host.find(':') != std::string::npos ? fmt::format("CONNECT [{}]:{} HTTP/1.0\r\n", host, port)
                                                            : fmt::format("CONNECT {}:{} HTTP/1.0\r\n", host, port);
  if (request.size() >= kLineLimit) return fail("hostname too long");
  if (Result<void> sent = write_all(fd, request, std::to_string(request.size())); !sent) return tl::unexpected(sent.error());
  if (credentials) {
    Result<std::string> user_password = credentials();
    if (!user_password) return tl::unexpected(user_password.error());
    std::string encoded = encode_base64(*user_password);
    if (user_password->size() >= kLineLimit || encoded.size() >= kLineLimit) return fail("Proxy username/password too long");
    std::string header = fmt::format("Proxy-Authorization: Basic {}\r\n", encoded);
    if (header.size() >= kLineLimit) return fail("Proxy auth response too long");
    if (Result<void> sent = write_all(fd, header, std::to_string(header.size())); !sent) return tl::unexpected(sent.error());
  }
  if (Result<void> sent = write_all(fd, "\r\n", "2"); !sent) return tl::unexpected(sent.error());

  Result<std::string> status = read_line(fd);
  if (!status) return tl::unexpected(status.error());
  // netcat compares the first 12 bytes only: "HTTP/1.1 200" with or without a reason phrase.
  if (allow_retry && (starts_with(*status, "HTTP/1.0 407") || starts_with(*status, "HTTP/1.1 407"))) {
    return HttpProxyReply::kAuthenticationRequired;
  }
  if (!starts_with(*status, "HTTP/1.0 200") && !starts_with(*status, "HTTP/1.1 200")) {
    return fail(fmt::format("Proxy error: \"{}\"", *status));
  }
  for (int i = 0; i < kHeaderLimit; ++i) {
    Result<std::string> header = read_line(fd);
    if (!header) return tl::unexpected(header.error());
    if (header->empty()) return HttpProxyReply::kConnected;
  }
  return fail("Too many proxy headers received");
}

}  // namespace sockscope::relay
