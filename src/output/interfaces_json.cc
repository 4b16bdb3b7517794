#include "output/interfaces_json.h"

#include <linux/if.h>
#include <linux/if_addr.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "output/interface_fields.h"

namespace sockscope::output {
namespace {

using Json = nlohmann::ordered_json;

// What ip prints for a device index it cannot name.
std::string name_or_index(const std::string& name, int index) {
  return name.empty() ? fmt::format("if{}", index) : name;
}

Json address_json(const interfaces::InterfaceAddress& address) {
  Json info;
  info["family"] = address.address.family == AF_INET ? "inet" : "inet6";
  info["local"] = bare_address(address.address);
  if (address.peer) info["address"] = bare_address(*address.peer);
  info["prefixlen"] = address.prefix_length;
  if (address.metric) info["metric"] = *address.metric;
  if (address.broadcast) info["broadcast"] = bare_address(*address.broadcast);
  if (address.anycast) info["anycast"] = bare_address(*address.anycast);
  info["scope"] = scope_name(address.scope);
  for (const std::string& flag : address_flag_names(address)) info[flag] = true;
  if (uint32_t rest = unnamed_address_flags(address)) info["ifa_flags"] = fmt::format("{:02x}", rest);
  if (!address.label.empty()) info["label"] = address.label;
  if (address.has_lifetimes) {
    info["valid_life_time"] = address.valid_lifetime;
    // ip prints a finite preferred lifetime of a deprecated address as signed.
    if (address.preferred_lifetime != interfaces::kForever && (address.flags & IFA_F_DEPRECATED)) {
      info["preferred_life_time"] = static_cast<int32_t>(address.preferred_lifetime);
    } else {
      info["preferred_life_time"] = address.preferred_lifetime;
    }
  }
  return info;
}

Json counters_json(const interfaces::Interface& interface, int detail) {
  const rtnl_link_stats64& s = *interface.counters;
  Json rx;
  rx["bytes"] = s.rx_bytes;
  rx["packets"] = s.rx_packets;
  rx["errors"] = s.rx_errors;
  rx["dropped"] = s.rx_dropped;
  rx["over_errors"] = s.rx_over_errors;
  rx["multicast"] = s.multicast;
  if (s.rx_compressed) rx["compressed"] = s.rx_compressed;
  if (detail > 1) {
    rx["length_errors"] = s.rx_length_errors;
    rx["crc_errors"] = s.rx_crc_errors;
    rx["frame_errors"] = s.rx_frame_errors;
    rx["fifo_errors"] = s.rx_fifo_errors;
    rx["missed_errors"] = s.rx_missed_errors;
    if (s.rx_nohandler) rx["nohandler"] = s.rx_nohandler;
    if (s.rx_otherhost_dropped) rx["otherhost"] = s.rx_otherhost_dropped;
  }
  Json tx;
  tx["bytes"] = s.tx_bytes;
  tx["packets"] = s.tx_packets;
  tx["errors"] = s.tx_errors;
  tx["dropped"] = s.tx_dropped;
  tx["carrier_errors"] = s.tx_carrier_errors;
  tx["collisions"] = s.collisions;
  if (s.tx_compressed) tx["compressed"] = s.tx_compressed;
  if (detail > 1) {
    tx["aborted_errors"] = s.tx_aborted_errors;
    tx["fifo_errors"] = s.tx_fifo_errors;
    tx["window_errors"] = s.tx_window_errors;
    tx["heartbeat_errors"] = s.tx_heartbeat_errors;
    if (interface.carrier_changes) tx["carrier_changes"] = *interface.carrier_changes;
  }
  Json both;
  both["rx"] = std::move(rx);
  both["tx"] = std::move(tx);
  return both;
}

Json interface_json(const interfaces::Interface& interface, int counters_detail) {
  Json entry;
  entry["ifindex"] = interface.index;
  if (interface.link_index) {
    if (*interface.link_index == 0) {
      entry["link"] = nullptr;
    } else if (interface.link_netnsid) {
      entry["link_index"] = *interface.link_index;
    } else {
      entry["link"] = name_or_index(interface.link_name, *interface.link_index);
    }
  }
  entry["ifname"] = interface.name;
  entry["flags"] = interface_flag_names(interface);
  entry["mtu"] = interface.mtu;
  if (!interface.qdisc.empty()) entry["qdisc"] = interface.qdisc;
  if (interface.master_index) entry["master"] = name_or_index(interface.master_name, *interface.master_index);
  if (interface.operstate) {
    std::string state = operstate_name(*interface.operstate);
    if (state.empty()) {
      entry["operstate_index"] = *interface.operstate;
    } else {
      entry["operstate"] = state;
    }
  }
  if (interface.group) entry["group"] = group_name(*interface.group);
  if (interface.txqueuelen && *interface.txqueuelen != 0) entry["txqlen"] = *interface.txqueuelen;
  entry["link_type"] = link_type_name(interface.link_type);
  if (!interface.hardware_address.empty()) {
    entry["address"] = hardware_address_text(interface.hardware_address, interface.link_type);
  }
  if (!interface.hardware_broadcast.empty()) {
    if (interface.flags & IFF_POINTOPOINT) entry["link_pointtopoint"] = true;
    entry["broadcast"] = hardware_address_text(interface.hardware_broadcast, interface.link_type);
  }
  if (!interface.permanent_address.empty() && interface.permanent_address != interface.hardware_address) {
    entry["permaddr"] = hardware_address_text(interface.permanent_address, interface.link_type);
  }
  if (interface.link_netnsid) entry["link_netnsid"] = *interface.link_netnsid;
  if (interface.proto_down) entry["proto_down"] = true;
  if (!interface.altnames.empty()) entry["altnames"] = interface.altnames;
  Json addresses = Json::array();
  for (const interfaces::InterfaceAddress& address : interface.addresses) addresses.push_back(address_json(address));
  entry["addr_info"] = std::move(addresses);
  if (counters_detail > 0 && interface.counters) entry["stats64"] = counters_json(interface, counters_detail);
  return entry;
}

}  // namespace

std::string render_interfaces_json(const std::vector<interfaces::Interface>& interfaces, int counters_detail) {
  Json all = Json::array();
  for (const interfaces::Interface& interface : interfaces) all.push_back(interface_json(interface, counters_detail));
  // Names are bytes, not always UTF-8: replace what is not valid rather than fail.
  return all.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
}

}  // namespace sockscope::output
