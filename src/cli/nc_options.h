// Parsed `nc` command line, with netcat-openbsd 1.219's option letters and defaults.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"

namespace sockscope::cli {

struct NcOptions {
  int family = 0;  // AF_UNSPEC, or AF_INET / AF_INET6 with -4 / -6
  bool broadcast = false;       // -b
  bool crlf = false;            // -C
  bool debug = false;           // -D
  bool detach_stdin = false;    // -d
  bool pass_fd = false;         // -F
  bool help = false;            // -h (netcat stops reading options there)
  bool keep_listening = false;  // -k
  bool listen = false;          // -l
  bool shutdown_on_eof = false; // -N
  bool numeric = false;         // -n
  bool random_ports = false;    // -r
  bool md5_signature = false;   // -S
  bool telnet = false;          // -t
  bool unix_socket = false;     // -U
  bool udp = false;             // -u
  bool verbose = false;         // -v
  bool dccp = false;            // -Z
  bool scan = false;            // -z
  int receive_buffer = -1;      // -I
  int send_buffer = -1;         // -O
  int interval_seconds = 0;     // -i
  int ttl = -1;                 // -M
  int min_ttl = -1;             // -m
  int quit_after = -1;          // -q
  long recv_limit = -1;         // -W
  int timeout_seconds = -1;     // -w
  std::string md5_password;     // -S: the key, read from the terminal while parsing
  std::string proxy_user;       // -P
  std::string source_port;      // -p
  std::string source_address;   // -s
  bool source_port_given = false;     // -p, even empty: netcat tests whether it was given
  bool source_address_given = false;  // -s, likewise
  int tos = -1;                 // -T, resolved to the byte
  std::string proxy_protocol;   // -X
  std::string proxy_address;    // -x
  bool proxy_given = false;     // -x, even with an empty address (which then fails, as in nc)
  std::vector<std::string> operands;

  // What the operands, -s and -p mean together, settled by settle_nc_operands: the
  // destination host, listen address or UNIX path, and the port operands.
  std::optional<std::string> host;
  std::vector<std::string> ports;
};

// The error's context is nc's own message ("port number invalid: x"); usage errors set
// usage = true so the caller prints the short usage after it.
struct NcUsageError {
  std::string message;
  bool show_usage = false;
};

// A number as netcat-openbsd reads one with libbsd's strtonum(3): decimal, after blanks and a
// sign if any, within [low, high]. Its errors are netcat's "<what> too large: <text>" (or
// "too small", or "invalid"); a number too big for a long is too large (too small) even with
// junk after it.
tl::expected<long, NcUsageError> parse_nc_number(const char* text, long low, long high, const char* what);

// ask_md5_password is called where -S appears, as netcat-openbsd prompts for the key in the
// middle of its option loop (so later option errors come after the prompt).
// -h and errors in an option's argument end the parse where they appear, as in netcat's
// option loop: later options are not looked at.
tl::expected<NcOptions, NcUsageError> parse_nc_options(int argc, char** argv,
                                                       const std::function<Result<std::string>()>& ask_md5_password = {});

// Fills host and ports from the operands and -s/-p, then checks the combinations netcat
// refuses, in netcat's order (the first failing check is the one reported).
tl::expected<void, NcUsageError> settle_nc_operands(NcOptions& options);

}  // namespace sockscope::cli
