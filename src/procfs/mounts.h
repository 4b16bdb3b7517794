// The mount points of this process's mount namespace, from /proc/self/mounts (lsof's -e
// takes only a path that is one).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sockscope::procfs {

// Every mount point, in the file's order; empty when it cannot be read.
std::vector<std::string> read_mount_points(const std::string& root = "/proc");

// The mount points named in the text of a mounts file, their octal escapes (\040 for a
// space) undone.
std::vector<std::string> parse_mount_points(std::string_view text);

}  // namespace sockscope::procfs
