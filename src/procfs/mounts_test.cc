#include "procfs/mounts.h"

#include <gtest/gtest.h>

namespace sockscope::procfs {
namespace {

TEST(Mounts, MountPointsWithTheirEscapesUndone) {
  EXPECT_EQ(parse_mount_points("proc /proc proc rw,nosuid 0 0\n/dev/sda1 /mnt/my\\040disk ext4 rw 0 0\nbroken\n"),
            (std::vector<std::string>{"/proc", "/mnt/my disk"}));
  EXPECT_TRUE(parse_mount_points("").empty());
}

}  // namespace
}  // namespace sockscope::procfs
