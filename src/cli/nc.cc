// `sockscope nc`: netcat-openbsd's interface over the relay. Messages and exit codes
// follow Debian's netcat-openbsd 1.219 (scripts parse them); help text is our own.
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/nc_hints.h"
#include "cli/nc_messages.h"
#include "cli/nc_proxy.h"
#include "cli/nc_options.h"
#include "core/endpoint.h"
#include "core/program_name.h"
#include "core/services.h"
#include "relay/pump.h"
#include "sys/socket.h"
#include "sys/terminal.h"

namespace sockscope::cli {
namespace {

constexpr int kNcOk = 0;
constexpr int kNcError = 1;
// -q's timer ran out: nc ends at once with status 0 (netcat exits from its alarm handler),
// leaving any ports or clients still to come.
constexpr int kNcQuit = -1;

void print_short_usage() {
  fmt::print(stderr,
             "usage: {} [-46CDdFhklNnrStUuvZz] [-I length] [-i interval] [-M ttl]\n"
             "\t  [-m minttl] [-O length] [-P proxy_username] [-p source_port]\n"
             "\t  [-q seconds] [-s sourceaddr] [-T keyword] [-V rtable] [-W recvlimit]\n"
             "\t  [-w timeout] [-X proxy_protocol] [-x proxy_address[:port]]\n"
             "\t  [destination] [port]\n",
             nc_name());
}

// "<verb> on HOST PORT" as netcat prints it: the host by name unless -n, the port numeric.
// Like netcat, a failed reverse lookup is reported in place of the line.
void report_endpoint(const char* verb, const SockAddr& address, bool numeric) {
  char host[NI_MAXHOST] = {};
  char port[NI_MAXSERV] = {};
  int flags = NI_NUMERICSERV | (numeric ? NI_NUMERICHOST : 0);
  if (int status = getnameinfo(address.get(), address.length, host, sizeof host, port, sizeof port, flags); status != 0) {
    say(fmt::format("getnameinfo: {}", gai_strerror(status)));
    return;
  }
  report(fmt::format("{} on {} {}", verb, host, port));
}

// Host and port, names unless -n, the port always numeric.
std::pair<std::string, std::string> printable(const SockAddr& address, bool numeric) {
  char host[NI_MAXHOST] = {};
  char port[NI_MAXSERV] = {};
  int flags = NI_NUMERICSERV | (numeric ? NI_NUMERICHOST : 0);
  if (getnameinfo(address.get(), address.length, host, sizeof host, port, sizeof port, flags) != 0) {
    getnameinfo(address.get(), address.length, host, sizeof host, port, sizeof port, NI_NUMERICHOST | NI_NUMERICSERV);
  }
  return {host, port};
}

relay::PumpOptions pump_options(const NcOptions& options) {
  relay::PumpOptions pump;
  pump.read_stdin = !options.detach_stdin;
  pump.shutdown_on_stdin_eof = options.shutdown_on_eof || options.quit_after >= 0;
  pump.quit_after_stdin_eof = options.quit_after;
  pump.crlf = options.crlf;
  pump.telnet = options.telnet;
  pump.recv_limit = options.recv_limit;
  pump.interval = std::chrono::seconds(options.interval_seconds);
  // -w ends a connection idle that long, a listener's as well as a client's (netcat polls
  // with it in every relay).
  if (options.timeout_seconds >= 0) pump.idle_timeout = std::chrono::seconds(options.timeout_seconds);
  pump.datagram = options.udp;
  pump.listening = options.listen;
  return pump;
}

// Relays stdin and stdout over the socket. Where the relay ends so that netcat starts -q's
// timer (relay::PumpStats::quit_timer), the socket is closed first, so that what arrives in
// those seconds is refused rather than read, and afterwards nc does nothing more: kNcQuit.
int relay_stdio(UniqueFd& socket, const NcOptions& options) {
  // A datagram listener under -k has no connection to end: as netcat, it goes on relaying
  // after -w's idle timeout (a UNIX one ends instead: see run_unix).
  bool again = options.listen && options.udp && options.keep_listening && !options.unix_socket;
  while (true) {
    Result<relay::PumpStats> done = relay::pump(STDIN_FILENO, STDOUT_FILENO, socket.get(), pump_options(options));
    if (!done) {
      say(done.error().message());
      return kNcError;
    }
    if (done->quit_timer) {
      socket.reset();
      if (options.quit_after > 0) sleep(static_cast<unsigned>(options.quit_after));
      return kNcQuit;
    }
    if (!again || !done->idle_timed_out) return kNcOk;
  }
}

// The socket type for -u, -Z (DCCP) or plain TCP; -u wins over -Z as in netcat-openbsd.
std::pair<int, int> socket_type(const NcOptions& options) {
  if (options.udp) return {SOCK_DGRAM, 0};
  if (options.dccp) return {SOCK_DCCP, IPPROTO_DCCP};
  return {SOCK_STREAM, 0};
}

const char* protocol_name(const NcOptions& options) {
  if (options.udp) return "udp";
  return options.dccp ? "dccp" : "tcp";
}

// Socket options every nc socket gets from the command line, in netcat-openbsd's order and
// with its words for a refusal ("set IP TTL: Invalid argument" for -M 0 over IPv4; SO_BROADCAST,
// the MD5 key and SO_DEBUG fail with the bare reason). -S keys the socket for the peer
// (connecting) or the local address (listening), as netcat-openbsd does.
Result<void> apply_socket_options(int fd, int family, const NcOptions& options, const SockAddr& address) {
  if (options.broadcast) {
    if (Result<void> r = sys::set_socket_option(fd, SOL_SOCKET, SO_BROADCAST, 1); !r) return fail(r.error().code, "");
  }
  if (options.md5_signature) {
    if (Result<void> keyed = sys::set_tcp_md5_key(fd, address, options.md5_password); !keyed) {
      return fail(keyed.error().code, "");
    }
  }
  struct Setting {
    bool wanted;
    int level;
    int name;
    int value;
    const char* what;
  };
  bool v6 = family == AF_INET6;
  int ip = v6 ? IPPROTO_IPV6 : IPPROTO_IP;
  const Setting settings[] = {
      {options.debug, SOL_SOCKET, SO_DEBUG, 1, ""},
      {options.tos >= 0, ip, v6 ? IPV6_TCLASS : IP_TOS, options.tos, v6 ? "set IPv6 traffic class" : "set IP ToS"},
      {options.receive_buffer > 0, SOL_SOCKET, SO_RCVBUF, options.receive_buffer, "set TCP receive buffer size"},
      {options.send_buffer > 0, SOL_SOCKET, SO_SNDBUF, options.send_buffer, "set TCP send buffer size"},
      {options.ttl >= 0, ip, v6 ? IPV6_UNICAST_HOPS : IP_TTL, options.ttl, v6 ? "set IPv6 unicast hops" : "set IP TTL"},
      {options.min_ttl >= 0, ip, v6 ? IPV6_MINHOPCOUNT : IP_MINTTL, options.min_ttl,
       v6 ? "set IPv6 min hop count" : "set IP min TTL"},
  };
  for (const Setting& setting : settings) {
    if (!setting.wanted) continue;
    if (Result<void> r = sys::set_socket_option(fd, setting.level, setting.name, setting.value); !r) {
      return fail(r.error().code, setting.what);
    }
  }
  return {};
}

struct Resolved {
  std::vector<SockAddr> addresses;
  std::string error;  // getaddrinfo's text when resolution failed
};

// host and port as netcat hands them to getaddrinfo: null when not given, and "" is not null.
Resolved resolve(const char* host, const char* port, const NcOptions& options, bool passive) {
  addrinfo hints{};
  hints.ai_family = options.family;
  hints.ai_socktype = options.udp ? SOCK_DGRAM : SOCK_STREAM;
  hints.ai_protocol = options.udp ? IPPROTO_UDP : IPPROTO_TCP;
  hints.ai_flags = (options.numeric ? AI_NUMERICHOST : 0) | (passive ? AI_PASSIVE : 0);
  addrinfo* results = nullptr;
  Resolved resolved;
  int status = getaddrinfo(host, port, &hints, &results);
  if (status != 0) {
    resolved.error = gai_strerror(status);
    return resolved;
  }
  for (addrinfo* entry = results; entry != nullptr; entry = entry->ai_next) {
    SockAddr address;
    std::memcpy(&address.storage, entry->ai_addr, entry->ai_addrlen);
    address.length = entry->ai_addrlen;
    resolved.addresses.push_back(address);
  }
  freeaddrinfo(results);
  return resolved;
}

// -s / -p for outgoing connections: bind before connecting.
Result<void> bind_source(int fd, int family, const NcOptions& options) {
  if (!options.source_address_given && !options.source_port_given) return {};
  NcOptions local = options;
  local.family = family;
  // netcat resolves -s without -n's AI_NUMERICHOST (`nc -n -s localhost …` binds 127.0.0.1);
  // only a listener's address obeys -n.
  local.numeric = false;
  Resolved source = resolve(options.source_address_given ? options.source_address.c_str() : nullptr,
                            options.source_port_given ? options.source_port.c_str() : nullptr, local, true);
  if (source.addresses.empty()) return fail(fmt::format("getaddrinfo: {}", source.error));
  Result<void> bound = sys::bind_socket(fd, source.addresses.front().get(), source.addresses.front().length);
  if (!bound) return fail(bound.error().code, "bind failed");
  return {};
}

// Connects to one host:port, trying every address; -1 on failure (messages printed).
// *give_up is set when nothing further can work (no address, or the local socket set-up failed).
// Failure lines name the address tried after the host unless show_address is false (nc does
// not for the proxy).
int connect_any(const std::string& host, const std::string& port, const NcOptions& options, bool* give_up,
                bool show_address = true) {
  Resolved resolved = resolve(host.c_str(), port.c_str(), options, false);
  if (resolved.addresses.empty()) {
    say(fmt::format("getaddrinfo for host \"{}\" port {}: {}", host, port, resolved.error));
    *give_up = true;
    return -1;
  }
  for (const SockAddr& address : resolved.addresses) {
    int family = address.get()->sa_family;
    Result<UniqueFd> socket = sys::open_socket(family, socket_type(options).first, socket_type(options).second);
    if (!socket) continue;
    if (Result<void> bound = bind_source(socket->get(), family, options); !bound) {
      say(bound.error().message());
      if (options.verbose) {
        if (std::optional<std::string> hint = bind_failure_hint(options.source_address, bound.error().code)) say(*hint);
      }
      *give_up = true;
      return -1;
    }
    if (Result<void> applied = apply_socket_options(socket->get(), family, options, address); !applied) {
      say(applied.error().message());
      *give_up = true;
      return -1;
    }
    std::optional<std::chrono::milliseconds> timeout;
    if (options.timeout_seconds > 0) timeout = std::chrono::seconds(options.timeout_seconds);
    Result<void> connected = sys::connect_socket(socket->get(), address.get(), address.length, timeout);
    if (connected) return socket->release();
    if (options.verbose) {
      std::string numeric = printable(address, true).first;
      // -n never shows the address, even for a host written otherwise ("127.1"), as netcat.
      bool address_shown = numeric != host && show_address && !options.numeric;
      std::string shown = address_shown ? fmt::format("{} ({})", host, numeric) : host;
      // -w running out is "timed out", with the errno netcat still has from connect(2).
      const char* outcome = connected.error().code == EINPROGRESS ? "timed out" : "failed";
      say(fmt::format("connect to {} port {} ({}) {}: {}", shown, port, protocol_name(options), outcome,
                      std::strerror(connected.error().code)));
      if (connected.error().code == ECONNREFUSED && !options.udp) {
        Endpoint target = Endpoint::from_sockaddr(address.get(), address.length);
        if (std::optional<std::string> hint = refused_hint(target)) say(*hint);
      }
    }
  }
  return -1;
}

// netcat's UDP "connection" test under -v: two probe bytes, then one a second for -w
// seconds (3 without -w), so that a port-unreachable answer has time to come back and fail
// a later write.
bool udp_probe(int fd, const NcOptions& options) {
  int seconds = options.timeout_seconds >= 0 ? options.timeout_seconds : 3;
  for (int i = 0; i < 2 + seconds; ++i) {
    if (i >= 2) sleep(1);
    if (::write(fd, "X", 1) != 1) return false;
  }
  return true;
}

// One number of a port operand, read as netcat's strtoport reads it (strtonum: "+1" and " 1"
// are 1); nc's message when it is not a port.
std::optional<uint16_t> port_number(const std::string& text) {
  tl::expected<long, NcUsageError> port = parse_nc_number(text.c_str(), 1, 65535, "port number");
  if (!port) {
    say(port.error().message);
    return std::nullopt;
  }
  return static_cast<uint16_t>(*port);
}

// A port operand, as netcat-openbsd's build_ports reads it: the whole text as a service name
// first (so "http-alt" is one), then "lo-hi" in either order when it starts with a digit (each
// end a number: "79-http" is refused), else one number. False after nc's message.
bool add_port_operand(const std::string& text, const NcOptions& options, std::vector<uint16_t>* ports) {
  if (std::optional<uint16_t> named = service_port(text, protocol_name(options))) {
    ports->push_back(*named);
    return true;
  }
  std::string::size_type dash = text.find('-');
  if (!text.empty() && std::isdigit(static_cast<unsigned char>(text[0])) && dash != std::string::npos) {
    // netcat reads the high end first, so of two bad ends that one is reported.
    std::optional<uint16_t> high = port_number(text.substr(dash + 1));
    if (!high) return false;
    std::optional<uint16_t> low = port_number(text.substr(0, dash));
    if (!low) return false;
    if (*low > *high) std::swap(low, high);
    for (unsigned port = *low; port <= *high; ++port) ports->push_back(static_cast<uint16_t>(port));
    return true;
  }
  std::optional<uint16_t> port = port_number(text);
  if (!port) return false;
  ports->push_back(*port);
  return true;
}

// -F: the connected socket goes to the process at the other end of stdout, which must be
// a UNIX socket (ssh's ProxyUseFdpass); nc exits 0 once it is sent.
int pass_socket(int fd) {
  if (isatty(STDOUT_FILENO)) {
    say("Cannot pass file descriptor to tty");
    return kNcError;
  }
  if (Result<void> sent = sys::send_fd(STDOUT_FILENO, fd); !sent) {
    say(sent.error().message());
    return kNcError;
  }
  return kNcOk;
}

int run_connect(const NcOptions& options) {
  const std::string& host = *options.host;
  std::optional<ProxySettings> proxy;
  if (options.proxy_given) {
    tl::expected<ProxySettings, std::string> settings = parse_proxy_settings(options);
    if (!settings) {
      say(settings.error());
      return kNcError;
    }
    proxy = *settings;
  }
  std::vector<uint16_t> ports;
  for (const std::string& text : options.ports) {
    if (!add_port_operand(text, options, &ports)) return kNcError;
  }
  if (options.random_ports) std::shuffle(ports.begin(), ports.end(), std::mt19937(std::random_device{}()));

  // As netcat: the status of the last port that connected (a UDP port that fails its test
  // counts as failed); without -z each connected port gets a relay in turn.
  int status = kNcError;
  for (uint16_t port : ports) {
    bool give_up = false;
    int fd = -1;
    if (proxy) {
      ProxyDialer dial = [&](const std::string& proxy_host, const std::string& proxy_port, bool* stop) {
        return connect_any(proxy_host, proxy_port, options, stop, false);
      };
      fd = connect_through_proxy(*proxy, host, port, dial, &give_up);
    } else {
      fd = connect_any(host, std::to_string(port), options, &give_up);
    }
    if (give_up) return kNcError;
    if (fd < 0) continue;
    UniqueFd socket(fd);
    status = kNcOk;
    if (options.udp && options.verbose && !udp_probe(fd, options)) {
      status = kNcError;
      continue;
    }
    if (options.verbose) {
      Result<SockAddr> peer = sys::peer_address(fd);
      std::string numeric = peer ? printable(*peer, true).first : host;
      // Through a proxy nc never learns the target's address, so it names the host alone; nor
      // does it under -n.
      std::string shown = numeric == host || proxy || options.numeric ? host : fmt::format("{} ({})", host, numeric);
      const char* protocol = protocol_name(options);
      // -n skips the services database too: the label is "[tcp/*]".
      std::string label = options.numeric ? fmt::format("[{}/*]", protocol) : service_label(port, protocol);
      report(fmt::format("Connection to {} {} port {} succeeded!", shown, port, label));
    }
    // -F hands the connected socket to whoever holds the other end of stdout, even with -z.
    if (options.pass_fd) return pass_socket(fd);
    if (options.scan) {
      if (options.interval_seconds > 0) sleep(static_cast<unsigned>(options.interval_seconds));
      continue;
    }
    if (int relayed = relay_stdio(socket, options); relayed != kNcOk) return relayed;
  }
  return status;
}

// A datagram listener without -k takes the first sender as its peer: connect to it.
int connect_first_sender(int fd, SockAddr* sender_out = nullptr) {
  SockAddr sender;
  sender.length = sizeof sender.storage;
  char byte;
  if (::recvfrom(fd, &byte, 1, MSG_PEEK, sender.get(), &sender.length) < 0) {
    say(fmt::format("recvfrom: {}", std::strerror(errno)));
    return kNcError;
  }
  if (Result<void> connected = sys::connect_socket(fd, sender.get(), sender.length); !connected) {
    say(fmt::format("connect: {}", std::strerror(connected.error().code)));
    return kNcError;
  }
  if (sender_out != nullptr) *sender_out = sender;
  return kNcOk;
}

int run_listen(const NcOptions& options) {
  std::string host = options.host.value_or("");
  // As netcat, the port goes to getaddrinfo as it is: its errors are the messages, and a
  // number beyond 65535 wraps (`nc -l 99999` listens on 34463).
  const std::string& port = options.ports.front();
  if (options.proxy_given) {
    say(parse_proxy_settings(options).error());
    return kNcError;
  }

  NcOptions listen_options = options;
  if (listen_options.family == 0 && !options.host) listen_options.family = AF_INET;  // nc's default: 0.0.0.0
  // An empty address operand is a name to resolve (and fails), not the wildcard.
  Resolved resolved = resolve(options.host ? host.c_str() : nullptr, port.c_str(), listen_options, true);
  if (resolved.addresses.empty()) {
    say(fmt::format("getaddrinfo: {}", resolved.error));
    return kNcError;
  }

  UniqueFd listener;
  int last_errno = 0;
  for (const SockAddr& address : resolved.addresses) {
    int family = address.get()->sa_family;
    Result<UniqueFd> socket = sys::open_socket(family, socket_type(options).first, socket_type(options).second);
    if (!socket) {
      last_errno = socket.error().code;  // -Z on a kernel without DCCP: "Socket type not supported"
      continue;
    }
    // As netcat-openbsd: both reuse flags, which is why two listeners can share a port on Linux.
    (void)sys::set_socket_option(socket->get(), SOL_SOCKET, SO_REUSEADDR, 1);
    (void)sys::set_socket_option(socket->get(), SOL_SOCKET, SO_REUSEPORT, 1);
    if (Result<void> applied = apply_socket_options(socket->get(), family, options, address); !applied) {
      say(applied.error().message());
      return kNcError;
    }
    Result<void> bound = sys::bind_socket(socket->get(), address.get(), address.length);
    if (bound) {
      listener = std::move(*socket);
      break;
    }
    last_errno = bound.error().code;
  }
  if (!listener) {
    say(std::strerror(last_errno));
    if (options.verbose) {
      uint16_t bound_port = Endpoint::from_sockaddr(resolved.addresses.front().get(), resolved.addresses.front().length).port;
      if (std::optional<std::string> hint = bind_failure_hint(host, last_errno, bound_port, options.udp)) say(*hint);
    }
    return kNcError;
  }

  if (options.udp) {
    if (options.verbose) {
      Result<SockAddr> local = sys::local_address(listener.get());
      report_endpoint("Bound", *local, options.numeric);
    }
    if (!options.keep_listening) {
      SockAddr sender;
      if (int status = connect_first_sender(listener.get(), &sender); status != kNcOk) return status;
      if (options.verbose) {
        report_endpoint("Connection received", sender, options.numeric);
      }
    }
    return relay_stdio(listener, options);
  }

  if (Result<void> listening = sys::listen_socket(listener.get(), 1); !listening) {
    say(std::strerror(listening.error().code));
    if (options.verbose) {
      Result<SockAddr> local = sys::local_address(listener.get());
      uint16_t port = local ? Endpoint::from_sockaddr(local->get(), local->length).port : 0;
      if (std::optional<std::string> hint = bind_failure_hint(host, listening.error().code, port)) say(*hint);
    }
    return kNcError;
  }
  if (options.verbose) {
    Result<SockAddr> local = sys::local_address(listener.get());
    report_endpoint("Listening", *local, options.numeric);
    struct stat status;
    if (local && fstat(listener.get(), &status) == 0) {
      Endpoint endpoint = Endpoint::from_sockaddr(local->get(), local->length);
      if (std::optional<std::string> warning = shared_listener_warning(endpoint, status.st_ino)) say(*warning);
    }
  }
  while (true) {
    SockAddr peer;
    Result<UniqueFd> client = sys::accept_socket(listener.get(), &peer);
    if (!client) {
      say(fmt::format("accept: {}", std::strerror(client.error().code)));
      return kNcError;
    }
    if (options.verbose) {
      report_endpoint("Connection received", peer, options.numeric);
    }
    int status = relay_stdio(*client, options);
    if (!options.keep_listening || status == kNcQuit) return status;
  }
}

// UNIX-domain sockets (-U): the operand is a path, or @name for the abstract namespace.
Result<SockAddr> unix_address(const std::string& path) {
  SockAddr address;
  sockaddr_un* un = reinterpret_cast<sockaddr_un*>(&address.storage);
  un->sun_family = AF_UNIX;
  // A path needs its terminating NUL within sun_path; an abstract name has none, so "@" and
  // 107 more bytes fit (the '@' becomes the leading NUL), as in netcat.
  size_t limit = !path.empty() && path[0] == '@' ? sizeof un->sun_path : sizeof un->sun_path - 1;
  if (path.size() > limit) return fail(ENAMETOOLONG, "");
  // netcat refuses an empty path itself: to the kernel it would mean "pick a name for me".
  if (path.empty()) return fail(EINVAL, "");
  std::memcpy(un->sun_path, path.data(), path.size());
  address.length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size() + 1);
  if (path[0] == '@') {
    un->sun_path[0] = '\0';
    address.length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size());
  }
  return address;
}

