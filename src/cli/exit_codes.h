// Exit codes shared by the sockscope-native commands. nc and sockets keep their peers'
// codes (netcat-openbsd: 0/1; lsof: 0 found, 1 nothing found or error) in their own files.
#pragma once

namespace sockscope::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitNegative = 1;  // explain: refused or denied; listers: nothing found
inline constexpr int kExitUsage = 2;     // bad arguments or a runtime error

}  // namespace sockscope::cli
