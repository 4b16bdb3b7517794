#include "procfs/mounts.h"

#include "procfs/read_text.h"

namespace sockscope::procfs {
namespace {

// The kernel writes space, tab, newline and backslash in a path as \ and three octal digits.
std::string unescape(std::string_view field) {
  std::string path;
  for (size_t i = 0; i < field.size(); ++i) {
    bool octal = field[i] == '\\' && i + 3 < field.size() &&
                 field.substr(i + 1, 3).find_first_not_of("01234567") == std::string_view::npos;
    if (octal) {
      path += static_cast<char>((field[i + 1] - '0') * 64 + (field[i + 2] - '0') * 8 + (field[i + 3] - '0'));
      i += 3;
    } else {
      path += field[i];
    }
  }
  return path;
}

}  // namespace

std::vector<std::string> parse_mount_points(std::string_view text) {
  std::vector<std::string> points;
  while (!text.empty()) {
    size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    // "DEVICE MOUNT-POINT TYPE OPTIONS 0 0"
    size_t first = line.find(' ');
    if (first == std::string_view::npos) continue;
    size_t second = line.find(' ', first + 1);
    size_t length = second == std::string_view::npos ? std::string_view::npos : second - first - 1;
    points.push_back(unescape(line.substr(first + 1, length)));
  }
  return points;
}

std::vector<std::string> read_mount_points(const std::string& root) { return parse_mount_points(read_text(root + "/self/mounts")); }

}  // namespace sockscope::procfs
