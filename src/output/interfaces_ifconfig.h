// The net-tools `ifconfig` layout, for scripts that parse it: one block per interface,
// names in ifconfig's order, the primary IPv4 address only (as ifconfig shows).
#pragma once

#include <string>
#include <vector>

#include "interfaces/interface_record.h"

namespace sockscope::output {

std::string render_interfaces_ifconfig(const std::vector<interfaces::Interface>& interfaces);

}  // namespace sockscope::output
