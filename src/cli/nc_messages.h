// How nc talks on stderr: `say` for netcat's err(3)-style lines, prefixed with the name the
// program was invoked as; `report` for the unprefixed -v lines ("Listening on ...").
#pragma once

#include <string>

namespace sockscope::cli {

// "nc" when invoked through the link, "sockscope nc" otherwise.
std::string nc_name();
void say(const std::string& line);
void report(const std::string& line);

}  // namespace sockscope::cli
