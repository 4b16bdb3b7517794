// Port lists as netcat and lsof take them: "80", "1-1024", "80,443,8000-8010", "http".
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace sockscope {

struct PortRange {
  uint16_t first = 0;
  uint16_t last = 0;  // inclusive
  bool contains(uint16_t port) const { return first <= port && port <= last; }
  bool operator==(const PortRange&) const = default;
};

// Comma-separated ports, ranges and (when protocol is not empty) service names.
// Errors name the offending item: a reversed range "10-5", "0", "65536", "abc".
Result<std::vector<PortRange>> parse_port_list(std::string_view text, std::string_view protocol = "tcp");

// The ranges expanded in order, duplicates kept as written.
std::vector<uint16_t> expand_ports(const std::vector<PortRange>& ranges);

}  // namespace sockscope
