#include "relay/pump.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <thread>

#include "relay/line_sender.h"
#include "relay/stage.h"
#include "sys/socket.h"
#include "sys/splice.h"

namespace sockscope::relay {
namespace {

constexpr size_t kCopyChunk = 1 << 16;
// netcat reads stdin 16 KiB at a time and sends each read as it came: over UDP, datagrams of
// at most 16 KiB (a larger one would be fragmented, and above 65,507 bytes refused).
constexpr size_t kDatagramChunk = 16 << 10;
// How much of a regular-file stdin is mapped at a time: large enough that the socket takes it
// in few calls (1 MiB measured no faster), small enough that the mapped pages keep the peak
// memory within twice netcat-openbsd's.
constexpr size_t kFileChunk = 512 << 10;
constexpr unsigned char kTelnetIac = 255;
constexpr unsigned char kTelnetDont = 254;
constexpr unsigned char kTelnetDo = 253;
constexpr unsigned char kTelnetWont = 252;
constexpr unsigned char kTelnetWill = 251;

mode_t file_type(int fd) {
  struct stat info {};
  return ::fstat(fd, &info) == 0 ? (info.st_mode & S_IFMT) : 0;
}

// The socket's O_NONBLOCK, switched per operation while the relay moves whole pipes at a time.
// Sends must not block: a move of megabytes could wait on a peer that is itself waiting for
// us to read. Receives should block: poll has said there is data, and a blocking splice or
// recv keeps taking what arrives while it runs (it works through the packets queued behind
// the socket's lock), where a non-blocking one returns after the first batch; over loopback
// that alone is 1.7x the throughput. SO_RCVTIMEO bounds a receive that finds nothing after all.
// Only the socket changes: stdin and stdout may be shared with other processes.
class SocketBlocking {
 public:
  explicit SocketBlocking(int fd) : fd_(fd), original_(::fcntl(fd, F_GETFL)) {
    if (original_ < 0) return;
    timeval bound{0, 100'000};
    (void)sys::set_socket_option_bytes(fd, SOL_SOCKET, SO_RCVTIMEO, &bound, sizeof bound);
    set(true);
  }
  ~SocketBlocking() {
    if (original_ < 0) return;
    timeval none{0, 0};
    (void)sys::set_socket_option_bytes(fd_, SOL_SOCKET, SO_RCVTIMEO, &none, sizeof none);
    (void)::fcntl(fd_, F_SETFL, original_);
  }
  SocketBlocking(const SocketBlocking&) = delete;
  SocketBlocking& operator=(const SocketBlocking&) = delete;

  void for_send() { set(true); }
  // Blocks only when poll has just reported data (or the end): otherwise a receive tried
  // because stdout drained would wait for the peer instead of returning.
  void for_receive(bool readable) { set(!readable); }

 private:
  void set(bool nonblocking) {
    if (original_ < 0 || nonblocking == nonblocking_) return;
    if (::fcntl(fd_, F_SETFL, nonblocking ? (original_ | O_NONBLOCK) : (original_ & ~O_NONBLOCK)) == 0) {
      nonblocking_ = nonblocking;
    }
  }

  int fd_;
  int original_;
  bool nonblocking_ = false;
};

// A stage that splices through a pipe of ours, or copies when no pipe can be had.
Stage own_pipe_stage(size_t capacity) {
  Stage stage;
  if (Result<sys::Pipe> pipe = sys::open_pipe(capacity)) {
    stage.route = Route::kOwnPipe;
    stage.pipe = std::move(*pipe);
  }
  return stage;
}

// stdin -> socket: a pipe handed to us is grown (so that each splice carries more) and spliced
// straight to the socket; a regular file is mapped a piece at a time and send() copies each
// piece into the socket. Measured on loopback, that beat sendfile() (2.3 against 1.4 GB/s, 1 GiB,
// medians of 7) and read() + send() (1.8): sendfile hands the socket one page-cache page per
// fragment, and taking and dropping references to each page on both CPUs costs more than one
// copy into the socket's large fragments; read() adds a second copy.
Stage plan_to_network(int stdin_fd, size_t pipe_capacity) {
  switch (file_type(stdin_fd)) {
    case S_IFIFO: {
      Stage stage;
      stage.route = Route::kSplice;
      stage.chunk = std::max(sys::grow_if_pipe(stdin_fd, pipe_capacity), kCopyChunk);
      return stage;
    }
    case S_IFREG: {
      Stage stage;
      stage.route = Route::kMap;
      stage.chunk = kFileChunk;
      return stage;
    }
    default:
      return own_pipe_stage(pipe_capacity);
  }
}

// socket -> stdout: straight into a pipe handed to us; anything else (a regular file, where
// this costs one page-cache copy against two for recv + write, /dev/null, a socket) through
// a pipe of ours. A sink that refuses splice (a terminal, a file opened O_APPEND) gets copies.
Stage plan_to_stdout(int stdout_fd, size_t pipe_capacity) {
  if (file_type(stdout_fd) == S_IFIFO) {
    Stage stage;
    stage.route = Route::kSplice;
    stage.chunk = std::max(sys::grow_if_pipe(stdout_fd, pipe_capacity), kCopyChunk);
    return stage;
  }
  return own_pipe_stage(pipe_capacity);
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
  std::optional<SocketBlocking> socket_mode;
  if (can_splice) {
    socket_mode.emplace(socket_fd);
    size_t pipe_capacity = sys::pipe_max_size();
    if (options.read_stdin) to_network = plan_to_network(stdin_fd, pipe_capacity);
    to_stdout = plan_to_stdout(stdout_fd, pipe_capacity);
  }
  if (options.datagram) to_network.chunk = kDatagramChunk;
  bool stdin_is_terminal = stdin_open && ::isatty(stdin_fd);
  // -q, as netcat-openbsd 1.219 does it: stdin's end shuts the socket's sending side; a client
  // then goes on until the peer's side ends too (a datagram socket stops reading at once), and
  // ending so, with both inputs (or both outputs) gone, starts -q's timer; a listener starts it
  // at stdin's end. The caller runs the timer: see PumpStats::quit_timer.
  bool quit_armed = options.quit_after_stdin_eof >= 0 && options.read_stdin;
  bool stdin_ended = false;  // a read found stdin's end (not an error): netcat's ctrld_seen
  // -C and -i: stdin goes out a line at a time, as netcat sends it.
  std::optional<LineSender> lines;
  if (options.crlf || options.interval.count() > 0) lines.emplace(options.crlf);
  auto nothing_to_send = [&] { return to_network.empty() && (!lines || lines->empty()); };

  // The reader of stdout is gone (a reader that quit, like `| head -1`): as netcat-openbsd,
  // stop reading the network but go on sending stdin, and end with status 0.
  auto stdout_gone = [&] {
    stdout_open = false;
    to_stdout.discard();
    if (net_in_open) {
      (void)sys::shutdown_socket(socket_fd, SHUT_RD);
      net_in_open = false;
    }
  };

  while (true) {
    // The half-close rules, in netcat's order.
    if (!net_out_open) stdin_open = false;
    if (!stdout_open && net_in_open) {
      (void)sys::shutdown_socket(socket_fd, SHUT_RD);
      net_in_open = false;
    }
    if (!stdin_open && nothing_to_send() && net_out_open) {
      if (options.shutdown_on_stdin_eof) (void)sys::shutdown_socket(socket_fd, SHUT_WR);
      net_out_open = false;
      if (quit_armed && options.datagram) net_in_open = false;
    }
    if (!net_in_open && to_stdout.empty()) stdout_open = false;
    if (!stdin_open && !net_in_open && !stdout_open && !net_out_open) {
      stats.quit_timer = options.quit_after_stdin_eof > 0;
      return stats;
    }
    // A listener under -q does not wait for its client: stdin's end, once everything read is
    // passed on, starts the timer at once, -q 0 included (netcat then exits 0 straight away).
    if (options.listening && quit_armed && stdin_ended && nothing_to_send() && to_stdout.empty()) {
      stats.quit_timer = true;
      return stats;
    }
    // A listener is done once its client stops sending and everything read is delivered,
    // even while its terminal stays open: netcat-openbsd's rule for -l. netcat applies it to
    // any stdin and so can drop the rest of a file or pipe it was sending back; we finish
    // sending those (a peer that is really gone fails the next write and ends us anyway).
    if (options.listening && !net_in_open && to_stdout.empty() && nothing_to_send() && stdin_is_terminal) {
      return stats;  // stdin has not ended: no -q timer, as in netcat
    }

    // Each direction waits on its source while it has room for more, on its sink while it
    // holds bytes; a direct route holds none and waits on its sink only after finding it full.
    pollfd fds[4];
    int count = 0;
    int stdin_slot = -1, net_slot = -1, stdout_slot = -1;
    short net_events = 0;
    bool network_waits_sink = to_network.direct() ? stdin_open && to_network.sink_full : !nothing_to_send();
    bool stdout_waits_sink = to_stdout.direct() ? net_in_open && to_stdout.sink_full : !to_stdout.empty();
    // A line sender reads on while it has room, as netcat fills its buffer between lines.
    if (stdin_open && (lines ? lines->room() > 0 : !network_waits_sink)) {
      stdin_slot = count;
      fds[count++] = {stdin_fd, POLLIN, 0};
    }
    if (net_out_open && network_waits_sink) net_events |= POLLOUT;
    if (net_in_open && !stdout_waits_sink) net_events |= POLLIN;
    if (net_events != 0) {
      net_slot = count;
      fds[count++] = {socket_fd, net_events, 0};
    }
    if (stdout_open && stdout_waits_sink) {
      stdout_slot = count;
      fds[count++] = {stdout_fd, POLLOUT, 0};
    }

    int timeout_ms = -1;
    if (options.idle_timeout) timeout_ms = static_cast<int>(options.idle_timeout->count());
    int ready = ::poll(fds, static_cast<nfds_t>(count), timeout_ms);
    if (ready < 0) {
      if (errno == EINTR) continue;
      return fail_errno("polling error");
    }
    if (ready == 0) {
      if (options.idle_timeout) {  // -w: idle for the whole timeout
        stats.idle_timed_out = true;
        return stats;
      }
      continue;
    }
    auto has = [&](int slot, short events) { return slot >= 0 && (fds[slot].revents & (events | POLLERR | POLLHUP)); };

    // stdin -> network.
    bool stdin_read = false;
    if (to_network.direct() && stdin_open && has(to_network.sink_full ? net_slot : stdin_slot,
                                                 to_network.sink_full ? POLLOUT : POLLIN)) {
      size_t moved = 0;
      if (socket_mode) socket_mode->for_send();
      switch (move_direct(to_network, stdin_fd, socket_fd, &moved)) {
        case Step::kData:
          stats.bytes_to_network += moved;
          break;
        case Step::kEnd:
          stdin_open = false;
          stdin_ended = true;
          break;
        case Step::kError:
          // A failed read ends stdin as its end would; anything else is the peer going away.
          if (errno != EIO && errno != EISDIR && errno != EOVERFLOW && errno != EBADF) net_out_open = false;
          stdin_open = false;
          break;
        case Step::kRetry:
        case Step::kFallback:  // copies from the next round on
          break;
      }
    } else if (lines && has(stdin_slot, POLLIN)) {
      long got = lines->read_from(stdin_fd);
      if (got == 0 || (got < 0 && errno != EINTR && errno != EAGAIN)) stdin_open = false;
      if (got == 0) stdin_ended = true;
      if (got > 0) stats.bytes_to_network += static_cast<uint64_t>(got);
    } else if (!to_network.direct() && has(stdin_slot, POLLIN)) {
      size_t got = 0;
      Step filled = fill(to_network, stdin_fd, false, &got);
      if (filled == Step::kEnd || filled == Step::kError) stdin_open = false;
      if (filled == Step::kEnd) stdin_ended = true;
      stdin_read = filled == Step::kData;
    }
    // What was just read goes out at once where sends cannot block, without a poll first.
    bool socket_writable = net_slot >= 0 && (fds[net_slot].revents & POLLOUT);
    if (!to_network.empty() && (socket_writable || (stdin_read && socket_mode))) {
      size_t before = to_network.pending();
      if (socket_mode) socket_mode->for_send();
      if (!drain(to_network, socket_fd, true)) {
        // The peer is gone: what stdin gave us cannot be delivered.
        net_out_open = false;
        stdin_open = false;
        to_network.discard();
      } else {
        stats.bytes_to_network += before - to_network.pending();
      }
    }
    if (lines && !lines->empty() && net_out_open && has(net_slot, POLLOUT)) {
      switch (lines->send_next(socket_fd, options.datagram)) {
        case LineSender::Sent::kLine:
          // -i pauses after each whole line sent (netcat: not after a tail without LF, and
          // never for what is received).
          if (options.interval.count() > 0) std::this_thread::sleep_for(options.interval);
          break;
        case LineSender::Sent::kError:
          net_out_open = false;
          stdin_open = false;
          lines->discard();
          break;
        case LineSender::Sent::kNothing:
        case LineSender::Sent::kPart:
        case LineSender::Sent::kTail:
          break;
      }
    }

    // network -> stdout.
    if (to_stdout.direct() && net_in_open && has(to_stdout.sink_full ? stdout_slot : net_slot,
                                                 to_stdout.sink_full ? POLLOUT : POLLIN)) {
      size_t moved = 0;
      if (socket_mode) socket_mode->for_receive(has(net_slot, POLLIN));
      switch (move_direct(to_stdout, socket_fd, stdout_fd, &moved)) {
        case Step::kData:
          stats.bytes_from_network += moved;
          break;
        case Step::kEnd:
          net_in_open = false;
          break;
        case Step::kError:
          if (errno == EPIPE) {
            stdout_gone();
          } else {
            net_in_open = false;
          }
          break;
        case Step::kRetry:
        case Step::kFallback:
          break;
      }
    } else if (!to_stdout.direct() && net_in_open && to_stdout.empty() && has(net_slot, POLLIN)) {
      size_t got = 0;
      if (socket_mode) socket_mode->for_receive(true);
      Step filled = fill(to_stdout, socket_fd, true, &got);
      if (filled == Step::kEnd || filled == Step::kError) {
        net_in_open = false;
      } else if (filled == Step::kData) {
        if (options.telnet) answer_telnet(to_stdout.buffer.data(), to_stdout.buffer.pending(), socket_fd);
        stats.bytes_from_network += got;
        if (options.recv_limit >= 0 && ++packets >= options.recv_limit) {
          // -W's last packet ends both inputs, as in netcat: the rest of stdin is not read.
          net_in_open = false;
          stdin_open = false;
          (void)sys::shutdown_socket(socket_fd, SHUT_RD);
        }
      }
    }
    // Bytes just read go out at once when stdout takes them (it usually does).
    if (!to_stdout.empty() && (stdout_slot < 0 || has(stdout_slot, POLLOUT))) {
      if (!drain(to_stdout, stdout_fd, false)) stdout_gone();
    }
  }
}

}  // namespace sockscope::relay
