#include "sys/terminal.h"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>

#include "core/unique_fd.h"

namespace sockscope::sys {

Result<std::string> read_secret_from_tty(const std::string& prompt, size_t max_length) {
  UniqueFd tty(::open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY));
  if (!tty) return fail_errno("/dev/tty");
  termios saved{};
  bool have_termios = ::tcgetattr(tty.get(), &saved) == 0;
  if (have_termios) {
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO | ECHONL);
    (void)::tcsetattr(tty.get(), TCSAFLUSH, &quiet);
  }
  (void)!::write(tty.get(), prompt.data(), prompt.size());
  std::string secret;
  int read_errno = 0;
  while (true) {
    char byte;
    ssize_t got = ::read(tty.get(), &byte, 1);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) read_errno = errno;
    if (got <= 0 || byte == '\n' || byte == '\r') break;
    if (secret.size() < max_length) secret += byte;
  }
  if (have_termios) {
    (void)::tcsetattr(tty.get(), TCSAFLUSH, &saved);
    // Echo was off, so the user's Enter was not shown: end the prompt's line ourselves.
    if (saved.c_lflag & ECHO) (void)!::write(tty.get(), "\n", 1);
  }
  if (read_errno != 0) return fail(read_errno, "/dev/tty");
  return secret;
}

}  // namespace sockscope::sys
