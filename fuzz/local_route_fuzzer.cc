// Feeds arbitrary bytes as one rtnetlink message to the local-route parser: it must never
// read past the message, and whatever it accepts must be an IPv4 route of a local type.
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "interfaces/local_routes.h"
#include "netlink/attributes.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sockscope;
  // A copy of exactly the input's size, aligned as the kernel's buffers are, so the
  // sanitizer sees any read past the end.
  std::vector<nlmsghdr> storage(size / sizeof(nlmsghdr) + 1);
  std::memcpy(storage.data(), data, size);
  const nlmsghdr* message = storage.data();
  if (size > INT32_MAX || !netlink::message_fits(message, static_cast<int>(size))) return 0;
  if (std::optional<interfaces::LocalRoute> route = interfaces::parse_local_route(*message)) {
    SOCKSCOPE_CHECK(route->destination.family == AF_INET);
    SOCKSCOPE_CHECK(route->type == RTN_LOCAL || route->type == RTN_BROADCAST || route->type == RTN_MULTICAST);
  }
  return 0;
}