// A -Uu client's own socket file, so that the listener can answer: -s PATH, or a fresh
// /tmp/nc-XXXXXX/recv.sock that goes away (with its folder) when nc ends, as in netcat.
class ReplyPath {
 public:
  ReplyPath() = default;
  ReplyPath(const ReplyPath&) = delete;
  ReplyPath& operator=(const ReplyPath&) = delete;
  ~ReplyPath() {
    if (!folder_.empty()) {
      ::unlink(path_.c_str());
      ::rmdir(folder_.c_str());
    }
  }
  Result<std::string> make(const std::optional<std::string>& chosen) {
    if (chosen) return path_ = *chosen;
    char folder[] = "/tmp/nc-XXXXXX";
    if (::mkdtemp(folder) == nullptr) return fail_errno("mkdtemp");
    folder_ = folder;
    return path_ = folder_ + "/recv.sock";
  }

 private:
  std::string folder_;
  std::string path_;
};

// netcat removes whatever sits at a listener's path before binding; we remove only a socket
// file left behind by an earlier listener, never a regular file or anything else.
void remove_stale_socket(const std::string& path) {
  struct stat info {};
  if (!path.empty() && path[0] != '@' && ::lstat(path.c_str(), &info) == 0 && S_ISSOCK(info.st_mode)) {
    ::unlink(path.c_str());
  }
}

