// Child processes for the tour: start a program with chosen stdin/stdout/stderr, wait for it
// with a deadline, and stop it for good.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"

namespace sockscope::sys {

struct SpawnFds {
  int in = -1, out = -1, err = -1;  // -1: /dev/null
};

// Starts path with argv (argv[0] included) in a process group of its own.
Result<pid_t> spawn_process(const std::string& path, const std::vector<std::string>& argv, const SpawnFds& fds);

// The exit status (or 128 + signal) once the child ends, nullopt if it outlives timeout.
std::optional<int> wait_process(pid_t pid, std::chrono::milliseconds timeout);

// SIGKILL to the child's process group, then reaps it.
void stop_process(pid_t pid);

// The name the kernel keeps for this process (comm: what ps and lsof show), at most 15 bytes.
void set_process_name(const std::string& name);

}  // namespace sockscope::sys
