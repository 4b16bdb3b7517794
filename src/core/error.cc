#include "core/error.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace sockscope {

std::string Error::message() const {
  if (code == 0) return context;
  if (context.empty()) return std::strerror(code);
  return context + ": " + std::strerror(code);
}

tl::unexpected<Error> fail(std::string context) { return tl::unexpected(Error{0, std::move(context)}); }

tl::unexpected<Error> fail(int code, std::string context) {
  return tl::unexpected(Error{code, std::move(context)});
}

tl::unexpected<Error> fail_errno(std::string context) { return fail(errno, std::move(context)); }

void check_failed(const char* expression, const char* file, int line) {
  std::fprintf(stderr, "sockscope: internal error: check failed: %s (%s:%d)\n", expression, file, line);
  std::abort();
}

}  // namespace sockscope