int run_unix(const NcOptions& options) {
  if (options.proxy_given) {
    say(parse_proxy_settings(options).error());
    return kNcError;
  }
  const std::string& path = *options.host;
  Result<SockAddr> address = unix_address(path);
  if (!address) {
    say(options.listen ? std::strerror(address.error().code)
                       : fmt::format("{}: {}", path, std::strerror(address.error().code)));
    return kNcError;
  }
  Result<UniqueFd> socket = sys::open_socket(AF_UNIX, options.udp ? SOCK_DGRAM : SOCK_STREAM);
  if (!socket) {
    say(socket.error().message());
    return kNcError;
  }
  if (options.listen) {
    remove_stale_socket(path);
    if (Result<void> bound = sys::bind_socket(socket->get(), address->get(), address->length); !bound) {
      say(std::strerror(bound.error().code));
      return kNcError;
    }
    // netcat names its own path in each of these lines, whoever the peer is.
    if (options.verbose) report(fmt::format("Bound on {}", path));
    if (options.udp) {
      if (!options.keep_listening) {
        if (int status = connect_first_sender(socket->get()); status != kNcOk) return status;
        if (options.verbose) report(fmt::format("Connection received on {}", path));
      }
      if (int status = relay_stdio(*socket, options); status != kNcOk) return status;
      // After the relay netcat dissolves the socket's association with connect(s, NULL, 0),
      // which Linux refuses (EINVAL), so its datagram listener always ends with this line and
      // status 1 (-k too, after its first relay): the same call, the kernel's answer.
      if (::connect(socket->get(), nullptr, 0) < 0) {
        say(fmt::format("connect: {}", std::strerror(errno)));
        return kNcError;
      }
      return kNcOk;
    }
    if (Result<void> listening = sys::listen_socket(socket->get(), 5); !listening) {
      say(std::strerror(listening.error().code));
      return kNcError;
    }
    if (options.verbose) report(fmt::format("Listening on {}", path));
    while (true) {
      Result<UniqueFd> client = sys::accept_socket(socket->get());
      if (!client) {
        say(client.error().message());
        return kNcError;
      }
      if (options.verbose) report(fmt::format("Connection received on {}", path));
      int status = relay_stdio(*client, options);
      if (!options.keep_listening || status == kNcQuit) return status;
    }
  }
  ReplyPath reply_path;
  if (options.udp) {
    Result<std::string> own =
        reply_path.make(options.source_address_given ? std::optional(options.source_address) : std::nullopt);
    if (!own) {
      say(own.error().message());
      return kNcError;
    }
    Result<SockAddr> own_address = unix_address(*own);
    Result<void> bound = own_address ? Result<void>() : tl::unexpected(own_address.error());
    if (bound) {
      remove_stale_socket(*own);
      bound = sys::bind_socket(socket->get(), own_address->get(), own_address->length);
    }
    if (!bound) {
      say(fmt::format("{}: {}", *own, std::strerror(bound.error().code)));
      return kNcError;
    }
    if (options.verbose) report(fmt::format("Bound on {}", *own));
  }
  if (Result<void> connected = sys::connect_socket(socket->get(), address->get(), address->length); !connected) {
    say(fmt::format("{}: {}", path, std::strerror(connected.error().code)));
    return kNcError;
  }
  if (options.scan) return kNcOk;
  return relay_stdio(*socket, options);
}

