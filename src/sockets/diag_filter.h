// The inet_diag filter bytecode that lets the kernel send only sockets whose local or remote
// port is in a set of ranges (what `-i :4444` or `-i :8000-8010` asks for). It is a pre-filter:
// the selection is still checked in full on every record that comes back.
#pragma once

#include <cstdint>
#include <vector>

#include "core/port_list.h"

namespace sockscope::sockets {

// Bytecode accepting a socket when either of its ports lies in one of ranges. Empty ranges
// give empty bytecode, which callers send no filter for (every socket matches).
std::vector<uint8_t> compile_port_filter(const std::vector<PortRange>& ranges);

// Where compile_half_filter divides the port space: the middle of Linux's default ephemeral
// range (32768-60999). Nearly every connection has one end there, spread evenly.
constexpr uint16_t kSplitPort = 46884;

// Bytecode for one of two halves that together hold every socket exactly once: both ports on
// the same side of kSplitPort (same_side), or on opposite sides. A connection's ephemeral end
// falls on either side with even odds, so the halves come out about equal, which lets two
// dumps share the kernel's work of writing a large listing.
std::vector<uint8_t> compile_half_filter(bool same_side);

}  // namespace sockscope::sockets
