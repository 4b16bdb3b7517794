// stdin -> socket one line at a time, as netcat-openbsd sends under -C and -i: stdin's bytes
// wait in a 16 KiB buffer (netcat's), and each turn sends the first line, or the whole buffer
// when it holds no LF, so over UDP each line is its own datagram (and -i pauses after each).
// Under -C a line's LF goes out as CRLF unless a CR already precedes it in the buffer; the
// line's text and that CRLF are two sends, so a datagram socket carries them as two datagrams
// ("a\nb\r\n" goes as "a", "\r\n", "b\r\n").
#pragma once

#include <cstddef>
#include <string>

namespace sockscope::relay {

class LineSender {
 public:
  static constexpr size_t kCapacity = 16 << 10;

  explicit LineSender(bool crlf) : crlf_(crlf) {}

  // Bytes stdin may add now (netcat stops reading stdin while its buffer is full).
  size_t room() const { return kCapacity - held_.size(); }
  // Reads what stdin has, up to room(): read(2)'s result (0 at the end, -1 with errno).
  long read_from(int fd);
  bool empty() const { return held_.empty() && wire_.empty(); }
  // Forgets what is held (the peer is gone).
  void discard();

  enum class Sent {
    kNothing,  // the socket took nothing now (EAGAIN): wait until it is writable
    kPart,     // some of a stream line went; the rest goes next turn
    kLine,     // a whole line, LF included
    kTail,     // everything held, which had no LF
    kError,    // the socket refused it (errno set)
  };
  // One turn: the first line held (or what is left of it) to the socket.
  Sent send_next(int socket_fd, bool datagram);

 private:
  // Takes the first line out of held_: its text, and whether the line ends with an LF and
  // whether that LF goes as CRLF.
  void take_line(std::string* text, bool* whole_line, bool* add_crlf);

  bool crlf_;
  std::string held_;  // read from stdin, not yet sent
  std::string wire_;  // a stream line's bytes still to send (a datagram line is sent whole)
  bool wire_is_line_ = false;
};

}  // namespace sockscope::relay
