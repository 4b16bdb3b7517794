// Login names for uids, looked up once per uid: a listing of thousands of sockets owned by a
// few users must not read the user database thousands of times.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

namespace sockscope::output {

// The login name, or nothing when the user database has no entry for uid.
std::optional<std::string> login_name(uid_t uid);

}  // namespace sockscope::output
