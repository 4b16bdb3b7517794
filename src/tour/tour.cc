#include "tour/tour.h"

#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli/explain_host.h"
#include "explain/check_bind.h"
#include "explain/deliver.h"
#include "interfaces/collect.h"
#include "netlink/channel.h"
#include "output/explain_render.h"
#include "output/interfaces_render.h"
#include "output/sockets_lsof.h"
#include "sockets/collect.h"
#include "sockets/owners.h"
#include "sockets/selection.h"
#include "sys/process.h"
#include "sys/socket.h"
#include "tour/seed_host.h"

namespace sockscope::tour {
namespace {

using namespace std::chrono_literals;

// The addresses the lesson uses; in loopback-only mode 127.0.0.2 stands in for en0's.
struct Addresses {
  std::string lan = "192.168.1.89";
  std::string foreign = "192.168.1.90";
  std::string down = "10.99.0.1";
  uint16_t port = 4444;
  bool seed_topology = true;
};

std::string self_path() {
  char path[4096];
  ssize_t length = readlink("/proc/self/exe", path, sizeof path - 1);
  return length > 0 ? std::string(path, static_cast<size_t>(length)) : "sockscope";
}

void heading(int number, std::string_view title) { fmt::print("\n── {}. {}\n", number, title); }
void command(std::string_view text) { fmt::print("$ {}\n", text); }
void note(std::string_view text) { fmt::print("   {}\n", text); }

// A run of `nc` (this binary under that name) to completion: its stderr and exit status.
struct NcResult {
  std::string stderr_text;
  int status = -1;
};

NcResult run_nc(const std::vector<std::string>& args) {
  int pipe_fds[2];
  NcResult result;
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) return result;
  UniqueFd read_end(pipe_fds[0]), write_end(pipe_fds[1]);
  std::vector<std::string> argv = {"nc"};
  argv.insert(argv.end(), args.begin(), args.end());
  Result<pid_t> pid = sys::spawn_process(self_path(), argv, {.err = write_end.get()});
  write_end.reset();
  if (!pid) return result;
  std::optional<int> status = sys::wait_process(*pid, 10s);
  if (!status) sys::stop_process(*pid);
  result.status = status.value_or(-1);
  char buffer[4096];
  ssize_t length = 0;
  while ((length = read(read_end.get(), buffer, sizeof buffer)) > 0) result.stderr_text.append(buffer, static_cast<size_t>(length));
  return result;
}

// A long-running `nc -l -k` whose -v lines tell which connections it accepted.
class Listener {
 public:
  static std::unique_ptr<Listener> start(const std::string& address, uint16_t port, NcResult* failure) {
    int pipe_fds[2];
    if (pipe2(pipe_fds, O_CLOEXEC) != 0) return nullptr;
    auto listener = std::unique_ptr<Listener>(new Listener);
    listener->address_ = address;
    listener->log_.reset(pipe_fds[0]);
    UniqueFd write_end(pipe_fds[1]);
    Result<pid_t> pid = sys::spawn_process(
        self_path(), {"nc", "-n", "-v", "-d", "-l", "-k", address, std::to_string(port)}, {.err = write_end.get()});
    if (!pid) return nullptr;
    listener->pid_ = *pid;
    // "Listening on ..." means the socket is bound and listening; an early exit is a failure.
    std::string line = listener->next_line(3s);
    if (line.rfind("Listening on", 0) != 0) {
      std::optional<int> status = sys::wait_process(*pid, 3s);
      if (failure != nullptr) *failure = {line + "\n" + listener->drain(), status.value_or(-1)};
      listener->pid_ = -1;
      return nullptr;
    }
    return listener;
  }

  ~Listener() {
    if (pid_ > 0) sys::stop_process(pid_);
  }

  // Whether a "Connection received" line arrives within the deadline.
  bool accepted(std::chrono::milliseconds timeout) { return next_line(timeout).rfind("Connection received", 0) == 0; }

  pid_t pid() const { return pid_; }
  const std::string& address() const { return address_; }

 private:
  Listener() = default;

