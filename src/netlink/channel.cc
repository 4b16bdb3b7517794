#include "netlink/channel.h"

#include <libmnl/libmnl.h>
#include <linux/netlink.h>

#include <cerrno>
#include <cstdint>
#include <ctime>
#include <vector>

#include <fmt/format.h>

#include "netlink/attributes.h"

namespace sockscope::netlink {
namespace {

// Large enough for a busy sock_diag dump batch; the kernel fills up to ~32 KiB per recv.
constexpr size_t kReceiveBufferSize = 1 << 16;

// The text of an NLMSGERR_ATTR_MSG extended ack, when the kernel sent one.
std::string extack_text(const nlmsghdr& message) {
  if (!(message.nlmsg_flags & NLM_F_ACK_TLVS)) return {};
  const nlmsgerr* error = static_cast<const nlmsgerr*>(mnl_nlmsg_get_payload(&message));
  size_t offset = sizeof(nlmsgerr);
  if (!(message.nlmsg_flags & NLM_F_CAPPED)) offset += error->msg.nlmsg_len - sizeof(nlmsghdr);
  std::string text;
  for_each_attribute(message, offset, [&](const nlattr* attribute) {
    if (mnl_attr_get_type(attribute) == NLMSGERR_ATTR_MSG && mnl_attr_validate(attribute, MNL_TYPE_NUL_STRING) == 0) {
      text = mnl_attr_get_str(attribute);
    }
  });
  return text;
}

}  // namespace

Result<Channel> Channel::open(int protocol) {
  Channel channel;
  channel.socket_ = mnl_socket_open2(protocol, SOCK_CLOEXEC);
  if (channel.socket_ == nullptr) return fail_errno("netlink socket");
  if (mnl_socket_bind(channel.socket_, 0, MNL_SOCKET_AUTOPID) < 0) return fail_errno("netlink bind");
  int on = 1;
  // Ask for extended acks so errors carry the kernel's own explanation.
  mnl_socket_setsockopt(channel.socket_, NETLINK_EXT_ACK, &on, sizeof on);
  channel.port_id_ = mnl_socket_get_portid(channel.socket_);
  channel.sequence_ = static_cast<unsigned>(time(nullptr));
  return channel;
}

Result<Channel> Channel::replay(const std::string& path) {
  Channel channel;
  channel.replaying_.reset(std::fopen(path.c_str(), "rbe"));
  if (!channel.replaying_) return fail_errno(fmt::format("open {}", path));
  return channel;
}

Result<void> Channel::record_to(const std::string& path) {
  recording_.reset(std::fopen(path.c_str(), "wbe"));
  if (!recording_) return fail_errno(fmt::format("open {}", path));
  return {};
}

Channel::Channel(Channel&& other) noexcept
    : socket_(std::exchange(other.socket_, nullptr)),
      port_id_(other.port_id_),
      sequence_(other.sequence_),
      recording_(std::move(other.recording_)),
      replaying_(std::move(other.replaying_)) {}

Channel& Channel::operator=(Channel&& other) noexcept {
  if (this != &other) {
    if (socket_ != nullptr) mnl_socket_close(socket_);
    socket_ = std::exchange(other.socket_, nullptr);
    port_id_ = other.port_id_;
    sequence_ = other.sequence_;
    recording_ = std::move(other.recording_);
    replaying_ = std::move(other.replaying_);
  }
  return *this;
}

Channel::~Channel() {
  if (socket_ != nullptr) mnl_socket_close(socket_);
}

// A recording is a sequence of (uint32 length, bytes) records, one per recv().
Result<size_t> Channel::receive(char* buffer, size_t size) {
  if (replaying_) {
    uint32_t length = 0;
    if (std::fread(&length, sizeof length, 1, replaying_.get()) != 1) return fail("netlink replay: recording ended early");
    if (length > size || std::fread(buffer, 1, length, replaying_.get()) != length) {
      return fail("netlink replay: truncated record");
    }
    return length;
  }
  while (true) {
    ssize_t received = mnl_socket_recvfrom(socket_, buffer, size);
    if (received < 0 && errno == EINTR) continue;
    if (received < 0) return fail_errno("netlink receive");
    if (recording_) {
      uint32_t length = static_cast<uint32_t>(received);
      std::fwrite(&length, sizeof length, 1, recording_.get());
      std::fwrite(buffer, 1, length, recording_.get());
      std::fflush(recording_.get());
    }
    return static_cast<size_t>(received);
  }
}

Result<void> Channel::dump(nlmsghdr& request, const MessageHandler& handler) {
  request.nlmsg_flags |= NLM_F_REQUEST | NLM_F_DUMP;
  request.nlmsg_seq = ++sequence_;
  if (!replaying_ && mnl_socket_sendto(socket_, &request, request.nlmsg_len) < 0) return fail_errno("netlink send");

  std::vector<char> buffer(kReceiveBufferSize);
  while (true) {
    Result<size_t> received = receive(buffer.data(), buffer.size());
    if (!received) return tl::unexpected(received.error());
    int remaining = static_cast<int>(*received);
    for (const nlmsghdr* message = reinterpret_cast<const nlmsghdr*>(buffer.data());
         message_fits(message, remaining); message = mnl_nlmsg_next(message, &remaining)) {
      // A replayed dump has the recording's sequence numbers; only live replies are checked.
      if (!replaying_ && !mnl_nlmsg_seq_ok(message, request.nlmsg_seq)) continue;
      if (message->nlmsg_type == NLMSG_DONE) return {};
      if (message->nlmsg_type == NLMSG_ERROR) {
        const nlmsgerr* error = static_cast<const nlmsgerr*>(mnl_nlmsg_get_payload(message));
        if (error->error == 0) continue;
        std::string text = extack_text(*message);
        return fail(-error->error, text.empty() ? "netlink dump" : fmt::format("netlink dump ({})", text));
      }
      if (message->nlmsg_type < NLMSG_MIN_TYPE) continue;
      Result<void> handled = handler(*message);
      if (!handled) return handled;
    }
  }
}

Result<void> Channel::request(nlmsghdr& request) {
  if (replaying_) return fail("netlink replay: change requests cannot be replayed");
  request.nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
  request.nlmsg_seq = ++sequence_;
  if (mnl_socket_sendto(socket_, &request, request.nlmsg_len) < 0) return fail_errno("netlink send");
  std::vector<char> buffer(kReceiveBufferSize);
  while (true) {
    Result<size_t> received = receive(buffer.data(), buffer.size());
    if (!received) return tl::unexpected(received.error());
    int remaining = static_cast<int>(*received);
    for (const nlmsghdr* message = reinterpret_cast<const nlmsghdr*>(buffer.data()); message_fits(message, remaining);
         message = mnl_nlmsg_next(message, &remaining)) {
      if (!mnl_nlmsg_seq_ok(message, request.nlmsg_seq) || message->nlmsg_type != NLMSG_ERROR) continue;
      const nlmsgerr* error = static_cast<const nlmsgerr*>(mnl_nlmsg_get_payload(message));
      if (error->error == 0) return {};
      std::string text = extack_text(*message);
      return fail(-error->error, text.empty() ? "netlink request" : fmt::format("netlink request ({})", text));
    }
  }
}

}  // namespace sockscope::netlink
