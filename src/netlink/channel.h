// A netlink dump channel over libmnl: send one NLM_F_DUMP request, get each reply message.
// The replies can be recorded to a file and replayed later, so golden tests run on bytes
// captured from a real kernel without root or a live socket.
#pragma once

#include <linux/netlink.h>

#include <cstdio>
#include <functional>
#include <memory>
#include <string>

#include "core/error.h"

struct mnl_socket;

namespace sockscope::netlink {

// Called for each message of a dump reply (never for NLMSG_DONE or NLMSG_ERROR).
using MessageHandler = std::function<Result<void>(const nlmsghdr& message)>;

class Channel {
 public:
  // A live channel to the kernel for protocol (NETLINK_ROUTE, NETLINK_SOCK_DIAG, ...).
  static Result<Channel> open(int protocol);
  // A channel that answers every dump from a file written by record_to().
  static Result<Channel> replay(const std::string& path);

  // From now on, append every reply buffer received to path (for replay()).
  Result<void> record_to(const std::string& path);

  // Neither recording nor replaying: another channel may then share the work, since no file
  // holds the order of the replies.
  bool live() const { return !recording_ && !replaying_; }

  // Sends request (NLM_F_REQUEST | NLM_F_DUMP set here; seq filled in) and hands each reply
  // message to handler until NLMSG_DONE. An NLMSG_ERROR reply becomes an Error with the
  // kernel's errno and, when present, its extended-ack text. A handler error stops the dump.
  Result<void> dump(nlmsghdr& request, const MessageHandler& handler);

  // Sends one change request (NLM_F_REQUEST | NLM_F_ACK set here) and waits for its ack.
  Result<void> request(nlmsghdr& request);

  Channel(Channel&&) noexcept;
  Channel& operator=(Channel&&) noexcept;
  ~Channel();

 private:
  Channel() = default;
  Result<size_t> receive(char* buffer, size_t size);

  mnl_socket* socket_ = nullptr;
  unsigned port_id_ = 0;
  unsigned sequence_ = 0;
  std::unique_ptr<FILE, int (*)(FILE*)> recording_{nullptr, &std::fclose};
  std::unique_ptr<FILE, int (*)(FILE*)> replaying_{nullptr, &std::fclose};
};

}  // namespace sockscope::netlink
