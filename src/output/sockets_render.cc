#include "output/sockets_render.h"

#include <netinet/tcp.h>

#include <algorithm>
#include <functional>
#include <map>
#include <tuple>
#include <utility>

#include <fmt/format.h>

#include "output/json_text.h"
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

std::string holders_text(const std::vector<sockets::Owner>& owners) {
  std::vector<std::string> texts;
  for (const sockets::Owner& owner : owners) texts.push_back(fmt::format("{}[{}] fd {}", owner.command, owner.pid, owner.fd));
  return fmt::format("{}", fmt::join(texts, ", "));
}

// The other end, and who holds it when that is a socket of this host.
std::string peer_text(const SocketRecord& r) {
  std::string peer;
  if (r.protocol == Protocol::kUnix) {
    peer = r.unix_peer_inode ? fmt::format("inode {}", r.unix_peer_inode) : "*";
  } else {
    peer = connected(r) ? endpoint_text(r.remote) : "*";
  }
  if (!r.peer_owners.empty()) peer += " (" + holders_text(r.peer_owners) + ")";
  return peer;
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

std::string process_text(const SocketRecord& r) { return r.owners.empty() ? "-" : holders_text(r.owners); }

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
  std::string base(sockets::protocol_name(r.protocol));
  return r.family == AF_INET6 ? base + "6" : base;
}

std::vector<size_t> shared_listener_counts(const std::vector<SocketRecord>& records) {
  using Key = std::tuple<Protocol, Endpoint, uint32_t>;
  auto listening = [](const SocketRecord& r) {
    bool datagrams = r.protocol == Protocol::kUdp || r.protocol == Protocol::kUdpLite;
    return (r.protocol == Protocol::kTcp && r.state == TCP_LISTEN) || (datagrams && !connected(r));
  };
  std::map<Key, size_t> counts;
  for (const SocketRecord& r : records) {
    if (listening(r)) ++counts[{r.protocol, r.local, r.bound_device}];
  }
  std::vector<size_t> shared;
  for (const SocketRecord& r : records) shared.push_back(listening(r) ? counts[{r.protocol, r.local, r.bound_device}] : 0);
  return shared;
}

void write_sockets_table(const std::vector<SocketRecord>& records, const TextSink& write) {
  // Two passes over the cells, one for the widths and one to write: formatting a row twice
  // costs less than holding 100k rows of strings (47 MiB at 50k sockets).
  const std::vector<Column>& columns = table_columns();
  std::vector<size_t> shared = shared_listener_counts(records);
  std::vector<size_t> widths;
  for (const Column& column : columns) widths.push_back(column.title.size());
  for (size_t i = 0; i < records.size(); ++i) {
    for (size_t c = 0; c < columns.size(); ++c) widths[c] = std::max(widths[c], columns[c].text(records[i], shared[i]).size());
  }
  std::string out;
  auto line = [&](auto cell) {
    for (size_t c = 0; c < columns.size(); ++c) {
      std::string text = cell(c);
      out += text;
      if (c + 1 < columns.size()) out.append(widths[c] - text.size() + 2, ' ');
    }
    out += '\n';
    if (out.size() >= kTextPiece) write(std::exchange(out, {}));
  };
  line([&](size_t c) { return std::string(columns[c].title); });
  for (size_t i = 0; i < records.size(); ++i) line([&](size_t c) { return columns[c].text(records[i], shared[i]); });
  write(out);
}

void write_sockets_json(const std::vector<SocketRecord>& records, const TextSink& write) {
  // Written as it goes: 100k sockets as a document tree took 200 MiB.
  std::vector<size_t> shared = shared_listener_counts(records);
  JsonText json(2);
  json.begin_array();
  auto endpoint = [&](const char* name, const Endpoint& at) {
    json.key(name).begin_object();
    json.key("address").value(at.address.to_string());
    json.key("port").value(uint64_t{at.port});
    json.end_object();
  };
  auto optional_flag = [&](const char* name, std::optional<bool> flag) {
    json.key(name);
    if (flag) {
      json.value(*flag);
    } else {
      json.null();
    }
  };
  for (size_t i = 0; i < records.size(); ++i) {
    const SocketRecord& r = records[i];
    json.begin_object();
    json.key("protocol").value(sockets::protocol_name(r.protocol));
    json.key("family").value(r.family == AF_INET6 ? "inet6" : r.family == AF_INET ? "inet" : "unix");
    json.key("state").value(state_text(r));
    if (r.protocol == Protocol::kUnix) {
      json.key("type").value(r.type == SOCK_STREAM ? "stream" : r.type == SOCK_DGRAM ? "dgram" : "seqpacket");
      json.key("path").value(r.unix_path);
      json.key("peer_inode").value(uint64_t{r.unix_peer_inode});
    } else {
      endpoint("local", r.local);
      if (connected(r)) {
        endpoint("peer", r.remote);
      } else {
        json.key("peer").null();
      }
    }
    json.key("queues").begin_object();
    json.key("receive").value(uint64_t{r.receive_queue});
    json.key("send").value(uint64_t{r.send_queue});
    json.end_object();
    json.key("inode").value(uint64_t{r.inode});
    json.key("uid").value(uint64_t{r.uid});
    if (r.protocol != Protocol::kUnix) {
      json.key("bound_device");
      if (r.bound_device != 0) {
        json.value(interface_name(r.bound_device));
      } else {
        json.null();
      }
      optional_flag("v6only", r.family == AF_INET6 && r.v6only_known ? std::optional<bool>(r.v6only) : std::nullopt);
      optional_flag("reuseaddr", r.reuseaddr);
      optional_flag("reuseport", r.reuseport);
      json.key("shared_listeners").value(uint64_t{shared[i]});
    }
    for (auto [name, owners] : {std::pair{"owners", &r.owners}, std::pair{"peer_owners", &r.peer_owners}}) {
      json.key(name).begin_array();
      for (const sockets::Owner& owner : *owners) {
        json.begin_object();
        json.key("pid").value(int64_t{owner.pid});
        json.key("command").value(owner.command);
        json.key("user").value(user_name(owner.uid));
        json.key("fd").value(int64_t{owner.fd});
        json.end_object();
      }
      json.end_array();
    }
    json.end_object();
    if (json.text().size() >= kTextPiece) write(json.take());
  }
  json.end_array();
  write(json.take() + "\n");
}

}  // namespace sockscope::output
