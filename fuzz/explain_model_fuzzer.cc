// Builds a small random host (interfaces, addresses, local routes, sockets, sysctls) and a
// bind or delivery question from the input, and checks what every verdict must satisfy;
// the renderers run over each verdict too.
#include <fuzzer/FuzzedDataProvider.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>

#include "explain/check_bind.h"
#include "explain/deliver.h"
#include "output/explain_render.h"

namespace {

using namespace sockscope;
using namespace sockscope::explain;

// Addresses from a small pool, so that sockets, routes and questions meet often.
IpAddress pick_address(FuzzedDataProvider& input) {
  static const char* const kPool[] = {"0.0.0.0", "127.0.0.1", "127.0.0.2", "192.168.1.89", "10.99.0.1", "224.0.0.1",
                                      "255.255.255.255", "::", "::1", "2001:db8::1", "fe80::89", "::ffff:127.0.0.1",
                                      "::ffff:0.0.0.0", "ff02::1", "8.8.8.8", "2001:db8::2"};
  IpAddress address = *parse_ip_address(kPool[input.ConsumeIntegralInRange<size_t>(0, std::size(kPool) - 1)], ScopeRule::kOptional);
  if (address.family == AF_INET6) address.scope_id = input.ConsumeIntegralInRange<uint32_t>(0, 4);
  return address;
}

std::optional<bool> maybe(FuzzedDataProvider& input) {
  switch (input.ConsumeIntegralInRange<int>(0, 2)) {
    case 0: return false;
    case 1: return true;
    default: return std::nullopt;
  }
}

HostState make_host(FuzzedDataProvider& input) {
  HostState host;
  const char* const names[] = {"lo", "en0", "en2", "p2p0"};
  for (uint32_t index = 1; index <= 4; ++index) {
    host.interfaces.push_back({index, names[index - 1], input.ConsumeBool(), index == 1, input.ConsumeBool(), input.ConsumeBool()});
  }
  for (int i = input.ConsumeIntegralInRange<int>(0, 6); i > 0; --i) {
    host.addresses.push_back({pick_address(input), input.ConsumeIntegralInRange<uint32_t>(1, 5), input.ConsumeIntegral<uint8_t>(),
                              input.ConsumeBool()});
  }
  for (int i = input.ConsumeIntegralInRange<int>(0, 5); i > 0; --i) {
    LocalRoute route;
    route.prefix = pick_address(input);
    route.prefix_length = input.ConsumeIntegralInRange<uint8_t>(0, 40);
    route.type = static_cast<RouteType>(input.ConsumeIntegralInRange<int>(0, 2));
    route.device = input.ConsumeIntegralInRange<uint32_t>(0, 5);
    host.local_routes.push_back(route);
  }
  for (int i = input.ConsumeIntegralInRange<int>(0, 6); i > 0; --i) {
    HostSocket socket;
    socket.protocol = input.ConsumeBool() ? Protocol::kTcp : Protocol::kUdp;
    socket.local = {pick_address(input), static_cast<uint16_t>(input.ConsumeIntegralInRange<int>(79, 81))};
    socket.family = socket.local.address.family;
    socket.remote = {pick_address(input), input.ConsumeIntegral<uint16_t>()};
    socket.state = static_cast<SocketState>(input.ConsumeIntegralInRange<int>(0, 3));
    socket.device = input.ConsumeIntegralInRange<uint32_t>(0, 5);
    socket.v6only = maybe(input);
    socket.uid = input.ConsumeBool() ? 0 : 1000;
    socket.reuseaddr = maybe(input);
    socket.reuseport = maybe(input);
    if (input.ConsumeBool()) socket.owners.push_back({42, "server", 3});
    host.sockets.push_back(socket);
  }
  host.sysctls = {input.ConsumeBool(), input.ConsumeBool(), input.ConsumeIntegralInRange<int>(0, 1100), input.ConsumeBool()};
  host.caller_uid = input.ConsumeBool() ? 0 : 1000;
  host.caller_can_bind_privileged = input.ConsumeBool();
  host.caller_can_set_transparent = input.ConsumeBool();
  return host;
}

void check_common(const HostState& host, const Verdict& verdict) {
  SOCKSCOPE_CHECK(!verdict.reasons.empty());
  for (const Reason& reason : verdict.reasons) SOCKSCOPE_CHECK(!reason.rule.empty() && !reason.kernel.empty() && !reason.text.empty());
  for (const NamedSocket& named : verdict.sockets) SOCKSCOPE_CHECK(named.index < host.sockets.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider input(data, size);
  HostState host = make_host(input);
  Protocol protocol = input.ConsumeBool() ? Protocol::kTcp : Protocol::kUdp;
  Endpoint endpoint{pick_address(input), static_cast<uint16_t>(input.ConsumeIntegralInRange<int>(0, 81))};
  if (input.ConsumeBool()) {
    BindRequest request;
    request.protocol = protocol;
    request.endpoint = endpoint;
    request.reuseaddr = input.ConsumeBool();
    request.reuseport = input.ConsumeBool();
    request.v6only = maybe(input);
    request.freebind = input.ConsumeBool();
    request.transparent = input.ConsumeBool();
    request.device = input.ConsumeIntegralInRange<uint32_t>(0, 5);
    if (input.ConsumeBool()) request.uid = input.ConsumeBool() ? 0 : 1000;
    request.listen = protocol == Protocol::kTcp && input.ConsumeBool();
    Verdict verdict = check_bind(host, request);
    check_common(host, verdict);
    SOCKSCOPE_CHECK((verdict.outcome == Outcome::kAllowed) == (verdict.error == 0));
    SOCKSCOPE_CHECK(verdict.outcome == Outcome::kAllowed || verdict.outcome == Outcome::kDenied);
    SOCKSCOPE_CHECK(verdict.error != EADDRINUSE || !verdict.sockets.empty());
    (void)output::render_verdict_text(host, protocol, output::describe_bind_question(host, request), verdict);
    (void)output::render_bind_json(host, request, verdict).dump();
  } else {
    DeliveryRequest request;
    request.protocol = protocol;
    request.destination = endpoint;
    if (input.ConsumeBool()) request.source = Endpoint{pick_address(input), input.ConsumeIntegral<uint16_t>()};
    if (input.ConsumeBool()) request.arriving_interface = input.ConsumeIntegralInRange<uint32_t>(1, 5);
    Result<Verdict> verdict = deliver(host, request);
    if (!verdict) return 0;
    check_common(host, *verdict);
    SOCKSCOPE_CHECK(verdict->error == 0);
    if (verdict->outcome == Outcome::kDelivered) {
      SOCKSCOPE_CHECK(!verdict->sockets.empty());
      for (const NamedSocket& named : verdict->sockets) {
        SOCKSCOPE_CHECK(named.socket.protocol == protocol && named.socket.local.port == endpoint.port);
      }
    }
    (void)output::render_verdict_text(host, protocol, output::describe_delivery_question(host, request), *verdict);
    (void)output::render_delivery_json(host, request, *verdict).dump();
  }
  return 0;
}
