#include "output/sockets_lsof.h"

#include <netdb.h>
#include <netinet/tcp.h>

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

#include "core/services.h"
#include "output/user_names.h"
#include "sockets/selection.h"

namespace sockscope::output {
namespace {

using sockets::Protocol;
using sockets::SocketRecord;

// Columns never narrower than their titles; COMMAND shows at most 9 characters (lsof's
// default command limit); the FD cell is always four wide plus mode and lock letters,
// because lsof writes descriptors from 10000 up as "*" and the last three digits.
constexpr size_t kCommandLimit = 9;
constexpr size_t kFdWidth = 4;
constexpr size_t kNumericUserWidth = 8;

std::string fd_text(int fd) { return fd < 10000 ? std::to_string(fd) : fmt::format("*{:03}", fd % 1000); }

std::string user_text(uid_t uid, bool numeric) {
  std::optional<std::string> name = numeric ? std::nullopt : login_name(uid);
  return name ? *name : fmt::format("{:>{}}", uid, kNumericUserWidth);
}

std::string host_text(const IpAddress& address, bool numeric) {
  if (address.is_unspecified()) return "*";
  IpAddress shown = address.family == AF_INET6 && address.is_v4_mapped() ? address.unmapped() : address;
  if (!numeric) {
    static std::map<IpAddress, std::string> names;
    auto known = names.find(shown);
    if (known == names.end()) {
      Endpoint endpoint{shown, 0};
      SockAddr socket_address = endpoint.to_sockaddr();
      char name[NI_MAXHOST];
      std::string found;
      if (getnameinfo(socket_address.get(), socket_address.length, name, sizeof name, nullptr, 0, NI_NAMEREQD) == 0) {
        found = name;
      }
      known = names.emplace(shown, found).first;
    }
    if (!known->second.empty()) return known->second;
  }
  return shown.family == AF_INET6 ? "[" + shown.to_string() + "]" : shown.to_string();
}

std::string port_text(uint16_t port, Protocol protocol, bool numeric) {
  if (port == 0) return "*";
  if (!numeric && (protocol == Protocol::kTcp || protocol == Protocol::kUdp)) {
    std::optional<std::string> name = service_name(port, protocol == Protocol::kTcp ? "tcp" : "udp");
    if (name) return *name;
  }
  return std::to_string(port);
}

std::string_view unix_type_name(int type) {
  switch (type) {
    case SOCK_STREAM: return "STREAM";
    case SOCK_DGRAM: return "DGRAM";
    case SOCK_SEQPACKET: return "SEQPACKET";
    default: return "UNKNOWN";
  }
}

std::string_view node_text(const SocketRecord& record) {
  switch (record.protocol) {
    case Protocol::kTcp: return "TCP";
    case Protocol::kUdp: return "UDP";
    case Protocol::kUnix: return "";
  }
  return "";
}

// "/run/x.sock type=STREAM", or "type=STREAM" for an unnamed socket.
std::string unix_name(const SocketRecord& record) {
  return (record.unix_path.empty() ? "" : record.unix_path + " ") + fmt::format("type={}", unix_type_name(record.type));
}

struct Cells {
  std::string command, pid, user, fd, type, device, node, name;
};

Cells cells_of(const LsofRow& row, const LsofNaming& naming) {
  const SocketRecord& record = *row.record;
  Cells cells;
  cells.command = row.owner->command.substr(0, kCommandLimit);
  cells.pid = std::to_string(row.owner->pid);
  cells.user = user_text(row.owner->uid, naming.numeric_users);
  cells.fd = fd_text(row.owner->fd);
  if (record.protocol == Protocol::kUnix) {
    cells.type = "unix";
    cells.device = fmt::format("0x{:016x}", record.kernel_address);
    cells.node = std::to_string(record.inode);
    cells.name = unix_name(record) + " (" + sockets::unix_state_name(record) + ")";
  } else {
    cells.type = record.family == AF_INET6 ? "IPv6" : "IPv4";
    cells.device = std::to_string(record.inode);
    cells.node = node_text(record);
    cells.name = lsof_address_name(record, naming);
    // lsof follows the address with the TCP state, and with a lone space for other protocols.
    cells.name += record.protocol == Protocol::kTcp ? " (" + sockets::tcp_state_name(record.state) + ")" : " ";
  }
  return cells;
}

}  // namespace

std::vector<LsofRow> select_lsof_rows(const std::vector<SocketRecord>& records, const sockets::Selection& selection) {
  std::vector<LsofRow> rows;
  for (const SocketRecord& record : records) {
    for (const sockets::Owner& owner : record.owners) {
      if (sockets::row_matches(selection, record, &owner)) rows.push_back({&record, &owner});
    }
  }
  std::stable_sort(rows.begin(), rows.end(), [](const LsofRow& a, const LsofRow& b) {
    return std::pair(a.owner->pid, a.owner->fd) < std::pair(b.owner->pid, b.owner->fd);
  });
  return rows;
}

std::string lsof_address_name(const SocketRecord& record, const LsofNaming& naming) {
  std::string name = host_text(record.local.address, naming.numeric_hosts) + ":" +
                     port_text(record.local.port, record.protocol, naming.numeric_ports);
  if (!record.remote.address.is_unspecified() || record.remote.port != 0) {
    name += "->" + host_text(record.remote.address, naming.numeric_hosts) + ":" +
            port_text(record.remote.port, record.protocol, naming.numeric_ports);
  }
  return name;
}

std::string render_lsof(const std::vector<LsofRow>& rows, const LsofNaming& naming) {
  if (rows.empty()) return "";
  std::vector<Cells> table;
  table.reserve(rows.size());
  size_t command = 7, pid = 3, user = 4, type = 4, device = 6, node = 4;
  for (const LsofRow& row : rows) {
    table.push_back(cells_of(row, naming));
    const Cells& c = table.back();
    command = std::max(command, c.command.size());
    pid = std::max(pid, c.pid.size());
    user = std::max(user, c.user.size());
    type = std::max(type, c.type.size());
    device = std::max(device, c.device.size());
    node = std::max(node, c.node.size());
  }
  constexpr size_t kSizeOff = 8;
  std::string out = fmt::format("{:<{}} {:>{}} {:>{}} {:>{}}   {:>{}} {:>{}} {:>{}} {:>{}} NAME\n", "COMMAND", command,
                                "PID", pid, "USER", user, "FD", kFdWidth, "TYPE", type, "DEVICE", device, "SIZE/OFF",
                                kSizeOff, "NODE", node);
  out.reserve(out.size() + table.size() * 100);
  for (size_t i = 0; i < table.size(); ++i) {
    const Cells& c = table[i];
    fmt::format_to(std::back_inserter(out), "{:<{}} {:>{}} {:>{}} {:>{}}{} {:>{}} {:>{}} {:>{}} {:>{}} {}\n",
                   c.command, command, c.pid, pid, c.user, user, c.fd, kFdWidth,
                   std::string(1, rows[i].owner->access) + " ", c.type, type, c.device, device, "0t0", kSizeOff,
                   c.node, node, c.name);
  }
  return out;
}

std::string render_lsof_fields(const std::vector<LsofRow>& rows, const LsofNaming& naming, std::string_view fields,
                               bool nul_terminated) {
  // lsof's default -F set, in the order lsof writes fields whatever order they were asked in.
  std::string wanted(fields.empty() ? "pgRcuLfaltGdoiPnT" : fields);
  auto has = [&](char letter) { return wanted.find(letter) != std::string::npos; };
  char end = nul_terminated ? '\0' : '\n';
  std::string out;
  auto field = [&](char letter, std::string_view value) {
    out += letter;
    out += value;
    out += end;
  };
  pid_t current = -1;
  for (const LsofRow& row : rows) {
    const sockets::Owner& owner = *row.owner;
    const SocketRecord& record = *row.record;
    if (owner.pid != current) {
      current = owner.pid;
      if (has('p')) field('p', std::to_string(owner.pid));
      if (has('g')) field('g', std::to_string(owner.process_group));
      if (has('R')) field('R', std::to_string(owner.parent));
      if (has('c')) field('c', owner.command);
      if (has('u')) field('u', std::to_string(owner.uid));
      if (has('L')) {
        if (std::optional<std::string> name = login_name(owner.uid)) field('L', *name);
      }
      if (nul_terminated) out += '\n';
    }
    if (has('f')) field('f', fd_text(owner.fd));
    if (has('a')) field('a', std::string(1, owner.access));
    if (has('l')) field('l', " ");
    bool is_unix = record.protocol == Protocol::kUnix;
    if (has('t')) field('t', is_unix ? "unix" : record.family == AF_INET6 ? "IPv6" : "IPv4");
    if (has('G')) field('G', fmt::format("0x{:x};0x0", owner.file_flags));
    if (has('d')) field('d', is_unix ? fmt::format("0x{:016x}", record.kernel_address) : std::to_string(record.inode));
    if (has('o')) field('o', "0t0");
    if (has('i') && is_unix) field('i', std::to_string(record.inode));
    if (has('P') && !is_unix) field('P', node_text(record));
    if (has('n')) field('n', is_unix ? unix_name(record) : lsof_address_name(record, naming));
    if (has('T')) {
      if (is_unix) {
        field('T', fmt::format("ST={}", sockets::unix_state_name(record)));
      } else {
        if (record.protocol == Protocol::kTcp) field('T', "ST=" + sockets::tcp_state_name(record.state));
        // lsof reads the queues from /proc/net/tcp, where a listener's send queue is 0.
        bool listener = record.protocol == Protocol::kTcp && record.state == TCP_LISTEN;
        field('T', fmt::format("QR={}", record.receive_queue));
        field('T', fmt::format("QS={}", listener ? 0 : record.send_queue));
      }
    }
    if (nul_terminated) out += '\n';
  }
  return out;
}

std::string render_lsof_pids(const std::vector<LsofRow>& rows) {
  std::set<pid_t> pids;
  for (const LsofRow& row : rows) pids.insert(row.owner->pid);
  std::string out;
  for (pid_t pid : pids) out += std::to_string(pid) + "\n";
  return out;
}

}  // namespace sockscope::output
