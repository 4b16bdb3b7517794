// lsof's three output forms for socket rows: the column listing, -F fields and -t PIDs.
// Byte-identical to lsof 4.95 for the same rows, except that IPv6 link-local addresses keep
// their %scope (lsof drops it, which makes them unusable).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "output/text_sink.h"
#include "sockets/selection.h"
#include "sockets/socket_ends.h"
#include "sockets/socket_record.h"

namespace sockscope::output {

// One line of lsof output: a socket as held by one process under one descriptor.
struct LsofRow {
  const sockets::SocketRecord* record = nullptr;
  const sockets::Owner* owner = nullptr;
};

struct LsofStyle {
  bool numeric_hosts = false;  // -n
  bool numeric_ports = false;  // -P
  bool numeric_users = false;  // -l
  bool size_only = false;      // -s alone: a SIZE column (blank: sockets have none), no offsets
  bool offset_only = false;    // -o alone: an OFFSET column
  bool parent_column = false;  // -R: PPID after PID
  bool group_column = false;   // -g: PGID after PID (and PPID)
  size_t command_width = 9;    // +c w: how much of the command name the COMMAND column shows
  // -T's selections for the NAME column: the TCP state (lsof's default) and the queue lengths.
  // tcp_info_given is false only for a bare -T, which leaves the NAME without a suffix.
  bool tcp_state = true;
  bool tcp_queues = false;
  bool tcp_info_given = true;
  // -E and +E: the other end of each connection within this host, after the address. lsof
  // cuts the commands there to +c's width, and to nothing for +c 0.
  const sockets::SocketEnds* ends = nullptr;
  size_t end_command_width = 9;
};

// Every (socket, owner) pair the selection keeps, in lsof's order: by PID, then descriptor.
// order, when given, names the records to take and in which order (OwnerJoin's
// by_first_descriptor, in which the rows come out nearly sorted); all of them otherwise.
std::vector<LsofRow> select_lsof_rows(const std::vector<sockets::SocketRecord>& records,
                                      const sockets::Selection& selection,
                                      const std::vector<uint32_t>* order = nullptr);

// +E: rows adds the rows of the other ends of its sockets' connections (lsof lists those
// files too), in lsof's order, each row once.
void add_other_end_rows(std::vector<LsofRow>& rows, const sockets::SocketEnds& ends);

// The column listing with its header, nothing when there are no rows. Streamed: a listing of
// 100k sockets is never held in memory as text.
void write_lsof(const std::vector<LsofRow>& rows, const LsofStyle& style, const TextSink& write);
std::string render_lsof(const std::vector<LsofRow>& rows, const LsofStyle& style);

// -F output for the field letters in fields (lsof's order whatever the order given; an empty
// string means lsof's default set); nul_terminated is -F0. Streamed as write_lsof is.
void write_lsof_fields(const std::vector<LsofRow>& rows, const LsofStyle& style, std::string_view fields,
                       bool nul_terminated, const TextSink& write);

// -t: each PID once, ascending.
std::string render_lsof_pids(const std::vector<LsofRow>& rows);

// The NAME column's address part: "127.0.0.1:4444", "*:4444", "[::1]:22->[::1]:5000".
std::string lsof_address_name(const sockets::SocketRecord& record, const LsofStyle& style);

}  // namespace sockscope::output
