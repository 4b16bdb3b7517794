#include "output/interfaces_json.h"

#include <linux/if.h>
#include <linux/if_addr.h>

#include <fmt/format.h>

#include "output/interface_fields.h"
#include "output/json_text.h"

namespace sockscope::output {
namespace {

// What ip prints for a device index it cannot name.
std::string name_or_index(const std::string& name, int index) {
  return name.empty() ? fmt::format("if{}", index) : name;
}

void write_listeners(JsonText& json, const std::vector<AddressListener>& listeners, const ListenerMap& map) {
  json.key("listeners").begin_array();
  for (const AddressListener& listener : listeners) {
    const sockets::SocketRecord& socket = *listener.socket;
    json.begin_object();
    json.key("protocol").value(socket.protocol == sockets::Protocol::kTcp ? "tcp" : "udp");
    json.key("local").value(bare_address(socket.local.address));
    json.key("port").value(uint64_t{socket.local.port});
    json.key("wildcard").value(listener.wildcard);
    json.key("shadowed").value(listener.shadowed);
    if (socket.bound_device != 0) {
      auto name = map.names.find(static_cast<int>(socket.bound_device));
      json.key("device").value(name != map.names.end() ? name->second : fmt::format("{}", socket.bound_device));
    }
    json.key("processes").begin_array();
    for (const sockets::Owner& owner : socket.owners) {
      json.begin_object();
      json.key("pid").value(int64_t{owner.pid});
      json.key("command").value(owner.command);
      json.key("fd").value(int64_t{owner.fd});
      json.end_object();
    }
    json.end_array();
    json.end_object();
  }
  json.end_array();
}

void write_address(JsonText& json, const interfaces::InterfaceAddress& address,
                   const std::vector<AddressListener>* listeners, const ListenerMap* map) {
  json.begin_object();
  json.key("family").value(address.address.family == AF_INET ? "inet" : "inet6");
  json.key("local").value(bare_address(address.address));
  if (address.peer) json.key("address").value(bare_address(*address.peer));
  json.key("prefixlen").value(uint64_t{address.prefix_length});
  if (address.metric) json.key("metric").value(uint64_t{*address.metric});
  if (address.broadcast) json.key("broadcast").value(bare_address(*address.broadcast));
  if (address.anycast) json.key("anycast").value(bare_address(*address.anycast));
  json.key("scope").value(scope_name(address.scope));
  for (const std::string& flag : address_flag_names(address)) json.key(flag).value(true);
  if (uint32_t rest = unnamed_address_flags(address)) json.key("ifa_flags").value(fmt::format("{:02x}", rest));
  if (!address.label.empty()) json.key("label").value(address.label);
  if (address.has_lifetimes) {
    json.key("valid_life_time").value(uint64_t{address.valid_lifetime});
    // ip prints a finite preferred lifetime of a deprecated address as signed.
    if (address.preferred_lifetime != interfaces::kForever && (address.flags & IFA_F_DEPRECATED)) {
      json.key("preferred_life_time").value(int64_t{static_cast<int32_t>(address.preferred_lifetime)});
    } else {
      json.key("preferred_life_time").value(uint64_t{address.preferred_lifetime});
    }
  }
  if (map != nullptr) write_listeners(json, listeners ? *listeners : std::vector<AddressListener>{}, *map);
  json.end_object();
}

// "stats64" as `ip -s` (detail 1) and `ip -s -s` (detail 2) print it.
void write_counters(JsonText& json, const interfaces::Interface& interface, int detail) {
  const rtnl_link_stats64& s = *interface.counters;
  json.key("stats64").begin_object();
  json.key("rx").begin_object();
  json.key("bytes").value(uint64_t{s.rx_bytes});
  json.key("packets").value(uint64_t{s.rx_packets});
  json.key("errors").value(uint64_t{s.rx_errors});
  json.key("dropped").value(uint64_t{s.rx_dropped});
  json.key("over_errors").value(uint64_t{s.rx_over_errors});
  json.key("multicast").value(uint64_t{s.multicast});
  if (s.rx_compressed) json.key("compressed").value(uint64_t{s.rx_compressed});
  if (detail > 1) {
    json.key("length_errors").value(uint64_t{s.rx_length_errors});
    json.key("crc_errors").value(uint64_t{s.rx_crc_errors});
    json.key("frame_errors").value(uint64_t{s.rx_frame_errors});
    json.key("fifo_errors").value(uint64_t{s.rx_fifo_errors});
    json.key("missed_errors").value(uint64_t{s.rx_missed_errors});
    if (s.rx_nohandler) json.key("nohandler").value(uint64_t{s.rx_nohandler});
    if (s.rx_otherhost_dropped) json.key("otherhost").value(uint64_t{s.rx_otherhost_dropped});
  }
  json.end_object();
  json.key("tx").begin_object();
  json.key("bytes").value(uint64_t{s.tx_bytes});
  json.key("packets").value(uint64_t{s.tx_packets});
  json.key("errors").value(uint64_t{s.tx_errors});
  json.key("dropped").value(uint64_t{s.tx_dropped});
  json.key("carrier_errors").value(uint64_t{s.tx_carrier_errors});
  json.key("collisions").value(uint64_t{s.collisions});
  if (s.tx_compressed) json.key("compressed").value(uint64_t{s.tx_compressed});
  if (detail > 1) {
    json.key("aborted_errors").value(uint64_t{s.tx_aborted_errors});
    json.key("fifo_errors").value(uint64_t{s.tx_fifo_errors});
    json.key("window_errors").value(uint64_t{s.tx_window_errors});
    json.key("heartbeat_errors").value(uint64_t{s.tx_heartbeat_errors});
    if (interface.carrier_changes) json.key("carrier_changes").value(uint64_t{*interface.carrier_changes});
  }
  json.end_object();
  json.end_object();
}

void write_interface(JsonText& json, const interfaces::Interface& interface, int counters_detail,
                     const ListenerMap* listeners) {
  json.begin_object();
  json.key("ifindex").value(int64_t{interface.index});
  if (interface.link_index) {
    if (*interface.link_index == 0) {
      json.key("link").null();
    } else if (interface.link_netnsid) {
      json.key("link_index").value(int64_t{*interface.link_index});
    } else {
      json.key("link").value(name_or_index(interface.link_name, *interface.link_index));
    }
  }
  json.key("ifname").value(interface.name);
  json.key("flags").begin_array();
  for (const std::string& flag : interface_flag_names(interface)) json.value(flag);
  json.end_array();
  json.key("mtu").value(uint64_t{interface.mtu});
  if (!interface.qdisc.empty()) json.key("qdisc").value(interface.qdisc);
  if (interface.master_index) json.key("master").value(name_or_index(interface.master_name, *interface.master_index));
  if (interface.operstate) {
    std::string state = operstate_name(*interface.operstate);
    if (state.empty()) {
      json.key("operstate_index").value(uint64_t{*interface.operstate});
    } else {
      json.key("operstate").value(state);
    }
  }
  if (interface.group) json.key("group").value(group_name(*interface.group));
  if (interface.txqueuelen && *interface.txqueuelen != 0) json.key("txqlen").value(uint64_t{*interface.txqueuelen});
  json.key("link_type").value(link_type_name(interface.link_type));
  if (!interface.hardware_address.empty()) {
    json.key("address").value(hardware_address_text(interface.hardware_address, interface.link_type));
  }
  if (!interface.hardware_broadcast.empty()) {
    if (interface.flags & IFF_POINTOPOINT) json.key("link_pointtopoint").value(true);
    json.key("broadcast").value(hardware_address_text(interface.hardware_broadcast, interface.link_type));
  }
  if (!interface.permanent_address.empty() && interface.permanent_address != interface.hardware_address) {
    json.key("permaddr").value(hardware_address_text(interface.permanent_address, interface.link_type));
  }
  if (interface.link_netnsid) json.key("link_netnsid").value(int64_t{*interface.link_netnsid});
  if (interface.proto_down) json.key("proto_down").value(true);
  if (!interface.altnames.empty()) {
    json.key("altnames").begin_array();
    for (const std::string& name : interface.altnames) json.value(name);
    json.end_array();
  }
  json.key("addr_info").begin_array();
  for (size_t position = 0; position < interface.addresses.size(); ++position) {
    const std::vector<AddressListener>* found = nullptr;
    if (listeners != nullptr) {
      auto entry = listeners->by_address.find({interface.index, position});
      if (entry != listeners->by_address.end()) found = &entry->second;
    }
    write_address(json, interface.addresses[position], found, listeners);
  }
  json.end_array();
  if (counters_detail > 0 && interface.counters) write_counters(json, interface, counters_detail);
  json.end_object();
}

}  // namespace

std::string render_interfaces_json(const std::vector<interfaces::Interface>& interfaces, int counters_detail,
                                   const ListenerMap* listeners) {
  JsonText json;
  json.begin_array();
  for (const interfaces::Interface& interface : interfaces) write_interface(json, interface, counters_detail, listeners);
  json.end_array();
  return json.text() + "\n";
}

}  // namespace sockscope::output
