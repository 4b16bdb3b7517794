// Error: an errno (or 0) plus the phrase that says what was being done, printed in
// err(3) shape: "connect to 127.0.0.1 port 4444 (tcp) failed: Connection refused".
// Result<T> is how every expected failure travels; bugs abort through SOCKSCOPE_CHECK.
#pragma once

#include <string>
#include <tl/expected.hpp>

namespace sockscope {

struct Error {
  int code = 0;         // errno value, 0 when the failure is not a system error
  std::string context;  // what was being attempted, without a trailing colon

  // "context: strerror(code)" when code is set, else the context alone.
  std::string message() const;
};

template <class T>
using Result = tl::expected<T, Error>;

// An error without errno: bad input, protocol violations.
tl::unexpected<Error> fail(std::string context);
// An error carrying an explicit errno value.
tl::unexpected<Error> fail(int code, std::string context);
// An error carrying the current errno.
tl::unexpected<Error> fail_errno(std::string context);

[[noreturn]] void check_failed(const char* expression, const char* file, int line);

}  // namespace sockscope

#define SOCKSCOPE_CHECK(expression) \
  ((expression) ? (void)0 : ::sockscope::check_failed(#expression, __FILE__, __LINE__))