  std::string next_line(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
      size_t newline = buffered_.find('\n');
      if (newline != std::string::npos) {
        std::string line = buffered_.substr(0, newline);
        buffered_.erase(0, newline + 1);
        return line;
      }
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return {};
      pollfd fd{log_.get(), POLLIN, 0};
      if (poll(&fd, 1, static_cast<int>(left.count())) <= 0) return {};
      char buffer[1024];
      ssize_t length = read(log_.get(), buffer, sizeof buffer);
      if (length <= 0) return {};
      buffered_.append(buffer, static_cast<size_t>(length));
    }
  }

  std::string drain() {
    std::string rest, line;
    while (!(line = next_line(200ms)).empty()) rest += line + "\n";
    return rest + std::exchange(buffered_, {});
  }

  pid_t pid_ = -1;
  std::string address_;
  UniqueFd log_;
  std::string buffered_;
};

void show_interfaces() {
  Result<netlink::Channel> channel = netlink::Channel::open(NETLINK_ROUTE);
  if (!channel) return note(channel.error().message());
  Result<std::vector<interfaces::Interface>> all = interfaces::collect_interfaces(*channel);
  if (!all) return note(all.error().message());
  std::vector<interfaces::Interface> up;
  for (const interfaces::Interface& interface : *all) {
    if (interface.flags & IFF_UP) up.push_back(interface);  // as ifconfig -u
  }
  fmt::print("{}", output::render_interfaces_text(up, false));
}

void show_sockets(uint16_t port) {
  Result<netlink::Channel> channel = netlink::Channel::open(NETLINK_SOCK_DIAG);
  if (!channel) return note(channel.error().message());
  sockets::Selection selection;
  selection.inet.push_back(*sockets::parse_inet_spec(fmt::format(":{}", port)));
  Result<std::vector<sockets::SocketRecord>> records = sockets::collect_sockets(*channel, sockets::to_collect_request(selection));
  if (!records) return note(records.error().message());
  sockets::attach_owners(*records);
  std::vector<output::LsofRow> rows = output::select_lsof_rows(*records, selection);
  fmt::print("{}", output::render_lsof(rows, {.numeric_hosts = true, .numeric_ports = true}));
}

// Connects with `nc -v -z` and prints what nc printed; true when it connected.
bool connect_and_show(const std::string& address, uint16_t port) {
  command(fmt::format("nc -v {} {}", address, port));
  NcResult result = run_nc({"-v", "-z", "-w", "3", address, std::to_string(port)});
  fmt::print("{}", result.stderr_text);
  return result.status == 0;
}

// Which of the listeners accepted the connection just made, if any.
const Listener* receiver(const std::vector<Listener*>& listeners) {
  for (Listener* listener : listeners) {
    if (listener->accepted(1s)) return listener;
  }
  return nullptr;
}

// A plain socket with only the given options, bound to address:port and listening.
Result<UniqueFd> plain_listener(const std::string& address, uint16_t port, bool reuseaddr, bool reuseport) {
  Result<UniqueFd> fd = sys::open_socket(AF_INET, SOCK_STREAM);
  if (!fd) return fd;
  if (reuseaddr) (void)sys::set_socket_option(fd->get(), SOL_SOCKET, SO_REUSEADDR, 1);
  if (reuseport) (void)sys::set_socket_option(fd->get(), SOL_SOCKET, SO_REUSEPORT, 1);
  Result<void> done = sys::bind_socket(fd->get(), Endpoint{*parse_ip_address(address), port});
  if (done) done = sys::listen_socket(fd->get(), 1);
  if (!done) return tl::unexpected(done.error());
  return fd;
}

// What `sockscope explain` says about a connection from the host to address:port, indented.
void explain_delivery(const std::string& address, uint16_t port) {
  command(fmt::format("sockscope explain tcp {}:{}", address, port));
  Result<explain::HostState> host = cli::collect_host_state(explain::Protocol::kTcp, port);
  if (!host) return note(host.error().message());
  explain::DeliveryRequest request;
  request.destination = {*parse_ip_address(address), port};
  Result<explain::Verdict> verdict = explain::deliver(*host, request);
  if (!verdict) return note(verdict.error().message());
  fmt::print("{}", output::render_verdict_text(*host, explain::Protocol::kTcp,
                                               output::describe_delivery_question(*host, request), *verdict));
}

