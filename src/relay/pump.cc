#include "relay/pump.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "sys/socket.h"
#include "sys/splice.h"

namespace sockscope::relay {
namespace {

constexpr size_t kBufferSize = 1 << 16;
constexpr unsigned char kTelnetIac = 255;
constexpr unsigned char kTelnetDont = 254;
constexpr unsigned char kTelnetDo = 253;
constexpr unsigned char kTelnetWont = 252;
constexpr unsigned char kTelnetWill = 251;

// Bytes read from one side and not yet written to the other.
struct Buffer {
  std::vector<char> data;
  size_t begin = 0;
  bool empty() const { return begin == data.size(); }
  size_t pending() const { return data.size() - begin; }
  void clear() {
    data.clear();
    begin = 0;
  }
};

// One direction's bytes in flight: in a kernel pipe (splice, no copies) while both of its
// fds allow it, else in a user-space buffer. A stage is filled only when it is empty.
struct Stage {
  Buffer buffer;
  std::optional<sys::Pipe> pipe;
  size_t in_pipe = 0;

  bool empty() const { return buffer.empty() && in_pipe == 0; }
  size_t pending() const { return buffer.pending() + in_pipe; }

  // Moves what is left in the pipe into the buffer and stops splicing (an fd refused it).
  void stop_splicing() {
    while (in_pipe > 0) {
      size_t old_size = buffer.data.size();
      buffer.data.resize(old_size + in_pipe);
      ssize_t got = ::read(pipe->read_end.get(), buffer.data.data() + old_size, in_pipe);
      buffer.data.resize(old_size + static_cast<size_t>(std::max<ssize_t>(got, 0)));
      if (got <= 0) break;
      in_pipe -= static_cast<size_t>(got);
    }
    pipe.reset();
  }
};

enum class Fill { kData, kEnd, kRetry, kError };

// Reads what source has now into an empty stage.
Fill fill(Stage& stage, int source, std::vector<char>& chunk, bool socket, size_t* count) {
  if (stage.pipe) {
    Result<size_t> moved = sys::splice_move(source, stage.pipe->write_end.get(), stage.pipe->capacity);
    if (moved) {
      stage.in_pipe = *moved;
      *count = *moved;
      return *moved == 0 ? Fill::kEnd : Fill::kData;
    }
    if (moved.error().code == EAGAIN) return Fill::kRetry;
    if (moved.error().code != EINVAL) {
      errno = moved.error().code;
      return Fill::kError;
    }
    stage.pipe.reset();  // this source cannot be spliced: copy from now on
  }
  ssize_t got = socket ? ::recv(source, chunk.data(), chunk.size(), 0) : ::read(source, chunk.data(), chunk.size());
  if (got < 0) return (errno == EINTR || errno == EAGAIN) ? Fill::kRetry : Fill::kError;
  if (got == 0) return Fill::kEnd;
  stage.buffer.data.assign(chunk.data(), chunk.data() + got);
  stage.buffer.begin = 0;
  *count = static_cast<size_t>(got);
  return Fill::kData;
}

// Writes as much as the fd takes now; false on a write error (errno set).
bool drain(int fd, Buffer& buffer, bool socket) {
  while (!buffer.empty()) {
    ssize_t written = socket ? ::send(fd, buffer.data.data() + buffer.begin, buffer.pending(), MSG_NOSIGNAL)
                             : ::write(fd, buffer.data.data() + buffer.begin, buffer.pending());
    if (written < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) return true;
      return false;
    }
    buffer.begin += static_cast<size_t>(written);
  }
  buffer.clear();
  return true;
}

bool drain(int fd, Stage& stage, bool socket) {
  while (stage.in_pipe > 0) {
    Result<size_t> moved = sys::splice_move(stage.pipe->read_end.get(), fd, stage.in_pipe);
    if (moved) {
      stage.in_pipe -= *moved;
      continue;
    }
    if (moved.error().code == EAGAIN) return true;
    if (moved.error().code != EINVAL) {
      errno = moved.error().code;
      return false;
    }
    stage.stop_splicing();  // this sink cannot be spliced to: copy what is left
  }
  return drain(fd, stage.buffer, socket);
}

bool is_regular_file(int fd) {
  struct stat info {};
  return ::fstat(fd, &info) == 0 && S_ISREG(info.st_mode);
}

// Telnet negotiation refusal (-t): answer DO with WONT and WILL with DONT, as netcat does.
void answer_telnet(const char* data, size_t size, int socket_fd) {
  for (size_t i = 0; i + 2 < size; ++i) {
    if (static_cast<unsigned char>(data[i]) != kTelnetIac) continue;
    unsigned char verb = static_cast<unsigned char>(data[i + 1]);
    unsigned char reply = 0;
    if (verb == kTelnetDo || verb == kTelnetDont) reply = kTelnetWont;
    if (verb == kTelnetWill || verb == kTelnetWont) reply = kTelnetDont;
    if (reply == 0) continue;
    unsigned char answer[3] = {kTelnetIac, reply, static_cast<unsigned char>(data[i + 2])};
    (void)::send(socket_fd, answer, sizeof answer, MSG_NOSIGNAL);
    i += 2;
  }
}

}  // namespace

