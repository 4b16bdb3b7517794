// One-line hints nc adds under -v when a bind fails, saying what netcat cannot: which
// interfaces own which addresses (EADDRNOTAVAIL).
#pragma once

#include <optional>
#include <string>

namespace sockscope::cli {

// For a bind of address that failed with error: a hint line without the program prefix, or
// nothing when there is nothing useful to add.
std::optional<std::string> bind_failure_hint(const std::string& address, int error);

}  // namespace sockscope::cli
