#include "cli/nc_messages.h"

#include <cstdio>

#include <fmt/format.h>

#include "core/program_name.h"

namespace sockscope::cli {

std::string nc_name() { return program_name() == "nc" ? "nc" : program_name() + " nc"; }

void say(const std::string& line) { fmt::print(stderr, "{}: {}\n", nc_name(), line); }

void report(const std::string& line) { fmt::print(stderr, "{}\n", line); }

}  // namespace sockscope::cli
