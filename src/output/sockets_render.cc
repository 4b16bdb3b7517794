#include "output/sockets_render.h"

#include <netinet/tcp.h>

#include <algorithm>
#include <functional>
#include <map>
#include <tuple>

#include <fmt/format.h>

#include "output/user_names.h"
#include "sockets/selection.h"

namespace sockscope::output {
namespace {

using sockets::Protocol;
using sockets::SocketRecord;

bool connected(const SocketRecord& r) { return !r.remote.address.is_unspecified() || r.remote.port != 0; }

std::string endpoint_text(const Endpoint& endpoint) {
  if (endpoint.address.is_unspecified()) {
    return fmt::format("{}:{}", endpoint.address.family == AF_INET6 ? "[::]" : "0.0.0.0",
                       endpoint.port == 0 ? std::string("*") : std::to_string(endpoint.port));
  }
  return endpoint.to_string();
}

std::string state_text(const SocketRecord& r) {
  if (r.protocol == Protocol::kUnix) return sockets::unix_state_name(r);
  if (r.protocol == Protocol::kTcp) return sockets::tcp_state_name(r.state);
  return connected(r) ? "CONNECTED" : "UNCONNECTED";
}

std::string local_text(const SocketRecord& r) {
  if (r.protocol == Protocol::kUnix) return r.unix_path.empty() ? "(unnamed)" : r.unix_path;
  return endpoint_text(r.local);
}

std::string peer_text(const SocketRecord& r) {
  if (r.protocol == Protocol::kUnix) return r.unix_peer_inode ? fmt::format("inode {}", r.unix_peer_inode) : "*";
  return connected(r) ? endpoint_text(r.remote) : "*";
}


std::string options_text(const SocketRecord& r) {
  if (r.protocol == Protocol::kUnix) return "";
  std::vector<std::string> names;
  // The reuse flags are unknown when the owner could not be inspected; the rest is known.
  if (!r.reuseaddr && !r.reuseport) names.push_back("reuse?");
  if (r.reuseaddr.value_or(false)) names.push_back("reuseaddr");
  if (r.reuseport.value_or(false)) names.push_back("reuseport");
  if (r.v6only_known && r.v6only && r.family == AF_INET6) names.push_back("v6only");
  if (r.bound_device != 0) names.push_back("dev=" + interface_name(r.bound_device));
  return names.empty() ? "-" : fmt::format("{}", fmt::join(names, ","));
}

std::string user_name(uid_t uid) { return login_name(uid).value_or(std::to_string(uid)); }

std::string process_text(const SocketRecord& r) {
  std::vector<std::string> owners;
  for (const sockets::Owner& owner : r.owners) owners.push_back(fmt::format("{}[{}] fd {}", owner.command, owner.pid, owner.fd));
  return owners.empty() ? "-" : fmt::format("{}", fmt::join(owners, ", "));
}

// A column of the table; the JSON uses the same list, keyed by json_key, with typed values.
struct Column {
  std::string_view title;
  std::function<std::string(const SocketRecord&, size_t shared)> text;
};

const std::vector<Column>& table_columns() {
  static const std::vector<Column> columns = {
      {"PROTO", [](const SocketRecord& r, size_t) { return protocol_name(r); }},
      {"LOCAL", [](const SocketRecord& r, size_t) { return local_text(r); }},
      {"PEER", [](const SocketRecord& r, size_t) { return peer_text(r); }},
      {"STATE", [](const SocketRecord& r, size_t shared) {
         return shared > 1 ? fmt::format("{} (1 of {})", state_text(r), shared) : state_text(r);
       }},
      {"OPTIONS", [](const SocketRecord& r, size_t) { return options_text(r); }},
      {"USER", [](const SocketRecord& r, size_t) { return user_name(r.uid); }},
      {"PROCESS", [](const SocketRecord& r, size_t) { return process_text(r); }},
  };
  return columns;
}

}  // namespace

std::string protocol_name(const SocketRecord& r) {
  std::string base = r.protocol == Protocol::kTcp ? "tcp" : r.protocol == Protocol::kUdp ? "udp" : "unix";
  return r.family == AF_INET6 ? base + "6" : base;
}

std::vector<size_t> shared_listener_counts(const std::vector<SocketRecord>& records) {
  using Key = std::tuple<Protocol, Endpoint, uint32_t>;
  auto listening = [](const SocketRecord& r) {
    return (r.protocol == Protocol::kTcp && r.state == TCP_LISTEN) || (r.protocol == Protocol::kUdp && !connected(r));
  };
  std::map<Key, size_t> counts;
  for (const SocketRecord& r : records) {
    if (listening(r)) ++counts[{r.protocol, r.local, r.bound_device}];
  }
  std::vector<size_t> shared;
  for (const SocketRecord& r : records) shared.push_back(listening(r) ? counts[{r.protocol, r.local, r.bound_device}] : 0);
  return shared;
}

std::string render_sockets_table(const std::vector<SocketRecord>& records) {
  const std::vector<Column>& columns = table_columns();
  std::vector<size_t> shared = shared_listener_counts(records);
  std::vector<std::vector<std::string>> cells;
  std::vector<size_t> widths;
  for (const Column& column : columns) widths.push_back(column.title.size());
  for (size_t i = 0; i < records.size(); ++i) {
    std::vector<std::string> row;
    for (size_t c = 0; c < columns.size(); ++c) {
      row.push_back(columns[c].text(records[i], shared[i]));
      widths[c] = std::max(widths[c], row.back().size());
    }
    cells.push_back(std::move(row));
  }
  std::string out;
  auto line = [&](auto cell) {
    std::string text;
    for (size_t c = 0; c < columns.size(); ++c) {
      text += c + 1 == columns.size() ? cell(c) : fmt::format("{:<{}}  ", cell(c), widths[c]);
    }
    out += text + "\n";
  };
  line([&](size_t c) { return std::string(columns[c].title); });
  for (const auto& row : cells) line([&](size_t c) { return row[c]; });
  return out;
}

nlohmann::ordered_json render_sockets_json(const std::vector<SocketRecord>& records) {
  std::vector<size_t> shared = shared_listener_counts(records);
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (size_t i = 0; i < records.size(); ++i) {
    const SocketRecord& r = records[i];
    nlohmann::ordered_json entry;
    entry["protocol"] = r.protocol == Protocol::kTcp ? "tcp" : r.protocol == Protocol::kUdp ? "udp" : "unix";
    entry["family"] = r.family == AF_INET6 ? "inet6" : r.family == AF_INET ? "inet" : "unix";
    entry["state"] = state_text(r);
    if (r.protocol == Protocol::kUnix) {
      entry["type"] = r.type == SOCK_STREAM ? "stream" : r.type == SOCK_DGRAM ? "dgram" : "seqpacket";
      entry["path"] = r.unix_path;
      entry["peer_inode"] = r.unix_peer_inode;
    } else {
      entry["local"] = {{"address", r.local.address.to_string()}, {"port", r.local.port}};
      entry["peer"] = connected(r) ? nlohmann::ordered_json{{"address", r.remote.address.to_string()}, {"port", r.remote.port}}
                                   : nlohmann::ordered_json(nullptr);
    }
    entry["queues"] = {{"receive", r.receive_queue}, {"send", r.send_queue}};
    entry["inode"] = r.inode;
    entry["uid"] = r.uid;
    if (r.protocol != Protocol::kUnix) {
      entry["bound_device"] = r.bound_device ? nlohmann::ordered_json(interface_name(r.bound_device)) : nlohmann::ordered_json(nullptr);
      entry["v6only"] = r.family == AF_INET6 && r.v6only_known ? nlohmann::ordered_json(r.v6only) : nlohmann::ordered_json(nullptr);
      entry["reuseaddr"] = r.reuseaddr ? nlohmann::ordered_json(*r.reuseaddr) : nlohmann::ordered_json(nullptr);
      entry["reuseport"] = r.reuseport ? nlohmann::ordered_json(*r.reuseport) : nlohmann::ordered_json(nullptr);
      entry["shared_listeners"] = shared[i];
    }
    nlohmann::ordered_json owners = nlohmann::ordered_json::array();
    for (const sockets::Owner& owner : r.owners) {
      owners.push_back({{"pid", owner.pid}, {"command", owner.command}, {"user", user_name(owner.uid)}, {"fd", owner.fd}});
    }
    entry["owners"] = owners;
    list.push_back(entry);
  }
  return list;
}

}  // namespace sockscope::output
