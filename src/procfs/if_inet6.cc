#include "procfs/if_inet6.h"

#include <charconv>

#include "procfs/read_text.h"

namespace sockscope::procfs {
namespace {

// Hex field of a line; false when it is not all hex or does not fit.
template <class Number>
bool parse_hex(std::string_view text, Number& value) {
  const char* end = text.data() + text.size();
  std::from_chars_result parsed = std::from_chars(text.data(), end, value, 16);
  return !text.empty() && parsed.ec == std::errc() && parsed.ptr == end;
}

std::vector<std::string_view> split_fields(std::string_view line) {
  std::vector<std::string_view> fields;
  size_t position = 0;
  while (position < line.size()) {
    size_t start = line.find_first_not_of(" \t", position);
    if (start == std::string_view::npos) break;
    size_t end = line.find_first_of(" \t", start);
    if (end == std::string_view::npos) end = line.size();
    fields.push_back(line.substr(start, end - start));
    position = end;
  }
  return fields;
}

}  // namespace

std::vector<Inet6Line> parse_if_inet6(std::string_view text) {
  std::vector<Inet6Line> lines;
  while (!text.empty()) {
    size_t newline = text.find('\n');
    std::string_view line = text.substr(0, newline);
    text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);

    // "fe800000000000000000000000000001 03 40 20 80     eth0"
    std::vector<std::string_view> fields = split_fields(line);
    if (fields.size() != 6 || fields[0].size() != 32) continue;
    Inet6Line entry;
    entry.address = IpAddress::any(AF_INET6);
    bool ok = true;
    for (size_t i = 0; i < 16 && ok; ++i) ok = parse_hex(fields[0].substr(2 * i, 2), entry.address.bytes[i]);
    unsigned index = 0;
    ok = ok && parse_hex(fields[1], index) && parse_hex(fields[2], entry.prefix_length) &&
         parse_hex(fields[3], entry.scope) && parse_hex(fields[4], entry.flags);
    if (!ok) continue;
    entry.index = static_cast<int>(index);
    entry.interface = std::string(fields[5]);
    lines.push_back(std::move(entry));
  }
  return lines;
}

std::vector<Inet6Line> read_if_inet6(const std::string& root) {
  return parse_if_inet6(read_text(root + "/net/if_inet6"));
}

}  // namespace sockscope::procfs
