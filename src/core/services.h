// Service names from /etc/services (through the C library's services database), both ways.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sockscope {

// "http" for (80, "tcp"); nullopt when the database has no entry.
std::optional<std::string> service_name(uint16_t port, std::string_view protocol);

// 80 for ("http", "tcp"); nullopt when unknown.
std::optional<uint16_t> service_port(std::string_view name, std::string_view protocol);

// service_name() for many ports: the whole database is read once, on first use, where each
// service_name() call reads /etc/services through (a listing of 50k connections would read it
// 100k times). The first name listed for a port wins, as with service_name().
std::optional<std::string_view> listed_service_name(uint16_t port, std::string_view protocol);

// The bracketed label netcat prints after a port: "[tcp/http]", or "[tcp/*]" without an entry.
std::string service_label(uint16_t port, std::string_view protocol);

}  // namespace sockscope