// The same for a bind (and listen) of address:port with nc's options.
void explain_bind(const std::string& address, uint16_t port) {
  command(fmt::format("sockscope explain --bind --reuseaddr --reuseport --listen tcp {}:{}", address, port));
  Result<explain::HostState> host = cli::collect_host_state(explain::Protocol::kTcp, port);
  if (!host) return note(host.error().message());
  explain::BindRequest request;
  request.endpoint = {*parse_ip_address(address), port};
  request.reuseaddr = request.reuseport = request.listen = true;
  explain::Verdict verdict = explain::check_bind(*host, request);
  fmt::print("{}", output::render_verdict_text(*host, explain::Protocol::kTcp, output::describe_bind_question(*host, request),
                                               verdict));
}

uint16_t free_loopback_port() {
  Result<UniqueFd> probe = plain_listener("127.0.0.1", 0, false, false);
  if (!probe) return 4444;
  Result<SockAddr> bound = sys::local_address(probe->get());
  return bound ? Endpoint::from_sockaddr(bound->get(), bound->length).port : 4444;
}

}  // namespace

int run_tour(const TourOptions& options) {
  Addresses at;
  std::optional<SeedHost> host;
  std::string why_not;
  if (!options.loopback_only) {
    Result<SeedHost> built = SeedHost::build();
    if (built) {
      host.emplace(std::move(*built));
    } else {
      why_not = built.error().message();
    }
  }
  fmt::print("sockscope tour: the lesson of \"Learning more about network sockets\", on real sockets.\n");
  if (host) {
    fmt::print("This runs in a private network namespace built like the author's machine: lo, en0 (UP,\n"
               "192.168.1.89/24, its other end a LAN host at 192.168.1.50) and p2p0 (DOWN, 10.99.0.1/24).\n"
               "Nothing reaches the real network, and everything is removed when the tour ends.\n");
  } else {
    at = {.lan = "127.0.0.2", .foreign = "192.0.2.1", .down = "", .port = free_loopback_port(), .seed_topology = false};
    fmt::print("No private network namespace here ({}), so this tour uses loopback only:\n"
               "127.0.0.2 plays en0's address 192.168.1.89, and port {} stands in for 4444.\n",
               why_not.empty() ? "asked for with --loopback" : why_not, at.port);
  }
  int failures = 0;
  auto expect = [&](bool ok, std::string_view what) {
    if (!ok) {
      ++failures;
      note(fmt::format("(unexpected: {})", what));
    }
  };
  std::string port = std::to_string(at.port);

  heading(1, "Which interfaces are there?");
  command("ifconfig -u        # here: sockscope interfaces");
  show_interfaces();

  heading(2, "Listen on the loopback interface only");
  command("nc -l -k 127.0.0.1 " + port);
  NcResult failure;
  std::unique_ptr<Listener> loopback = Listener::start("127.0.0.1", at.port, &failure);
  if (!loopback) {
    fmt::print("{}", failure.stderr_text);
    note("the listener could not start; the rest of the tour needs it");
    return 1;
  }
  note(fmt::format("listening (pid {})", loopback->pid()));

  heading(3, "Who is listening?");
  command(fmt::format("lsof -Pni :{}        # here: sockscope sockets -Pni :{}", port, port));
  show_sockets(at.port);

  heading(4, "Connect to 127.0.0.1");
  expect(connect_and_show("127.0.0.1", at.port), "the connection to 127.0.0.1 failed");
  expect(receiver({loopback.get()}) != nullptr, "the loopback listener saw no connection");

  heading(5, fmt::format("Connect to {}", at.seed_topology ? "en0's address" : "another local address"));
  expect(!connect_and_show(at.lan, at.port), "the connection was not refused");
  note("Why? explain reads the same sockets, addresses and routes and follows the kernel's lookup:");
  explain_delivery(at.lan, at.port);

  heading(6, "Listen on the wildcard address as well");
  command("nc -l -k 0.0.0.0 " + port);
  std::unique_ptr<Listener> wildcard = Listener::start("0.0.0.0", at.port, &failure);
  if (!wildcard) {
    fmt::print("{}", failure.stderr_text);
    expect(false, "the wildcard listener could not start beside the loopback one");
  } else {
    note(fmt::format("listening (pid {}). Both now hold port {}:", wildcard->pid(), port));
    command(fmt::format("lsof -Pni :{}", port));
    show_sockets(at.port);
  }

  if (wildcard) {
    heading(7, "Which listener gets each connection?");
    std::vector<std::string> targets = {"127.0.0.1", at.lan};
    if (at.seed_topology) targets.push_back("127.0.0.2");
    if (!at.down.empty()) targets.push_back(at.down);
    for (const std::string& target : targets) {
      NcResult result = run_nc({"-z", "-w", "3", target, port});
      const Listener* got = receiver({loopback.get(), wildcard.get()});
      std::string who = got == nullptr ? "nobody" : fmt::format("the {} listener (pid {})", got->address(), got->pid());
      fmt::print("   {:<14} -> {}\n", target, result.status == 0 ? who : "refused");
      expect(result.status == 0 && got == (target == "127.0.0.1" ? loopback.get() : wildcard.get()),
             "the connection did not reach the listener the lesson predicts");
    }
    note("A socket bound to an exact address wins over the wildcard for that address (the kernel");
    note("looks up the exact address first); the wildcard gets everything else that is local:");
    explain_delivery(at.lan, at.port);
  }

  heading(8, "Listen on an address this machine does not have");
  command(fmt::format("nc -l -k {} {}", at.foreign, port));
  std::unique_ptr<Listener> foreign = Listener::start(at.foreign, at.port, &failure);
  if (foreign) {
    expect(false, "the bind to a foreign address succeeded");
  } else {
    fmt::print("{}", failure.stderr_text);
    expect(failure.stderr_text.find("Cannot assign requested address") != std::string::npos, "a different error");
    explain_bind(at.foreign, at.port);
  }

  heading(9, "Where Linux differs from the author's macOS");
  note("On macOS the second listener works because either socket option lets the later bind in.");
  note("On Linux a specific and a wildcard listener may share a port only if BOTH sockets set");
  note("SO_REUSEPORT and belong to the same user; Debian's nc sets SO_REUSEADDR and SO_REUSEPORT,");
  note("which is why step 6 worked. Two programs that do not set them, tried for real now:");
  for (auto [reuseaddr, label] : {std::pair{false, "no options (most servers)"}, std::pair{true, "SO_REUSEADDR only (ncat)"}}) {
    Result<UniqueFd> attempt = plain_listener("0.0.0.0", at.port, reuseaddr, false);
    std::string outcome = attempt ? "bound and listening" : attempt.error().message();
    fmt::print("   {:<28} bind 0.0.0.0:{} -> {}\n", label, port, attempt ? outcome : "Address already in use");
    expect(!attempt && attempt.error().code == EADDRINUSE, "a listener without SO_REUSEPORT was let in");
  }
  if (at.seed_topology) {
    note("All of 127.0.0.0/8 is local on Linux (127.0.0.2 answered in step 7); macOS has only 127.0.0.1");
    note("unless an alias is added. And p2p0 is DOWN, yet its IPv4 address 10.99.0.1 stays local:");
    note("the connection to it in step 7 was accepted by the wildcard listener.");
  }

  fmt::print("\nDone: {} listeners stopped{}.\n", wildcard ? 2 : 1, host ? ", the namespace and its interfaces removed" : "");
  if (failures > 0) fmt::print("{} step(s) did not go as the lesson says; see the notes above.\n", failures);
  return failures == 0 ? 0 : 1;
}

}  // namespace sockscope::tour
