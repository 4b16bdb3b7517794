// A whole (small, usually /proc) file as text: the /proc readers parse from strings so their
// tests can feed them text, and this is the one place that turns a path into that string.
#pragma once

#include <string>

namespace sockscope::procfs {

// The file's contents; empty when it cannot be read.
std::string read_text(const std::string& path);

}  // namespace sockscope::procfs
