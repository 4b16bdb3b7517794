// Thin socket-syscall wrappers that return Result. The rest of the code reaches the
// kernel's socket API only through sys/ (and netlink/ for dumps).
#pragma once

#include <sys/socket.h>

#include <chrono>
#include <optional>
#include <string>

#include "core/endpoint.h"
#include "core/error.h"
#include "core/unique_fd.h"

namespace sockscope::sys {

// Always close-on-exec.
Result<UniqueFd> open_socket(int family, int type, int protocol = 0);

Result<void> set_socket_option(int fd, int level, int name, int value);
Result<void> set_socket_option_bytes(int fd, int level, int name, const void* value, socklen_t length);
Result<int> get_socket_option(int fd, int level, int name);

Result<void> bind_socket(int fd, const sockaddr* address, socklen_t length);
Result<void> bind_socket(int fd, const Endpoint& endpoint);
Result<void> listen_socket(int fd, int backlog);

// Blocks until a client arrives; EINTR is retried. The peer address goes to *peer if given.
Result<UniqueFd> accept_socket(int fd, SockAddr* peer = nullptr, int flags = SOCK_CLOEXEC);

// Connects within timeout (none: the kernel's own). A timeout that runs out fails with
// EINPROGRESS (the attempt was still under way: ETIMEDOUT is the kernel's, after its own
// retries), anything else with the socket's error (ECONNREFUSED, ...). The socket's blocking
// mode is kept.
Result<void> connect_socket(int fd, const sockaddr* address, socklen_t length,
                            std::optional<std::chrono::milliseconds> timeout = std::nullopt);
Result<void> connect_socket(int fd, const Endpoint& endpoint,
                            std::optional<std::chrono::milliseconds> timeout = std::nullopt);

Result<void> shutdown_socket(int fd, int how);

// RFC 2385 TCP MD5 signatures with key for every peer of address's family (a prefix of
// length 0), as netcat-openbsd's -S sets them with TCP_MD5SIG_EXT. Keys over 80 bytes are cut.
Result<void> set_tcp_md5_key(int fd, const SockAddr& address, const std::string& key);

// Hands fd to the process at the other end of the UNIX socket `over` (SCM_RIGHTS, with the
// one NUL byte netcat-openbsd sends along), waiting while the socket is full.
Result<void> send_fd(int over, int fd);

Result<SockAddr> local_address(int fd);
Result<SockAddr> peer_address(int fd);

Result<void> set_nonblocking(int fd, bool nonblocking);

}  // namespace sockscope::sys