void print_nc_help_to(std::FILE* out) {
  fmt::print(out,
             "OpenBSD netcat (Debian patchlevel 1.219-1) compatible\n"
             "{0}: netcat-openbsd's options, messages and exit codes\n"
             "usage: {0} [options] [destination] [port]\n"
             "  -4 / -6        IPv4 / IPv6 only\n"
             "  -b             permit broadcast\n"
             "  -C             turn LF from stdin into CRLF on the wire\n"
             "  -D             set SO_DEBUG\n"
             "  -d             never read stdin\n"
             "  -F             hand the connected socket to the process on stdout, then exit\n"
             "  -h             this text\n"
             "  -I / -O bytes  socket receive / send buffer size\n"
             "  -i secs        pause after each line sent, and between ports scanned\n"
             "  -k             with -l: serve one client after another\n"
             "  -l             listen: [address] port\n"
             "  -M / -m ttl    outgoing TTL / minimum incoming TTL\n"
             "  -N             shut down the socket's write side when stdin ends\n"
             "  -n             numeric addresses only, no DNS\n"
             "  -P user        user name for the proxy (HTTP CONNECT asks for the password)\n"
             "  -p port        local port (listen port with -l)\n"
             "  -q secs        at stdin's end shut the sending side; once the peer closes (a listener: at\n"
             "                 once), close, wait this long and exit\n"
             "  -r             scan ports in random order\n"
             "  -S             sign TCP segments with MD5 (RFC 2385), key read from the terminal\n"
             "  -s address     local address\n"
             "  -T keyword     IP TOS / DSCP: lowdelay, throughput, reliability, af11..cs7, ef, 0xNN\n"
             "  -t             refuse telnet option negotiation\n"
             "  -U             UNIX-domain socket (@name: abstract)\n"
             "  -u             UDP (datagram with -U)\n"
             "  -V rtable      routing table (OpenBSD; refused on Linux)\n"
             "  -v             say what happens on stderr\n"
             "  -W count       quit after receiving this many packets\n"
             "  -w secs        connect and idle timeout\n"
             "  -X proto       proxy protocol: 4, 5 (SOCKS) or connect (HTTP)\n"
             "  -x addr[:port] connect through this proxy\n"
             "  -Z             DCCP instead of TCP\n"
             "  -z             only check that ports accept connections\n"
             "Ports may be single, ranges lo-hi, or several operands. Exit 0 on success (-z: any port open), 1 on error.\n",
             nc_name());
}

}  // namespace

