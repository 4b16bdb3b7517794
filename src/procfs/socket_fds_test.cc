#include "procfs/socket_fds.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

namespace sockscope::procfs {
namespace {

TEST(FdFlagsReader, ReadsEachDescriptorsFlagsAsTheKernelKeepsThem) {
  UniqueFd plain(socket(AF_INET, SOCK_STREAM, 0));
  UniqueFd nonblocking(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  ASSERT_TRUE(plain && nonblocking);
  FdFlagsReader flags("/proc");
  EXPECT_EQ(flags.read(getpid(), plain.get()), static_cast<uint32_t>(O_RDWR));
  EXPECT_EQ(flags.read(getpid(), nonblocking.get()), static_cast<uint32_t>(O_RDWR | O_NONBLOCK | O_CLOEXEC));
  // Another process and back: each keeps its own directory.
  EXPECT_EQ(flags.read(1, 999999), 0u);
  EXPECT_EQ(flags.read(getpid(), plain.get()), static_cast<uint32_t>(O_RDWR));
}

TEST(FdFlagsReader, GivesZeroForWhatIsGone) {
  FdFlagsReader flags("/proc");
  EXPECT_EQ(flags.read(getpid(), 999999), 0u);
  EXPECT_EQ(flags.read(0x3fffffff, 3), 0u);
}

}  // namespace
}  // namespace sockscope::procfs
