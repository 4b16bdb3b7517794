#include "sys/capabilities.h"

#include <linux/capability.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace sockscope::sys {

Result<bool> has_effective_capability(int capability) {
  // glibc has no capget wrapper; version 3 carries two 32-bit words per set.
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
  if (syscall(SYS_capget, &header, data) != 0) return fail_errno("capget");
  if (capability < 0 || capability >= 32 * _LINUX_CAPABILITY_U32S_3) return false;
  return (data[capability / 32].effective >> (capability % 32) & 1u) != 0;
}

}  // namespace sockscope::sys
