// Reading a secret (a proxy password, a TCP MD5 key) from the controlling terminal with
// echo off, as readpassphrase(3) with RPP_REQUIRE_TTY does: never from a redirected stdin.
#pragma once

#include <string>

#include "core/error.h"

namespace sockscope::sys {

// Writes prompt to /dev/tty, reads one line (at most max_length bytes kept), restores the
// terminal. Fails when there is no controlling terminal.
Result<std::string> read_secret_from_tty(const std::string& prompt, size_t max_length);

}  // namespace sockscope::sys
