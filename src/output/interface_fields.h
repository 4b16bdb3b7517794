// The words every interface view shares, spelled as `ip` spells them: flag names, link
// types, operational states, scopes, address flags, hardware addresses.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "interfaces/interface_record.h"

namespace sockscope::output {

// ip's list: "NO-CARRIER" first when up without carrier, then the IFF_* names in ip's order,
// unknown bits as one hex word, and "M-DOWN" when the linked device is down.
std::vector<std::string> interface_flag_names(const interfaces::Interface& interface);

// "ether", "loopback", "none", ... or "[N]" for a type without a name.
std::string link_type_name(uint16_t link_type);

// "aa:bb:cc:..", except dotted quads for 4-byte IPv4 tunnel endpoints.
std::string hardware_address_text(const std::vector<uint8_t>& bytes, uint16_t link_type);

// "UP", "DOWN", "LOWERLAYERDOWN", ...; empty for a state outside the kernel's list.
std::string operstate_name(uint8_t operstate);

// "global", "site", "link", "host", "nowhere", or the number.
std::string scope_name(uint8_t scope);

// The interface group; 0 is "default", as in iproute2's shipped group table.
std::string group_name(uint32_t group);

// One address flag that `ip` names: IFA_F_* bits in ip's order; "dynamic" is the absence of
// IFA_F_PERMANENT, and IFA_F_SECONDARY means "temporary" on IPv6.
std::vector<std::string> address_flag_names(const interfaces::InterfaceAddress& address);
// Bits that address_flag_names() did not name (0 when none).
uint32_t unnamed_address_flags(const interfaces::InterfaceAddress& address);

// The address without its %scope: ip and ifconfig print link-local addresses bare.
std::string bare_address(const IpAddress& address);

}  // namespace sockscope::output
