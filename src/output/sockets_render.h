// The sockscope views of sockets: a table for people and JSON for scripts. One column list
// drives both, so they cannot drift apart. Unlike lsof, sockets without an owner process
// (TIME_WAIT, or held by processes we may not inspect) are listed too.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sockets/socket_record.h"

namespace sockscope::output {

// "tcp", "udp6", "unix", ...
std::string protocol_name(const sockets::SocketRecord& record);

// How many listening (or bound UDP) sockets share this one's address, port and device:
// more than one means SO_REUSEPORT spreads the connections between them.
std::vector<size_t> shared_listener_counts(const std::vector<sockets::SocketRecord>& records);

std::string render_sockets_table(const std::vector<sockets::SocketRecord>& records);
nlohmann::ordered_json render_sockets_json(const std::vector<sockets::SocketRecord>& records);

}  // namespace sockscope::output
