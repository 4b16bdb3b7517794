#include "tour/seed_host.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include "netlink/channel.h"
#include "netlink/links.h"
#include "sys/namespace.h"

namespace sockscope::tour {
namespace {

Result<void> bring_up(const char* name, const char* address, uint8_t prefix) {
  Result<netlink::Channel> channel = netlink::Channel::open(NETLINK_ROUTE);
  if (!channel) return tl::unexpected(channel.error());
  Result<void> done = netlink::set_link_up(*channel, "lo");
  if (done && address != nullptr) done = netlink::add_address(*channel, name, *parse_ip_address(address), prefix);
  if (done && address != nullptr) done = netlink::set_link_up(*channel, name);
  return done;
}

// The LAN host: a child in a namespace of its own. It tells the parent when its namespace
// exists, waits until en1 has been moved in, configures it, reports, and sleeps until killed.
Result<pid_t> start_lan_host(int& ready_fd, int& go_fd) {
  int ready[2], go[2];
  if (pipe2(ready, O_CLOEXEC) != 0 || pipe2(go, O_CLOEXEC) != 0) return fail_errno("pipe");
  pid_t pid = fork();
  if (pid < 0) return fail_errno("fork");
  if (pid == 0) {
    close(ready[0]);
    close(go[1]);
    char status = sys::enter_new_network_namespace() ? 'y' : 'n';
    if (write(ready[1], &status, 1) != 1 || status != 'y') _exit(1);
    char command = 0;
    if (read(go[0], &command, 1) != 1) _exit(1);
    status = bring_up("en1", "192.168.1.50", 24) ? 'y' : 'n';
    if (write(ready[1], &status, 1) != 1) _exit(1);
    while (true) pause();
  }
  close(ready[1]);
  close(go[0]);
  ready_fd = ready[0];
  go_fd = go[1];
  return pid;
}

}  // namespace

Result<SeedHost> SeedHost::build() {
  Result<void> entered = sys::enter_new_network_namespace();
  if (!entered) return tl::unexpected(entered.error());
  SeedHost host;
  int ready_fd = -1, go_fd = -1;
  Result<pid_t> lan = start_lan_host(ready_fd, go_fd);
  if (!lan) return tl::unexpected(lan.error());
  host.lan_host_ = *lan;
  UniqueFd ready(ready_fd), go(go_fd);
  char status = 0;
  if (read(ready.get(), &status, 1) != 1 || status != 'y') return fail("the LAN host's namespace could not be made");

  Result<netlink::Channel> channel = netlink::Channel::open(NETLINK_ROUTE);
  if (!channel) return tl::unexpected(channel.error());
  UniqueFd lan_namespace(open(fmt::format("/proc/{}/ns/net", *lan).c_str(), O_RDONLY | O_CLOEXEC));
  if (!lan_namespace) return fail_errno("open the LAN host's namespace");
  Result<void> done = netlink::set_link_up(*channel, "lo");
  if (done) done = netlink::create_veth(*channel, "en0", "en1", lan_namespace.get());
  if (done) done = netlink::add_address(*channel, "en0", *parse_ip_address("192.168.1.89"), 24);
  if (done) done = netlink::set_link_up(*channel, "en0");
  if (!done) return tl::unexpected(done.error());
  Result<UniqueFd> tun = sys::open_tun("p2p0");
  if (!tun) return tl::unexpected(tun.error());
  host.p2p0_ = std::move(*tun);
  done = netlink::add_address(*channel, "p2p0", *parse_ip_address("10.99.0.1"), 24);
  if (!done) return tl::unexpected(done.error());

  char command = 'g';
  if (write(go.get(), &command, 1) != 1 || read(ready.get(), &status, 1) != 1 || status != 'y') {
    return fail("the LAN host could not configure en1");
  }
  return host;
}

SeedHost::SeedHost(SeedHost&& other) noexcept
    : lan_host_(std::exchange(other.lan_host_, -1)), p2p0_(std::move(other.p2p0_)) {}

SeedHost::~SeedHost() {
  if (lan_host_ > 0) {
    kill(lan_host_, SIGKILL);
    waitpid(lan_host_, nullptr, 0);
  }
}

}  // namespace sockscope::tour
