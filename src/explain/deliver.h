// deliver: which socket on this host receives a TCP connection or UDP datagram sent to
// ADDR:PORT, either by the host itself or arriving on an interface; or why none does.
#pragma once

#include <optional>

#include "core/endpoint.h"
#include "core/error.h"
#include "explain/host_state.h"
#include "explain/verdict.h"

namespace sockscope::explain {

struct DeliveryRequest {
  Protocol protocol = Protocol::kTcp;
  Endpoint destination;              // link-local IPv6 carries its interface as scope_id
  std::optional<Endpoint> source;    // port 0 when only the address is known
  // Where the packet arrives from outside; unset (or a loopback interface): the host sends it.
  std::optional<uint32_t> arriving_interface;
};

// Fails only for what the model does not cover (broadcast and multicast delivery, port 0,
// an interface index the host does not have); every other answer is a Verdict.
Result<Verdict> deliver(const HostState& host, const DeliveryRequest& request);

}  // namespace sockscope::explain
