// `ip -j addr` JSON: the same fields, names, order and value types, so that jq scripts
// written for ip work unchanged. counters_detail 1 adds "stats64" as `ip -s`, 2 as `ip -s -s`.
#pragma once

#include <string>
#include <vector>

#include "interfaces/interface_record.h"

namespace sockscope::output {

// One line, newline-terminated, as `ip -j addr` prints it.
std::string render_interfaces_json(const std::vector<interfaces::Interface>& interfaces, int counters_detail = 0);

}  // namespace sockscope::output