Result<PumpStats> pump(int stdin_fd, int stdout_fd, int socket_fd, const PumpOptions& options) {
  using Clock = std::chrono::steady_clock;
  PumpStats stats;
  bool stdin_open = options.read_stdin;
  bool net_in_open = true;
  bool stdout_open = true;
  bool net_out_open = true;
  long packets = 0;
  Stage to_network;
  Stage to_stdout;
  // Zero-copy only when the bytes pass through unchanged and unsplit.
  bool can_splice = !options.crlf && !options.telnet && !options.datagram && options.recv_limit < 0 &&
                    options.interval.count() == 0;
  if (can_splice) {
    constexpr size_t kPipeCapacity = 1 << 20;
    // A small pipe handed to us (`cat file | nc`) costs a wake-up per 64 KiB: grow it too.
    if (options.read_stdin) sys::grow_if_pipe(stdin_fd, kPipeCapacity);
    sys::grow_if_pipe(stdout_fd, kPipeCapacity);
    if (Result<sys::Pipe> pipe = sys::open_pipe(kPipeCapacity)) to_network.pipe = std::move(*pipe);
    // splice() into a regular file measured 5x slower than write() here (0.17 vs 0.9 GB/s on
    // ext4, 256 MiB): a file on stdout gets plain copies instead.
    if (!is_regular_file(stdout_fd)) {
      if (Result<sys::Pipe> pipe = sys::open_pipe(kPipeCapacity)) to_stdout.pipe = std::move(*pipe);
    }
  }
  bool stdin_is_terminal = stdin_open && ::isatty(stdin_fd);
  std::optional<Clock::time_point> quit_at;
  std::vector<char> chunk(kBufferSize);

  while (true) {
    // The half-close rules, in netcat's order.
    if (!net_out_open) stdin_open = false;
    if (!stdout_open && net_in_open) {
      (void)sys::shutdown_socket(socket_fd, SHUT_RD);
      net_in_open = false;
    }
    if (!stdin_open && to_network.empty() && net_out_open) {
      if (options.shutdown_on_stdin_eof) (void)sys::shutdown_socket(socket_fd, SHUT_WR);
      net_out_open = false;
      if (options.quit_after_stdin_eof >= 0 && options.read_stdin && !quit_at) {
        quit_at = Clock::now() + std::chrono::seconds(options.quit_after_stdin_eof);
      }
    }
    if (!net_in_open && to_stdout.empty()) stdout_open = false;
    if (!stdin_open && !net_in_open && !stdout_open && !net_out_open) return stats;
    // A listener is done once its client stops sending and everything read is delivered,
    // even while its terminal stays open: netcat-openbsd's rule for -l. netcat applies it to
    // any stdin and so can drop the rest of a file or pipe it was sending back; we finish
    // sending those (a peer that is really gone fails the next write and ends us anyway).
    if (options.listening && !net_in_open && to_stdout.empty() && to_network.empty() && stdin_is_terminal) {
      return stats;
    }
    if (quit_at && Clock::now() >= *quit_at) return stats;

    pollfd fds[4];
    int count = 0;
    int stdin_slot = -1, net_slot = -1, stdout_slot = -1;
    if (stdin_open && to_network.empty()) {
      stdin_slot = count;
      fds[count++] = {stdin_fd, POLLIN, 0};
    }
    short net_events = 0;
    if (net_in_open && to_stdout.empty()) net_events |= POLLIN;
    if (net_out_open && !to_network.empty()) net_events |= POLLOUT;
    if (net_events != 0) {
      net_slot = count;
      fds[count++] = {socket_fd, net_events, 0};
    }
    if (stdout_open && !to_stdout.empty()) {
      stdout_slot = count;
      fds[count++] = {stdout_fd, POLLOUT, 0};
    }

    int timeout_ms = -1;
    if (options.idle_timeout) timeout_ms = static_cast<int>(options.idle_timeout->count());
    if (quit_at) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*quit_at - Clock::now()).count();
      int quit_ms = static_cast<int>(std::max<long long>(0, left));
      timeout_ms = timeout_ms < 0 ? quit_ms : std::min(timeout_ms, quit_ms);
    }
    int ready = ::poll(fds, static_cast<nfds_t>(count), timeout_ms);
    if (ready < 0) {
      if (errno == EINTR) continue;
      return fail_errno("polling error");
    }
    if (ready == 0) {
      if (quit_at && Clock::now() >= *quit_at) return stats;
      if (options.idle_timeout) return stats;  // -w: idle for the whole timeout
      continue;
    }

    if (stdin_slot >= 0 && (fds[stdin_slot].revents & (POLLIN | POLLHUP | POLLERR))) {
      if (options.crlf) {
        ssize_t got = ::read(stdin_fd, chunk.data(), chunk.size());
        if (got == 0 || (got < 0 && errno != EINTR && errno != EAGAIN)) stdin_open = false;
        for (ssize_t i = 0; i < got; ++i) {
          if (chunk[static_cast<size_t>(i)] == '\n') to_network.buffer.data.push_back('\r');
          to_network.buffer.data.push_back(chunk[static_cast<size_t>(i)]);
        }
      } else {
        size_t got = 0;
        Fill filled = fill(to_network, stdin_fd, chunk, false, &got);
        if (filled == Fill::kEnd || filled == Fill::kError) stdin_open = false;
      }
      if (options.interval.count() > 0 && !to_network.empty()) std::this_thread::sleep_for(options.interval);
    }
    if (net_slot >= 0 && (fds[net_slot].revents & POLLOUT) && !to_network.empty()) {
      size_t before = to_network.pending();
      if (!drain(socket_fd, to_network, true)) {
        // The peer is gone: what stdin gave us cannot be delivered.
        net_out_open = false;
        stdin_open = false;
        to_network.buffer.clear();
        to_network.in_pipe = 0;
      } else {
        stats.bytes_to_network += before - to_network.pending();
      }
    }
    if (net_slot >= 0 && (fds[net_slot].revents & (POLLIN | POLLHUP | POLLERR)) && net_in_open &&
        to_stdout.empty()) {
      size_t got = 0;
      Fill filled = fill(to_stdout, socket_fd, chunk, true, &got);
      if (filled == Fill::kEnd || filled == Fill::kError) {
        net_in_open = false;
      } else if (filled == Fill::kData) {
        if (options.telnet) answer_telnet(to_stdout.buffer.data.data(), to_stdout.buffer.pending(), socket_fd);
        stats.bytes_from_network += got;
        if (options.recv_limit >= 0 && ++packets >= options.recv_limit) {
          net_in_open = false;
          (void)sys::shutdown_socket(socket_fd, SHUT_RD);
        }
        if (options.interval.count() > 0) std::this_thread::sleep_for(options.interval);
      }
    }
    if ((stdout_slot >= 0 && (fds[stdout_slot].revents & (POLLOUT | POLLERR | POLLHUP))) ||
        (!to_stdout.empty() && stdout_slot < 0)) {
      if (!drain(stdout_fd, to_stdout, false)) {
        // stdout is gone (a reader that quit, like `| head -1`): as netcat-openbsd, stop
        // reading the network but go on sending stdin, and end with status 0.
        stdout_open = false;
        to_stdout.buffer.clear();
        to_stdout.in_pipe = 0;
        to_stdout.pipe.reset();
        if (net_in_open) {
          (void)sys::shutdown_socket(socket_fd, SHUT_RD);
          net_in_open = false;
        }
      }
    }
  }
}

}  // namespace sockscope::relay
