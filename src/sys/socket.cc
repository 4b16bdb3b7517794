#include "sys/socket.h"

#include <fcntl.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/uio.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace sockscope::sys {

Result<UniqueFd> open_socket(int family, int type, int protocol) {
  int fd = ::socket(family, type | SOCK_CLOEXEC, protocol);
  if (fd < 0) return fail_errno("socket");
  return UniqueFd(fd);
}

Result<void> set_socket_option(int fd, int level, int name, int value) {
  return set_socket_option_bytes(fd, level, name, &value, sizeof value);
}

Result<void> set_socket_option_bytes(int fd, int level, int name, const void* value, socklen_t length) {
  if (::setsockopt(fd, level, name, value, length) < 0) return fail_errno("setsockopt");
  return {};
}

Result<int> get_socket_option(int fd, int level, int name) {
  int value = 0;
  socklen_t length = sizeof value;
  if (::getsockopt(fd, level, name, &value, &length) < 0) return fail_errno("getsockopt");
  return value;
}

Result<void> bind_socket(int fd, const sockaddr* address, socklen_t length) {
  if (::bind(fd, address, length) < 0) return fail_errno("bind");
  return {};
}

Result<void> bind_socket(int fd, const Endpoint& endpoint) {
  SockAddr address = endpoint.to_sockaddr();
  return bind_socket(fd, address.get(), address.length);
}

Result<void> listen_socket(int fd, int backlog) {
  if (::listen(fd, backlog) < 0) return fail_errno("listen");
  return {};
}

Result<UniqueFd> accept_socket(int fd, SockAddr* peer, int flags) {
  while (true) {
    SockAddr address;
    address.length = sizeof address.storage;
    int client = ::accept4(fd, address.get(), &address.length, flags);
    if (client >= 0) {
      if (peer != nullptr) *peer = address;
      return UniqueFd(client);
    }
    if (errno != EINTR) return fail_errno("accept");
  }
}

Result<void> set_nonblocking(int fd, bool nonblocking) {
  int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0) return fail_errno("fcntl");
  int wanted = nonblocking ? (flags | O_NONBLOCK) : (flags & ~O_NONBLOCK);
  if (wanted != flags && ::fcntl(fd, F_SETFL, wanted) < 0) return fail_errno("fcntl");
  return {};
}

Result<void> connect_socket(int fd, const sockaddr* address, socklen_t length,
                            std::optional<std::chrono::milliseconds> timeout) {
  if (!timeout) {
    if (::connect(fd, address, length) == 0) return {};
    // An interrupted blocking connect goes on in the background; wait for it below.
    if (errno != EINTR) return fail_errno("connect");
  } else {
    int flags = ::fcntl(fd, F_GETFL);
    if (flags < 0) return fail_errno("fcntl");
    if (!(flags & O_NONBLOCK) && ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) return fail_errno("fcntl");
    int rc = ::connect(fd, address, length);
    int saved = errno;
    if (!(flags & O_NONBLOCK)) ::fcntl(fd, F_SETFL, flags);
    if (rc == 0) return {};
    if (saved != EINPROGRESS && saved != EINTR) return fail(saved, "connect");
  }

  pollfd waiter{fd, POLLOUT, 0};
  int wait_ms = timeout ? static_cast<int>(timeout->count()) : -1;
  while (true) {
    int ready = ::poll(&waiter, 1, wait_ms);
    if (ready > 0) break;
    if (ready == 0) return fail(EINPROGRESS, "connect");
    if (errno != EINTR) return fail_errno("poll");
  }
  int error = 0;
  socklen_t error_length = sizeof error;
  if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &error_length) < 0) return fail_errno("getsockopt");
  if (error != 0) return fail(error, "connect");
  return {};
}

Result<void> connect_socket(int fd, const Endpoint& endpoint, std::optional<std::chrono::milliseconds> timeout) {
  SockAddr address = endpoint.to_sockaddr();
  return connect_socket(fd, address.get(), address.length, timeout);
}

Result<void> set_tcp_md5_key(int fd, const SockAddr& address, const std::string& key) {
  tcp_md5sig signature{};
  std::memcpy(&signature.tcpm_addr, &address.storage, std::min<size_t>(address.length, sizeof signature.tcpm_addr));
  signature.tcpm_flags = TCP_MD5SIG_FLAG_PREFIX;
  signature.tcpm_prefixlen = 0;
  signature.tcpm_keylen = static_cast<uint16_t>(std::min<size_t>(key.size(), TCP_MD5SIG_MAXKEYLEN));
  std::memcpy(signature.tcpm_key, key.data(), signature.tcpm_keylen);
  return set_socket_option_bytes(fd, IPPROTO_TCP, TCP_MD5SIG_EXT, &signature, sizeof signature);
}

Result<void> send_fd(int over, int fd) {
  char byte = '\0';
  iovec data{&byte, 1};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msghdr message{};
  message.msg_iov = &data;
  message.msg_iovlen = 1;
  message.msg_control = control;
  message.msg_controllen = sizeof control;
  cmsghdr* rights = CMSG_FIRSTHDR(&message);
  rights->cmsg_level = SOL_SOCKET;
  rights->cmsg_type = SCM_RIGHTS;
  rights->cmsg_len = CMSG_LEN(sizeof(int));
  std::memcpy(CMSG_DATA(rights), &fd, sizeof fd);
  while (true) {
    ssize_t sent = ::sendmsg(over, &message, MSG_NOSIGNAL);
    if (sent == 1) return {};
    if (sent >= 0) return fail(fmt::format("sendmsg: unexpected return value {}", sent));
    if (errno != EAGAIN && errno != EINTR) return fail_errno("sendmsg");
    pollfd writable{over, POLLOUT, 0};
    if (::poll(&writable, 1, -1) < 0 && errno != EINTR) return fail_errno("poll");
  }
}

Result<void> shutdown_socket(int fd, int how) {
  if (::shutdown(fd, how) < 0) return fail_errno("shutdown");
  return {};
}

Result<SockAddr> local_address(int fd) {
  SockAddr address;
  address.length = sizeof address.storage;
  if (::getsockname(fd, address.get(), &address.length) < 0) return fail_errno("getsockname");
  return address;
}

Result<SockAddr> peer_address(int fd) {
  SockAddr address;
  address.length = sizeof address.storage;
  if (::getpeername(fd, address.get(), &address.length) < 0) return fail_errno("getpeername");
  return address;
}

}  // namespace sockscope::sys
