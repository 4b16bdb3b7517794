// Whether this process holds a capability in its effective set (capget(2)). explain needs
// CAP_NET_BIND_SERVICE (privileged ports) and CAP_NET_ADMIN/CAP_NET_RAW (IP_TRANSPARENT).
#pragma once

#include "core/error.h"

namespace sockscope::sys {

// capability: CAP_NET_BIND_SERVICE, CAP_NET_ADMIN, ... from <linux/capability.h>.
Result<bool> has_effective_capability(int capability);

}  // namespace sockscope::sys
