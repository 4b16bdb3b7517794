// Interface renderers: the default ifconfig-like view, names only, and `ip -j addr` JSON.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "interfaces/interface_record.h"

namespace sockscope::output {

// Names as `ip` prints them: "UP", "LOWER_UP", ...; "loopback", "ether", ...; "host", "link", "global".
std::vector<std::string> interface_flag_names(const interfaces::Interface& interface);
std::string link_type_name(uint16_t link_type);
std::string operstate_name(uint8_t operstate);
std::string scope_name(uint8_t scope);

// One block per interface: flags, MTU, state, link, then every address with its scope named.
std::string render_interfaces_text(const std::vector<interfaces::Interface>& interfaces, bool with_counters);

// The structure and field names of `ip -j addr`, so scripts written for it work unchanged.
nlohmann::ordered_json render_interfaces_json(const std::vector<interfaces::Interface>& interfaces);

}  // namespace sockscope::output
