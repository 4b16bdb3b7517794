#include "core/endpoint.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <netdb.h>

#include <algorithm>
#include <charconv>
#include <cstring>

#include <fmt/format.h>

#include "core/decimal.h"

namespace sockscope {

IpAddress IpAddress::any(int family) {
  IpAddress address;
  address.family = family;
  return address;
}

IpAddress IpAddress::from_in(const in_addr& address) {
  IpAddress result;
  result.family = AF_INET;
  std::memcpy(result.bytes.data(), &address, sizeof address);
  return result;
}

IpAddress IpAddress::from_in6(const in6_addr& address, uint32_t scope_id) {
  IpAddress result;
  result.family = AF_INET6;
  std::memcpy(result.bytes.data(), &address, sizeof address);
  result.scope_id = scope_id;
  return result;
}

in_addr IpAddress::to_in() const {
  in_addr address{};
  std::memcpy(&address, bytes.data(), sizeof address);
  return address;
}

in6_addr IpAddress::to_in6() const {
  in6_addr address{};
  std::memcpy(&address, bytes.data(), sizeof address);
  return address;
}

bool IpAddress::is_unspecified() const {
  size_t size = family == AF_INET ? 4 : 16;
  return std::all_of(bytes.begin(), bytes.begin() + size, [](uint8_t byte) { return byte == 0; });
}

bool IpAddress::is_loopback() const {
  if (family == AF_INET) return bytes[0] == 127;
  in6_addr address = to_in6();
  return IN6_IS_ADDR_LOOPBACK(&address);
}

bool IpAddress::is_multicast() const {
  if (family == AF_INET) return (bytes[0] & 0xf0) == 0xe0;
  return bytes[0] == 0xff;
}

bool IpAddress::is_v4_mapped() const {
  if (family != AF_INET6) return false;
  in6_addr address = to_in6();
  return IN6_IS_ADDR_V4MAPPED(&address);
}

bool IpAddress::needs_scope() const {
  if (family != AF_INET6) return false;
  in6_addr address = to_in6();
  return IN6_IS_ADDR_LINKLOCAL(&address) || IN6_IS_ADDR_MC_LINKLOCAL(&address) ||
         IN6_IS_ADDR_MC_NODELOCAL(&address);
}

IpAddress IpAddress::unmapped() const {
  IpAddress result;
  result.family = AF_INET;
  std::copy(bytes.begin() + 12, bytes.end(), result.bytes.begin());
  return result;
}

std::string interface_name(uint32_t index) {
  char name[IF_NAMESIZE] = {};
  if (if_indextoname(index, name) != nullptr) return name;
  return std::to_string(index);
}

std::string IpAddress::to_string() const {
  std::string text;
  append_to(text);
  return text;
}

void IpAddress::append_to(std::string& out) const {
  if (family == AF_INET) {
    char text[16];
    out.append(text, write_dotted_quad(bytes.data(), text));
    return;
  }
  char text[INET6_ADDRSTRLEN] = {};
  inet_ntop(family, bytes.data(), text, sizeof text);
  out += text;
  if (family == AF_INET6 && scope_id != 0) {
    out += '%';
    out += interface_name(scope_id);
  }
}

Result<IpAddress> parse_ip_address(std::string_view text, ScopeRule scope_rule) {
  std::string address_text(text);
  std::string scope_text;
  std::string::size_type percent = address_text.find('%');
  if (percent != std::string::npos) {
    scope_text = address_text.substr(percent + 1);
    address_text.resize(percent);
  }

  IpAddress result;
  if (scope_text.empty() && percent == std::string::npos &&
      inet_pton(AF_INET, address_text.c_str(), result.bytes.data()) == 1) {
    result.family = AF_INET;
    return result;
  }
  if (inet_pton(AF_INET6, address_text.c_str(), result.bytes.data()) != 1) {
    return fail(fmt::format("invalid IP address \"{}\"", text));
  }
  result.family = AF_INET6;
  if (percent != std::string::npos) {
    if (scope_text.empty()) return fail(fmt::format("empty scope in \"{}\"", text));
    uint32_t index = 0;
    const char* end = scope_text.data() + scope_text.size();
    std::from_chars_result parsed = std::from_chars(scope_text.data(), end, index);
    if (parsed.ec != std::errc() || parsed.ptr != end) index = if_nametoindex(scope_text.c_str());
    if (index == 0) return fail(fmt::format("unknown interface \"{}\" in \"{}\"", scope_text, text));
    result.scope_id = index;
  }
  if (result.needs_scope() && result.scope_id == 0 && scope_rule == ScopeRule::kRequired) {
    return fail(fmt::format("link-local address \"{}\" needs a scope, as in {}%eth0", text, text));
  }
  return result;
}

Result<uint16_t> parse_port(std::string_view text, bool allow_zero) {
  unsigned long value = 0;
  const char* end = text.data() + text.size();
  std::from_chars_result parsed = std::from_chars(text.data(), end, value);
  if (text.empty() || parsed.ptr != end || parsed.ec == std::errc::invalid_argument) {
    return fail(fmt::format("invalid port \"{}\": not a number", text));
  }
  if (parsed.ec == std::errc::result_out_of_range || value > 65535 || (value == 0 && !allow_zero)) {
    return fail(fmt::format("invalid port \"{}\": out of range {}-65535", text, allow_zero ? 0 : 1));
  }
  return static_cast<uint16_t>(value);
}

Result<Endpoint> parse_endpoint(std::string_view text, ScopeRule scope_rule) {
  std::string_view host;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    std::string_view::size_type close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return fail(fmt::format("invalid endpoint \"{}\": expected [ADDRESS]:PORT", text));
    }
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    std::string_view::size_type colon = text.rfind(':');
    if (colon == std::string_view::npos) {
      return fail(fmt::format("invalid endpoint \"{}\": expected ADDRESS:PORT", text));
    }
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) {
      return fail(fmt::format("invalid endpoint \"{}\": write IPv6 as [ADDRESS]:PORT", text));
    }
  }
  Result<IpAddress> address = parse_ip_address(host, scope_rule);
  if (!address) return tl::unexpected(address.error());
  if (!text.empty() && text.front() == '[' && address->family != AF_INET6) {
    return fail(fmt::format("invalid endpoint \"{}\": brackets are for IPv6 addresses", text));
  }
  Result<uint16_t> port_number = parse_port(port, true);
  if (!port_number) return tl::unexpected(port_number.error());
  return Endpoint{*address, *port_number};
}

