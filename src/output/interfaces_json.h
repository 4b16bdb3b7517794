// `ip -j addr` JSON: the same fields, names, order and value types, so that jq scripts
// written for ip work unchanged. counters_detail 1 adds "stats64" as `ip -s`, 2 as `ip -s -s`.
#pragma once

#include <string>
#include <vector>

#include "interfaces/interface_record.h"
#include "output/interface_listeners.h"

namespace sockscope::output {

// One line, newline-terminated, as `ip -j addr` prints it. With listeners, each addr_info
// object gains a "listeners" array (a key ip does not have, so ip's scripts are unaffected).
std::string render_interfaces_json(const std::vector<interfaces::Interface>& interfaces, int counters_detail = 0,
                                   const ListenerMap* listeners = nullptr);

}  // namespace sockscope::output
