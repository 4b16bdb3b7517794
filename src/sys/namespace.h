// A private network namespace for this process, and a tun device that lives as long as its fd.
#pragma once

#include <string>

#include "core/error.h"
#include "core/unique_fd.h"

namespace sockscope::sys {

// unshare(CLONE_NEWNET): from here on this process sees only its own, empty network stack.
Result<void> enter_new_network_namespace();

// A tun device named name (IFF_TUN, no packet info); it disappears when the fd closes.
Result<UniqueFd> open_tun(const std::string& name);

}  // namespace sockscope::sys
