#include "cli/nc_options.h"

#include <getopt.h>
#include <strings.h>
#include <sys/socket.h>

#include <climits>
#include <cstdlib>
#include <optional>
#include <string_view>
#include <utility>

#include <fmt/format.h>

namespace sockscope::cli {
namespace {

// -M and -m use the older "<what> is too large" wording, without the text.
tl::expected<long, NcUsageError> hop_limit(const char* text, const char* what) {
  tl::expected<long, NcUsageError> value = parse_nc_number(text, 0, 255, what);
  if (value) return value;
  std::string message = value.error().message;
  const char* kind = message.find("too large") != std::string::npos   ? "too large"
                     : message.find("too small") != std::string::npos ? "too small"
                                                                      : "invalid";
  return tl::unexpected(NcUsageError{fmt::format("{} is {}", what, kind)});
}

// -T: a DiffServ/TOS keyword, 0xNN, or a decimal 0-255.
std::optional<int> parse_tos(std::string_view text) {
  static constexpr std::pair<std::string_view, int> kKeywords[] = {
      {"af11", 0x28}, {"af12", 0x30}, {"af13", 0x38}, {"af21", 0x48}, {"af22", 0x50}, {"af23", 0x58},
      {"af31", 0x68}, {"af32", 0x70}, {"af33", 0x78}, {"af41", 0x88}, {"af42", 0x90}, {"af43", 0x98},
      {"critical", 0xa0}, {"cs0", 0x00}, {"cs1", 0x20}, {"cs2", 0x40}, {"cs3", 0x60}, {"cs4", 0x80},
      {"cs5", 0xa0}, {"cs6", 0xc0}, {"cs7", 0xe0}, {"ef", 0xb8}, {"inetcontrol", 0xc0},
      {"lowcost", 0x02}, {"lowdelay", 0x10}, {"netcontrol", 0xe0}, {"reliability", 0x04}, {"throughput", 0x08}};
  for (const auto& [name, value] : kKeywords) {
    if (text == name) return value;
  }
  if (text.empty()) return std::nullopt;
  std::string copy(text);
  char* end = nullptr;
  errno = 0;
  long value = 0;
  if (copy.size() > 1 && copy[0] == '0' && copy[1] == 'x') {
    value = std::strtol(copy.c_str(), nullptr, 16);
  } else {
    value = std::strtol(copy.c_str(), &end, 10);
    if (*end != '\0' || errno == ERANGE) return std::nullopt;
  }
  if (value < 0 || value > 255) return std::nullopt;
  return static_cast<int>(value);
}

}  // namespace

tl::expected<long, NcUsageError> parse_nc_number(const char* text, long low, long high, const char* what) {
  char* end = nullptr;
  errno = 0;
  long value = std::strtol(text, &end, 10);
  if (*text == '\0' || *end != '\0' || errno == ERANGE) {
    if (errno == ERANGE) {
      return tl::unexpected(NcUsageError{fmt::format("{} {}: {}", what, value < 0 ? "too small" : "too large", text)});
    }
    return tl::unexpected(NcUsageError{fmt::format("{} invalid: {}", what, text)});
  }
  if (value < low) return tl::unexpected(NcUsageError{fmt::format("{} too small: {}", what, text)});
  if (value > high) return tl::unexpected(NcUsageError{fmt::format("{} too large: {}", what, text)});
  return value;
}

tl::expected<NcOptions, NcUsageError> parse_nc_options(int argc, char** argv,
                                                       const std::function<Result<std::string>()>& ask_md5_password) {
  NcOptions options;
  optind = 0;  // glibc's full reset: a second parse in one process (tests, fuzzers) starts clean
  opterr = 0;
  int letter;
  while ((letter = getopt(argc, argv, "46bCDdFhI:i:klM:m:NnO:P:p:q:rSs:T:tUuV:vW:w:X:x:Zz")) != -1) {
    tl::expected<long, NcUsageError> number = 0;
    switch (letter) {
      // -4, -6 and -U choose one family: the last of them wins.
      case '4':
        options.family = AF_INET;
        options.unix_socket = false;
        break;
      case '6':
        options.family = AF_INET6;
        options.unix_socket = false;
        break;
      case 'b': options.broadcast = true; break;
      case 'C': options.crlf = true; break;
      case 'D': options.debug = true; break;
      case 'd': options.detach_stdin = true; break;
      case 'F': options.pass_fd = true; break;
      case 'h':
        options.help = true;
        return options;
      case 'I':
        number = parse_nc_number(optarg, 1, 65536 << 14, "TCP receive window");
        if (!number) return tl::unexpected(number.error());
        options.receive_buffer = static_cast<int>(*number);
        break;
      case 'i':
        number = parse_nc_number(optarg, 0, UINT_MAX, "interval");
        if (!number) return tl::unexpected(number.error());
        options.interval_seconds = static_cast<int>(*number);
        break;
      case 'k': options.keep_listening = true; break;
      case 'l': options.listen = true; break;
      case 'M':
        number = hop_limit(optarg, "ttl");
        if (!number) return tl::unexpected(number.error());
        options.ttl = static_cast<int>(*number);
        break;
      case 'm':
        number = hop_limit(optarg, "minttl");
        if (!number) return tl::unexpected(number.error());
        options.min_ttl = static_cast<int>(*number);
        break;
      case 'N': options.shutdown_on_eof = true; break;
      case 'n': options.numeric = true; break;
      case 'O':
        number = parse_nc_number(optarg, 1, 65536 << 14, "TCP send window");
        if (!number) return tl::unexpected(number.error());
        options.send_buffer = static_cast<int>(*number);
        break;
      case 'P': options.proxy_user = optarg; break;
      case 'p':
        options.source_port = optarg;
        options.source_port_given = true;
        break;
      case 'q':
        number = parse_nc_number(optarg, INT_MIN, INT_MAX, "quit timer");
        if (!number) return tl::unexpected(number.error());
        options.quit_after = static_cast<int>(*number);
        break;
      case 'r': options.random_ports = true; break;
      case 'S':
        options.md5_signature = true;
        if (ask_md5_password) {
          Result<std::string> key = ask_md5_password();
          if (!key) return tl::unexpected(NcUsageError{"Unable to read TCP MD5SIG password"});
          options.md5_password = *key;
        }
        break;
      case 's':
        options.source_address = optarg;
        options.source_address_given = true;
        break;
      case 'T':
        if (std::optional<int> tos = parse_tos(optarg)) {
          options.tos = *tos;
        } else {
          return tl::unexpected(NcUsageError{fmt::format("illegal tos value {}", optarg)});
        }
        break;
      case 't': options.telnet = true; break;
      case 'U':
        options.unix_socket = true;
        options.family = 0;
        break;
      case 'u': options.udp = true; break;
      // Linux has no routing tables for sockets to pick (OpenBSD's rtable).
      case 'V': return tl::unexpected(NcUsageError{"no alternate routing table support available"});
      case 'v': options.verbose = true; break;
      case 'W':
        number = parse_nc_number(optarg, 1, INT_MAX, "receive limit");
        if (!number) return tl::unexpected(number.error());
        options.recv_limit = *number;
        break;
      case 'w':
        number = parse_nc_number(optarg, 0, 100000000, "timeout");
        if (!number) return tl::unexpected(number.error());
        options.timeout_seconds = static_cast<int>(*number);
        break;
      case 'X':
        // netcat compares "connect" without regard to case ("CONNECT" works), the digits exactly.
        if (strcasecmp(optarg, "connect") == 0) {
          options.proxy_protocol = "connect";
        } else if (std::string_view(optarg) == "4" || std::string_view(optarg) == "5") {
          options.proxy_protocol = optarg;
        } else {
          return tl::unexpected(NcUsageError{"unsupported proxy protocol"});
        }
        break;
      case 'x':
        options.proxy_address = optarg;
        options.proxy_given = true;
        break;
      case 'Z': options.dccp = true; break;
      case 'z': options.scan = true; break;
      default:
        if (optopt != 0 && std::string_view("IiMmOPpqsTVWwXx").find(static_cast<char>(optopt)) != std::string_view::npos) {
          return tl::unexpected(NcUsageError{fmt::format("option requires an argument -- '{}'", static_cast<char>(optopt)), true});
        }
        return tl::unexpected(NcUsageError{fmt::format("invalid option -- '{}'", static_cast<char>(optopt)), true});
    }
  }
  for (int i = optind; i < argc; ++i) options.operands.emplace_back(argv[i]);
  return options;
}

tl::expected<void, NcUsageError> settle_nc_operands(NcOptions& options) {
  const std::vector<std::string>& operands = options.operands;
  NcUsageError usage{"", true};
  if (operands.empty() && options.listen) {
    // `nc -l -p PORT [-s ADDRESS]` (a UNIX listener's path may come from -s).
    if (options.source_port_given) options.ports = {options.source_port};
    if (options.source_address_given) options.host = options.source_address;
  } else if (operands.size() == 1 && !options.source_port_given &&
             (!options.source_address_given || (options.unix_socket && options.udp && !options.listen))) {
    // `nc -l PORT`, `nc -U PATH`, `nc -uU -s OWN PATH`; a lone operand of a TCP or UDP client
    // settles nothing, and is reported as a missing port below.
    if (options.unix_socket) {
      options.host = operands[0];
    } else if (options.listen) {
      options.ports = {operands[0]};
    }
  } else if (operands.size() >= 2) {
    // A listener takes one address and one port, and no -s/-p besides.
    if (options.listen && (options.source_port_given || options.source_address_given || operands.size() > 2)) {
      return tl::unexpected(usage);
    }
    options.host = operands[0];
    options.ports.assign(operands.begin() + 1, operands.end());
  } else {
    return tl::unexpected(usage);
  }

  if (options.unix_socket) {
    if (options.dccp) return tl::unexpected(NcUsageError{"cannot use -Z and -U"});
    if (!options.ports.empty()) return tl::unexpected(NcUsageError{"cannot use port with -U"});
    if (!options.host) return tl::unexpected(NcUsageError{"missing socket pathname"});
  } else if (options.ports.empty()) {
    return tl::unexpected(NcUsageError{"missing port number"});
  }
  if (options.listen && options.scan) return tl::unexpected(NcUsageError{"cannot use -z and -l"});
  if (!options.listen && options.keep_listening) return tl::unexpected(NcUsageError{"must use -l with -k"});
  if (options.unix_socket && options.pass_fd) return tl::unexpected(NcUsageError{"cannot use -F and -U"});
  return {};
}

}  // namespace sockscope::cli
