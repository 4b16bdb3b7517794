// The default interface view: one block per interface with everything the kernel reports,
// every address listed, the scope named plainly.
#pragma once

#include <string>
#include <vector>

#include "interfaces/interface_record.h"
#include "output/interface_listeners.h"

namespace sockscope::output {

// Blocks separated by blank lines. With counters, two lines of packet, byte (with a binary
// unit), error and drop counts follow each block's addresses. With listeners, each address is
// followed by the sockets that accept connections to it, and two closing sections list the
// wildcard listeners and those bound to addresses no interface has.
std::string render_interfaces_text(const std::vector<interfaces::Interface>& interfaces, bool with_counters,
                                   const ListenerMap* listeners = nullptr);

// Names only, on one line, as BSD `ifconfig -l` prints them.
std::string render_interface_names(const std::vector<interfaces::Interface>& interfaces);

// "0 B", "1023 B", "1.0 KiB", "18.6 MiB": one decimal from KiB up.
std::string human_bytes(uint64_t bytes);

}  // namespace sockscope::output
