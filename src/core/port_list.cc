#include "core/port_list.h"

#include <cctype>

#include <fmt/format.h>

#include "core/endpoint.h"
#include "core/services.h"

namespace sockscope {
namespace {

bool is_number(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

Result<uint16_t> parse_one_port(std::string_view text, std::string_view protocol) {
  if (!is_number(text) && !protocol.empty() && !text.empty()) {
    std::optional<uint16_t> port = service_port(text, protocol);
    if (port) return *port;
    return fail(fmt::format("unknown service \"{}\" for {}", text, protocol));
  }
  return parse_port(text);
}

}  // namespace

Result<std::vector<PortRange>> parse_port_list(std::string_view text, std::string_view protocol) {
  std::vector<PortRange> ranges;
  if (text.empty()) return fail("empty port list");
  while (true) {
    std::string_view::size_type comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    if (item.empty()) return fail("empty item in port list");

    std::string_view::size_type dash = item.find('-', 1);
    PortRange range;
    if (dash == std::string_view::npos) {
      Result<uint16_t> port = parse_one_port(item, protocol);
      if (!port) return tl::unexpected(port.error());
      range = {*port, *port};
    } else {
      Result<uint16_t> first = parse_one_port(item.substr(0, dash), protocol);
      if (!first) return tl::unexpected(first.error());
      Result<uint16_t> last = parse_one_port(item.substr(dash + 1), protocol);
      if (!last) return tl::unexpected(last.error());
      if (*first > *last) return fail(fmt::format("invalid port range \"{}\": first port is above the last", item));
      range = {*first, *last};
    }
    ranges.push_back(range);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return ranges;
}

std::vector<uint16_t> expand_ports(const std::vector<PortRange>& ranges) {
  std::vector<uint16_t> ports;
  for (const PortRange& range : ranges) {
    for (uint32_t port = range.first; port <= range.last; ++port) ports.push_back(static_cast<uint16_t>(port));
  }
  return ports;
}

}  // namespace sockscope
