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

// The bracketed label netcat prints after a port: "[tcp/http]", or "[tcp/*]" without an entry.
std::string service_label(uint16_t port, std::string_view protocol);

}  // namespace sockscope
