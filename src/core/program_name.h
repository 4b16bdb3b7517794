// The name the program was invoked as ("sockscope", "nc", ...): every message starts with it.
#pragma once

#include <string>
#include <string_view>

namespace sockscope {

// Stores the basename of argv[0]; called once from main.
void set_program_name(std::string_view argv0);
const std::string& program_name();

}  // namespace sockscope
