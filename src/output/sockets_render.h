// The sockscope views of sockets: a table for people and JSON for scripts, with the same
// facts. Unlike lsof, sockets without an owner process (TIME_WAIT, or held by processes we
// may not inspect) are listed too.
#pragma once

#include <string>
#include <vector>

#include "output/text_sink.h"
#include "sockets/socket_record.h"

namespace sockscope::output {

// "tcp", "udp6", "unix", ...
std::string protocol_name(const sockets::SocketRecord& record);

// How many listening (or bound UDP) sockets share this one's address, port and device:
// more than one means SO_REUSEPORT spreads the connections between them.
std::vector<size_t> shared_listener_counts(const std::vector<sockets::SocketRecord>& records);

// Columns padded to their widest cell, streamed to write.
void write_sockets_table(const std::vector<sockets::SocketRecord>& records, const TextSink& write);
// An array of one object per socket, indented by two spaces, streamed to write.
void write_sockets_json(const std::vector<sockets::SocketRecord>& records, const TextSink& write);

}  // namespace sockscope::output
