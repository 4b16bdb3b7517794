// The netcat data path: stdin -> socket and socket -> stdout, with netcat-openbsd's rules
// for when each direction ends (-N, -q, -d, peer EOF) and when the whole relay stops.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

#include "core/error.h"

namespace sockscope::relay {

struct PumpOptions {
  bool read_stdin = true;             // false with -d
  bool shutdown_on_stdin_eof = false; // -N
  int quit_after_stdin_eof = -1;      // -q secs; <0 never (the pump only reports its timer)
  bool crlf = false;                  // -C
  bool telnet = false;                // -t
  long recv_limit = -1;               // -W packets; <0 unlimited
  std::chrono::milliseconds interval{0};                  // -i: after each line sent
  std::optional<std::chrono::milliseconds> idle_timeout;  // -w
  bool datagram = false;              // UDP or UNIX datagram
  bool listening = false;             // -l: the relay ends when the peer's side ends
};

struct PumpStats {
  uint64_t bytes_from_network = 0;
  uint64_t bytes_to_network = 0;
  bool idle_timed_out = false;  // ended by -w, not by either side
  // Ended where netcat-openbsd starts -q's timer (-q N with both inputs or both outputs gone;
  // a listener's stdin ending under any -q): it closes the socket, waits the seconds and exits
  // 0, whatever else it had still to do.
  bool quit_timer = false;
};

// Relays stdin -> socket and socket -> stdout until netcat-openbsd would stop. Does not close fds.
Result<PumpStats> pump(int stdin_fd, int stdout_fd, int socket_fd, const PumpOptions& options);

}  // namespace sockscope::relay
