// The seed author's machine, rebuilt inside a private network namespace: lo; en0, a veth that
// is UP with 192.168.1.89/24 (its other end, en1, sits in a second namespace as a LAN host,
// 192.168.1.50); and p2p0, a tun that stays DOWN with 10.99.0.1/24.
#pragma once

#include <sys/types.h>

#include "core/error.h"
#include "core/unique_fd.h"

namespace sockscope::tour {

class SeedHost {
 public:
  // Moves this process into a new network namespace and builds the topology there.
  static Result<SeedHost> build();

  SeedHost(SeedHost&&) noexcept;
  SeedHost& operator=(SeedHost&&) = delete;
  ~SeedHost();  // ends the LAN host; this namespace ends with the process

 private:
  SeedHost() = default;
  pid_t lan_host_ = -1;
  UniqueFd p2p0_;
};

}  // namespace sockscope::tour
