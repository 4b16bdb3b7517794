// Feeds arbitrary bytes to the interface collector as a recorded netlink conversation
// (the format Channel::record_to writes), then through every interface renderer, and the
// same bytes to the /proc/net/if_inet6 parser: none of it may crash or read out of bounds.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "interfaces/collect.h"
#include "interfaces/ipv6_order.h"
#include "netlink/channel.h"
#include "output/interface_listeners.h"
#include "output/interfaces_ifconfig.h"
#include "output/interfaces_json.h"
#include "output/interfaces_render.h"
#include "procfs/if_inet6.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sockscope;
  static const std::string path = "/tmp/interfaces_dump_fuzzer." + std::to_string(getpid());
  FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) return 0;
  std::fwrite(data, 1, size, file);
  std::fclose(file);

  std::vector<procfs::Inet6Line> listed =
      procfs::parse_if_inet6(std::string_view(reinterpret_cast<const char*>(data), size));
  Result<netlink::Channel> channel = netlink::Channel::replay(path);
  if (!channel) return 0;
  Result<std::vector<interfaces::Interface>> all = interfaces::collect_interfaces(*channel);
  if (!all) return 0;
  output::ListenerMap listeners = output::match_listeners(*all, {});
  (void)output::render_interfaces_text(*all, true, &listeners);
  (void)output::render_interfaces_json(*all, 2);
  interfaces::order_ipv6_as_listed(*all, listed);
  std::vector<output::IfconfigEntry> entries = output::ifconfig_entries(*all);
  (void)output::render_ifconfig(entries);
  (void)output::render_ifconfig_short(entries);
  return 0;
}
