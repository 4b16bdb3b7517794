// Feeds arbitrary text to the address, endpoint and port-list parsers: they must never
// crash, and whatever parses must format and parse back to the same value.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/endpoint.h"
#include "core/port_list.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sockscope;
  std::string_view text(reinterpret_cast<const char*>(data), size);

  if (Result<Endpoint> endpoint = parse_endpoint(text, ScopeRule::kOptional)) {
    Result<Endpoint> again = parse_endpoint(endpoint->to_string(), ScopeRule::kOptional);
    SOCKSCOPE_CHECK(again && *again == *endpoint);
  }
  if (Result<IpAddress> address = parse_ip_address(text, ScopeRule::kOptional)) {
    Result<IpAddress> again = parse_ip_address(address->to_string(), ScopeRule::kOptional);
    SOCKSCOPE_CHECK(again && *again == *address);
  }
  if (Result<std::vector<PortRange>> ports = parse_port_list(text, "")) {
    for (const PortRange& range : *ports) SOCKSCOPE_CHECK(range.first >= 1 && range.first <= range.last);
  }
  (void)parse_port(text, true);
  return 0;
}
