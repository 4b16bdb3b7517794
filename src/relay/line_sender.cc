#include "relay/line_sender.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace sockscope::relay {
namespace {

// One datagram, waiting out a full send buffer; false on an error (errno set).
bool send_datagram(int socket_fd, const std::string& data) {
  while (::send(socket_fd, data.data(), data.size(), MSG_NOSIGNAL) < 0) {
    if (errno == EAGAIN) {
      pollfd writable{socket_fd, POLLOUT, 0};
      (void)::poll(&writable, 1, -1);
    } else if (errno != EINTR) {
      return false;
    }
  }
  return true;
}

}  // namespace

long LineSender::read_from(int fd) {
  size_t before = held_.size();
  held_.resize(kCapacity);
  ssize_t got = ::read(fd, held_.data() + before, kCapacity - before);
  held_.resize(before + static_cast<size_t>(got > 0 ? got : 0));
  return got;
}

void LineSender::discard() {
  held_.clear();
  wire_.clear();
}

void LineSender::take_line(std::string* text, bool* whole_line, bool* add_crlf) {
  size_t lf = held_.find('\n');
  if (lf == std::string::npos) {
    text->swap(held_);
    held_.clear();
    *whole_line = false;
    *add_crlf = false;
    return;
  }
  // netcat looks only at the byte before the LF in its buffer: a CR sent with an earlier
  // piece does not count, so that LF still gets its own CR.
  *whole_line = true;
  *add_crlf = crlf_ && (lf == 0 || held_[lf - 1] != '\r');
  text->assign(held_, 0, *add_crlf ? lf : lf + 1);
  held_.erase(0, lf + 1);
}

LineSender::Sent LineSender::send_next(int socket_fd, bool datagram) {
  if (datagram) {
    std::string text;
    bool whole_line = false;
    bool add_crlf = false;
    take_line(&text, &whole_line, &add_crlf);
    if (!text.empty() && !send_datagram(socket_fd, text)) return Sent::kError;
    if (add_crlf && !send_datagram(socket_fd, "\r\n")) return Sent::kError;
    return whole_line ? Sent::kLine : Sent::kTail;
  }
  // Over a stream only the bytes matter: the text and its CRLF go in one send, and what the
  // socket does not take now waits in wire_.
  if (wire_.empty()) {
    bool add_crlf = false;
    take_line(&wire_, &wire_is_line_, &add_crlf);
    if (add_crlf) wire_ += "\r\n";
  }
  ssize_t sent = ::send(socket_fd, wire_.data(), wire_.size(), MSG_NOSIGNAL);
  if (sent < 0) return errno == EAGAIN || errno == EINTR ? Sent::kNothing : Sent::kError;
  wire_.erase(0, static_cast<size_t>(sent));
  if (!wire_.empty()) return Sent::kPart;
  return wire_is_line_ ? Sent::kLine : Sent::kTail;
}

}  // namespace sockscope::relay