SockAddr Endpoint::to_sockaddr() const {
  SockAddr result;
  if (address.family == AF_INET) {
    sockaddr_in* in = reinterpret_cast<sockaddr_in*>(&result.storage);
    in->sin_family = AF_INET;
    in->sin_port = htons(port);
    in->sin_addr = address.to_in();
    result.length = sizeof(sockaddr_in);
  } else {
    sockaddr_in6* in6 = reinterpret_cast<sockaddr_in6*>(&result.storage);
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(port);
    in6->sin6_addr = address.to_in6();
    in6->sin6_scope_id = address.scope_id;
    result.length = sizeof(sockaddr_in6);
  }
  return result;
}

Endpoint Endpoint::from_sockaddr(const sockaddr* address, socklen_t length) {
  if (address->sa_family == AF_INET) {
    SOCKSCOPE_CHECK(length >= static_cast<socklen_t>(sizeof(sockaddr_in)));
    const sockaddr_in* in = reinterpret_cast<const sockaddr_in*>(address);
    return Endpoint{IpAddress::from_in(in->sin_addr), ntohs(in->sin_port)};
  }
  SOCKSCOPE_CHECK(address->sa_family == AF_INET6 && length >= static_cast<socklen_t>(sizeof(sockaddr_in6)));
  const sockaddr_in6* in6 = reinterpret_cast<const sockaddr_in6*>(address);
  return Endpoint{IpAddress::from_in6(in6->sin6_addr, in6->sin6_scope_id), ntohs(in6->sin6_port)};
}

std::string Endpoint::to_string() const {
  if (address.family == AF_INET6) return fmt::format("[{}]:{}", address.to_string(), port);
  return fmt::format("{}:{}", address.to_string(), port);
}

Result<std::vector<IpAddress>> resolve_host(const ResolveRequest& request) {
  addrinfo hints{};
  hints.ai_family = request.family;
  hints.ai_socktype = request.socket_type;
  hints.ai_flags = (request.numeric_only ? AI_NUMERICHOST : 0) | (request.passive ? AI_PASSIVE : 0);
  std::string host(request.host);
  addrinfo* results = nullptr;
  int status = getaddrinfo(host.empty() ? nullptr : host.c_str(), host.empty() ? "0" : nullptr, &hints, &results);
  if (status != 0) return fail(gai_strerror(status));

  std::vector<IpAddress> addresses;
  for (addrinfo* entry = results; entry != nullptr; entry = entry->ai_next) {
    if (entry->ai_family != AF_INET && entry->ai_family != AF_INET6) continue;
    IpAddress address = Endpoint::from_sockaddr(entry->ai_addr, entry->ai_addrlen).address;
    if (std::find(addresses.begin(), addresses.end(), address) == addresses.end()) addresses.push_back(address);
  }
  freeaddrinfo(results);
  if (addresses.empty()) return fail("no address associated with hostname");
  return addresses;
}

}  // namespace sockscope
