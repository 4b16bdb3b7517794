// Walking netlink messages and attributes: whether a message fits its buffer, the attributes
// after a message's fixed-size header, or those nested in one attribute. Every parser of dumps
// uses these, so the bounds checks live in one place.
#pragma once

#include <libmnl/libmnl.h>
#include <linux/netlink.h>

#include <cstddef>
#include <cstdint>

namespace sockscope::netlink {

// Whether message, with remaining bytes of buffer from its start, is whole. mnl_nlmsg_ok
// compares the length as a signed int, so a (replayed, hostile) length above 2 GiB passes and
// the walk jumps out of the buffer; compare it unsigned as well.
inline bool message_fits(const nlmsghdr* message, int remaining) {
  return mnl_nlmsg_ok(message, remaining) && message->nlmsg_len <= static_cast<uint32_t>(remaining);
}

// Calls visit(const nlattr*) for each well-formed attribute from first up to tail.
template <class Visit>
void for_each_attribute(const nlattr* first, const char* tail, Visit visit) {
  for (const nlattr* attribute = first;
       mnl_attr_ok(attribute, static_cast<int>(tail - reinterpret_cast<const char*>(attribute)));
       attribute = mnl_attr_next(attribute)) {
    visit(attribute);
  }
}

// The attributes that follow header_size bytes of fixed header in message.
template <class Visit>
void for_each_attribute(const nlmsghdr& message, size_t header_size, Visit visit) {
  for_each_attribute(static_cast<const nlattr*>(mnl_nlmsg_get_payload_offset(&message, header_size)),
                     static_cast<const char*>(mnl_nlmsg_get_payload_tail(&message)), visit);
}

// The attributes nested inside attribute.
template <class Visit>
void for_each_nested_attribute(const nlattr* attribute, Visit visit) {
  for_each_attribute(static_cast<const nlattr*>(mnl_attr_get_payload(attribute)),
                     static_cast<const char*>(mnl_attr_get_payload(attribute)) + mnl_attr_get_payload_len(attribute), visit);
}

}  // namespace sockscope::netlink
