#include "sys/namespace.h"

#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <sched.h>
#include <sys/ioctl.h>

#include <cstring>

#include <fmt/format.h>

namespace sockscope::sys {

Result<void> enter_new_network_namespace() {
  if (unshare(CLONE_NEWNET) != 0) return fail_errno("unshare(CLONE_NEWNET)");
  return {};
}

Result<UniqueFd> open_tun(const std::string& name) {
  UniqueFd tun(open("/dev/net/tun", O_RDWR | O_CLOEXEC));
  if (!tun) return fail_errno("open /dev/net/tun");
  ifreq request{};
  std::strncpy(request.ifr_name, name.c_str(), IFNAMSIZ - 1);
  request.ifr_flags = IFF_TUN | IFF_NO_PI;
  if (ioctl(tun.get(), TUNSETIFF, &request) != 0) return fail_errno(fmt::format("create tun {}", name));
  return tun;
}

}  // namespace sockscope::sys