void print_nc_help() { print_nc_help_to(stdout); }

int run_nc(int argc, char** argv) {
  // A closed socket or pipe must show up as EPIPE from write, not kill us mid-message.
  signal(SIGPIPE, SIG_IGN);
  // The key is 80 bytes at most (TCP_MD5SIG_MAXKEYLEN); netcat asks while parsing options.
  auto ask_md5_password = [] { return sys::read_secret_from_tty("TCP MD5SIG password: ", 80); };
  tl::expected<NcOptions, NcUsageError> parsed = parse_nc_options(argc, argv, ask_md5_password);
  if (!parsed) {
    say(parsed.error().message);
    if (parsed.error().show_usage) print_short_usage();
    return kNcError;
  }
  if (parsed->help) {
    // On stderr, as netcat's: scripts tell netcats apart with `nc -h 2>&1 | head -1`.
    print_nc_help_to(stderr);
    return kNcOk;
  }
  NcOptions& options = *parsed;
  if (tl::expected<void, NcUsageError> settled = settle_nc_operands(options); !settled) {
    if (settled.error().show_usage) {
      print_short_usage();
    } else {
      say(settled.error().message);
    }
    return kNcError;
  }
  int status = options.unix_socket ? run_unix(options) : options.listen ? run_listen(options) : run_connect(options);
  return status == kNcQuit ? kNcOk : status;
}

}  // namespace sockscope::cli
