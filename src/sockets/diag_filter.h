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

}  // namespace sockscope::sockets
