#include "sys/capabilities.h"

#include <linux/capability.h>

#include <fstream>
#include <string>

#include <gtest/gtest.h>

namespace sockscope::sys {
namespace {

// The kernel states the same effective set in /proc/self/status; both views must agree.
TEST(Capabilities, AgreesWithProcSelfStatus) {
  std::ifstream status("/proc/self/status");
  std::string line;
  unsigned long long effective = 0;
  bool found = false;
  while (std::getline(status, line)) {
    if (line.rfind("CapEff:", 0) == 0) {
      effective = std::stoull(line.substr(7), nullptr, 16);
      found = true;
    }
  }
  ASSERT_TRUE(found);
  for (int capability : {CAP_NET_BIND_SERVICE, CAP_NET_ADMIN, CAP_NET_RAW, CAP_SYS_ADMIN}) {
    Result<bool> held = has_effective_capability(capability);
    ASSERT_TRUE(held) << held.error().message();
    EXPECT_EQ(*held, ((effective >> capability) & 1) != 0) << capability;
  }
}

}  // namespace
}  // namespace sockscope::sys
